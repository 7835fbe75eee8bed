"""`beststart demo`: a fresh synthetic county, its sign-ins, and the site serving it."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Build a fresh demo county (about 2,000 families) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--families", type=int, default=2000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Build the county only")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("seed", families=options["families"], seed=options["seed"])
        if not options["no_serve"]:
            self.stdout.write("")
            call_command("serve", host=options["host"], port=options["port"])
