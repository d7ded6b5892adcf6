"""`opiekun notify [--date D] [--dry-run]`: send the daily digest of upcoming changes."""

from __future__ import annotations

from datetime import date as Date
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from opiekun.dates import format_date, today
from opiekun.management.import_cli import EXIT_USAGE, add_language_argument, language, option_day
from opiekun.notices.digest import digest_send
from opiekun.notices.selectors import DEFAULT_DAYS

# The digest reads D … D + DEFAULT_DAYS: a later D has no such window (it was an
# OverflowError's traceback).
LAST_DAY = Date.max - timedelta(days=DEFAULT_DAYS)


class Command(BaseCommand):
    help = (
        "E-mail each operator with upcoming changes one digest (their language, text and HTML). "
        "Sends nothing already delivered that day; a failed send is reported (exit code 1) and "
        "retried by the next run. Run daily from cron (docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The digest's day (YYYY-MM-DD or dd.mm.yyyy; default today).")
        parser.add_argument("--dry-run", action="store_true", help="Show who would get what; send nothing.")
        add_language_argument(parser)

    def handle(self, *args: Any, date: str | None = None, dry_run: bool = False, **options: Any) -> None:
        """The command's own lines follow ``--language``; each digest, its operator's."""
        with translation.override(language(options)):
            self._send(date, dry_run)

    def _send(self, date: str | None, dry_run: bool) -> None:
        day = option_day("--date", date) or today()
        if day > LAST_DAY:
            raise CommandError(
                "--date: " + _("Give a day no later than %(day)s.") % {"day": format_date(LAST_DAY)},
                returncode=EXIT_USAGE,
            )
        result = digest_send(day=day, dry_run=dry_run)
        for message in result.planned:
            self.stdout.write(
                _("would send to %(email)s: %(subject)s (%(n)s changes)")
                % {"email": message.operator.user.email, "subject": message.subject, "n": message.changes}
            )
        for operator in result.sent:
            self.stdout.write(_("sent to %(email)s") % {"email": operator.user.email})
        if result.skipped:
            self.stdout.write(
                _("%(n)s already sent on %(day)s") % {"n": result.skipped, "day": day.isoformat()}
            )
        if result.failed:
            for operator, reason in result.failed:
                self.stderr.write(
                    _("failed for %(email)s: %(reason)s") % {"email": operator.user.email, "reason": reason}
                )
            raise CommandError(
                _("%(n)s digest(s) not sent; the next run of `opiekun notify` retries them.")
                % {"n": len(result.failed)}
            )
