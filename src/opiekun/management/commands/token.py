"""`opiekun token USERNAME`: print a new API token for an operator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from opiekun.management.import_cli import EXIT_USAGE, add_language_argument, language
from opiekun.operators.tokens import may_use_api, token_issue
from opiekun.settings_env import TOKEN_DAYS_MAX


class Command(BaseCommand):
    help = "Issue a new API bearer token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="A label to tell tokens apart.")
        parser.add_argument(
            "--days", type=int, default=None, help="Lifetime in days (default: OPIEKUN_API_TOKEN_DAYS, 90)."
        )
        add_language_argument(parser)

    def handle(self, *args: Any, username: str, name: str, days: int | None, **options: Any) -> None:
        with translation.override(language(options)):
            self._issue(username, name, days)

    def _issue(self, username: str, name: str, days: int | None) -> None:
        if days is not None and not 1 <= days <= TOKEN_DAYS_MAX:
            raise CommandError(
                _("--days must be from 1 to %(most)s.") % {"most": TOKEN_DAYS_MAX}, returncode=EXIT_USAGE
            )
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user %(name)r.") % {"name": username}, returncode=EXIT_USAGE)
        if not may_use_api(user):
            raise CommandError(
                _("%(name)r is not an active operator; no token issued.") % {"name": username},
                returncode=EXIT_USAGE,
            )
        token, raw = token_issue(user=user, name=name, lifetime=timedelta(days=days) if days else None)
        self.stdout.write(raw)
        self.stderr.write(_("Expires %(moment)s UTC.") % {"moment": f"{token.expires_at:%Y-%m-%d %H:%M}"})
