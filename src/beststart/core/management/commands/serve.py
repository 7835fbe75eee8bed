"""Serve Best Start with waitress, a production WSGI server that needs no compiler."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the site on HOST:PORT with waitress (static files through WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        import waitress  # type: ignore[import-untyped]

        from beststart.wsgi import application

        call_command("migrate", interactive=False, verbosity=0)
        if settings.STATIC_ROOT:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Serving Best Start on http://{host}:{port}/ (Ctrl+C to stop)")
        waitress.serve(application, host=host, port=port, threads=threads, ident="beststart")
