"""Emptying the database for a fresh county.

The audit and the chronology refuse deletes (by trigger), so the demo starts over by
recreating the schema: a new SQLite file, or a new PostgreSQL schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection


def reset_database(stdout: Any) -> None:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(str(settings_dict["NAME"]))
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    stdout.write("Database emptied; creating tables.")
    call_command("migrate", interactive=False, verbosity=0)
