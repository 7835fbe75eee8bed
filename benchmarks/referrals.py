"""What the referral pages cost on a demo county: each page requested in-process through the
full middleware stack (Django's test client), as the demo sign-in who uses it, with its SQL
query count. Prints a table; times are wall-clock milliseconds on this machine.

    BESTSTART_VAR_DIR=$(mktemp -d) .venv/bin/beststart seed --families 2000 --seed 1
    BESTSTART_VAR_DIR=<that dir> .venv/bin/python benchmarks/referrals.py --repeat 20

It reads the database BESTSTART_VAR_DIR or BESTSTART_DATABASE_URL names (writing only the
audit rows and "received" steps the pages write), and never serves anything."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beststart.settings")
os.environ.setdefault("BESTSTART_LOG_LEVEL", "WARNING")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from beststart.accounts.models import User  # noqa: E402
from beststart.referrals.models import Referral, Status  # noqa: E402

ALLOWED_HOST = "127.0.0.1"


def pages() -> list[tuple[str, str, str]]:
    """(what, who, path) for each page measured."""
    hub = User.objects.get(username="family.hub").memberships.get().team
    one = Referral.objects.filter(team=hub, status=Status.ACCEPTED).order_by("pk").first()
    assert one is not None, "the demo county has no accepted referral in family.hub's queue"
    return [
        ("Referrals: everything, open (triage)", "triage", "/referrals/?scope=all"),
        ("Referrals: everything, all states", "triage", "/referrals/?scope=all&status=all"),
        ("Referrals: the hub's queue", "family.hub", "/referrals/"),
        ("Referrals: what the practice sent", "gp.staff", "/referrals/?scope=sent&status=all"),
        ("A referral page", "family.hub", f"/referrals/{one.pk}/"),
        ("Dashboard: every service and queue", "commissioner", "/referrals/dashboard/"),
        ("Dashboard: one team (manager)", "manager", "/referrals/dashboard/"),
        ("Referral form", "health.visitor", "/referrals/new/"),
    ]


def measure(client: Client, path: str, repeat: int) -> tuple[list[float], int]:
    client.get(path)  # warm
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path, HTTP_HOST=ALLOWED_HOST)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(captured)
    return times, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    referrals = Referral.objects.count()
    print(f"{referrals} referrals, {connection.vendor}; {args.repeat} requests a page")
    print("| page | as | p50 ms | p95 ms | queries |\n| --- | --- | ---: | ---: | ---: |")
    for what, username, path in pages():
        client = Client(HTTP_HOST=ALLOWED_HOST)
        client.force_login(User.objects.get(username=username))
        times, queries = measure(client, path, args.repeat)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        print(
            f"| {what} | `{username}` | {statistics.median(times):.1f} | {p95:.1f} | {queries} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
