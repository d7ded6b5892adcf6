"""`opiekun notify [--date D] [--dry-run]`: send the daily digest of upcoming changes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opiekun.dates import parse_date, today
from opiekun.notices.digest import digest_send


class Command(BaseCommand):
    help = (
        "E-mail each operator with upcoming changes one digest (their language, text and HTML). "
        "Sends nothing already delivered that day; a failed send is reported (exit code 1) and "
        "retried by the next run. Run daily from cron (docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The digest's day (YYYY-MM-DD or dd.mm.rrrr; default today).")
        parser.add_argument("--dry-run", action="store_true", help="Show who would get what; send nothing.")

    def handle(self, *args: Any, date: str | None = None, dry_run: bool = False, **options: Any) -> None:
        try:
            day = parse_date(date) if date else today()
        except ValueError as error:
            raise CommandError(f"--date: {error}", returncode=2) from None
        result = digest_send(day=day, dry_run=dry_run)
        for message in result.planned:
            self.stdout.write(
                f"would send to {message.operator.user.email}: {message.subject} ({message.changes} changes)"
            )
        for operator in result.sent:
            self.stdout.write(f"sent to {operator.user.email}")
        if result.skipped:
            self.stdout.write(f"{result.skipped} already sent on {day.isoformat()}")
        if result.failed:
            for operator, reason in result.failed:
                self.stderr.write(f"failed for {operator.user.email}: {reason}")
            raise CommandError(
                f"{len(result.failed)} digest(s) not sent; the next run of `opiekun notify` retries them."
            )
