"""Keys for partner systems: `beststart api_client create|revoke|list`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beststart.accounts.models import Role, Team
from beststart.api.auth import ClientError, create_client, revoke_client
from beststart.api.models import ApiClient


class Command(BaseCommand):
    help = (
        "Create, revoke or list the API keys of partner systems. A key acts as a system "
        "account (a user with a role in the partner's team); the new key is printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="issue a key and print it once")
        create.add_argument("--name", required=True, help="the partner system, e.g. its owner")
        create.add_argument("--username", required=True, help="the system account it acts as")
        create.add_argument(
            "--team", type=int, help="team id: create the system account in this team"
        )
        create.add_argument(
            "--role",
            choices=[role.value for role in Role],
            help="the system account's role, with --team",
        )
        create.add_argument(
            "--email",
            default="",
            help="with --team: the inbox at the partner told of each change to its referrals",
        )
        revoke = actions.add_parser("revoke", help="stop a key working, at once")
        revoke.add_argument("--name", required=True)
        actions.add_parser("list", help="the clients, their teams and when each was last used")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "create":
                self._create(
                    options["name"],
                    options["username"],
                    options["team"],
                    options["role"],
                    options["email"],
                )
            elif action == "revoke":
                client = revoke_client(name=options["name"])
                self.stdout.write(f"Revoked {client.name} (key {client.key_prefix}...)")
            else:
                self._list()
        except ClientError as problem:
            raise CommandError(str(problem)) from None

    def _create(
        self, name: str, username: str, team_id: int | None, role: str | None, email: str
    ) -> None:
        team = None
        if team_id is not None:
            team = Team.objects.filter(pk=team_id).first()
            if team is None:
                raise CommandError(f"There is no team with id {team_id}")
        issued = create_client(
            name=name, username=username, team=team, role=role or "", email=email
        )
        self.stdout.write(
            f"API key for {issued.client.name}, acting as {issued.client.user.username}.\n"
            "Give it to the partner through a secure channel: it is not stored and will not "
            "be shown again.\n"
        )
        self.stdout.write(issued.key)

    def _list(self) -> None:
        for client in ApiClient.objects.select_related("user"):
            state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
            used = f"{client.last_used_at:%Y-%m-%d %H:%M}" if client.last_used_at else "never"
            self.stdout.write(
                f"{client.name}\t{client.user.username}\t{client.key_prefix}...\t{state}\t"
                f"last used {used}"
            )
