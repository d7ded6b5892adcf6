"""`opiekun token USERNAME`: print a new API token for an operator."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from opiekun.operators.tokens import may_use_api, token_issue


class Command(BaseCommand):
    help = "Issue a new API bearer token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="A label to tell tokens apart.")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not may_use_api(user):
            raise CommandError(f"{username!r} is not an active operator; no token issued.")
        _, raw = token_issue(user=user, name=name)
        self.stdout.write(raw)
