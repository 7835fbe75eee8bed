"""Build a synthetic county into an empty database, sized by families or people."""

from __future__ import annotations

import math
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beststart.demo.county import PEOPLE_PER_FAMILY, build_county, print_progress
from beststart.demo.reset import reset_database

MAX_PEOPLE = 1_000_000


class Command(BaseCommand):
    help = "Build the synthetic county (deterministic for a seed). Empties the database first."

    def add_arguments(self, parser: CommandParser) -> None:
        size = parser.add_mutually_exclusive_group()
        size.add_argument("--families", type=int, help="Number of families (default 2,000)")
        size.add_argument("--people", type=int, help=f"Approximate people, up to {MAX_PEOPLE:,}")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--no-reset",
            action="store_true",
            help="Do not empty the database first (it must already be empty)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        families = families_for(options["families"], options["people"])
        if not options["no_reset"]:
            reset_database(self.stdout)
        report = build_county(
            families=families, seed=options["seed"], progress=print_progress(sys.stderr)
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Built Wealdshire: {report.families:,} families, {report.people:,} people "
                f"(seed {options['seed']})."
            )
        )
        print_sign_ins(self.stdout, report.sign_ins)


def families_for(families: int | None, people: int | None) -> int:
    if people is not None:
        if not 1 <= people <= MAX_PEOPLE:
            raise CommandError(f"--people must be between 1 and {MAX_PEOPLE:,}")
        return max(1, math.ceil(people / PEOPLE_PER_FAMILY))
    if families is not None and families < 1:
        raise CommandError("--families must be at least 1")
    return families or 2000


def print_sign_ins(stdout: Any, sign_ins: list[tuple[str, str, str]]) -> None:
    from beststart.demo.organisations import DEMO_PASSWORD

    stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})")
    for username, role, team in sign_ins:
        stdout.write(f"  {username:<16} {role:<40} {team}")
