"""`opiekun export_job ID`: run one background export started by the web UI.

Not for people: the web process starts it (`opiekun.caretakers.export_jobs`) when an
export is too large for one request. It writes ``var/exports/ID.csv`` or ``.xlsx``
and the job's progress beside it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opiekun.caretakers.export_jobs import export_job_run


class Command(BaseCommand):
    help = "Run one background export started by the web UI (var/exports/ID.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id")

    def handle(self, *args: Any, job_id: str, **options: Any) -> None:
        try:
            job = export_job_run(job_id)
        except LookupError as error:
            raise CommandError(str(error)) from None
        if job.state != "done":
            raise CommandError(f"export {job_id} failed: {job.error}")
        self.stdout.write(f"{job.file}: {job.rows} rows")
