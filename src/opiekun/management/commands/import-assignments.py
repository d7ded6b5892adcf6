"""`opiekun import-assignments FILE`: caretaker assignments from CSV or XLSX.

A dry run (``--dry-run``) checks every row and reports the outcome each would have;
without it the file is imported in one transaction, all or nothing — unless
``--skip-invalid``, which writes the valid rows and reports the others. Exit code 0:
written (or a clean dry run); 1: rows with errors, or a file that cannot be read;
2: bad usage. docs/import.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opiekun.caretakers.rules import OverlapPolicy
from opiekun.caretakers.services import assignments_import
from opiekun.importing import ImportReport, Progress
from opiekun.management.import_cli import actor_for, add_common_arguments, run_import


class Command(BaseCommand):
    help = "Import caretaker assignments from CSV or XLSX: a dry run, then all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        add_common_arguments(parser)
        parser.add_argument(
            "--on-overlap",
            choices=[OverlapPolicy.KEEP.value, OverlapPolicy.REPLACE.value],
            default=OverlapPolicy.KEEP.value,
            help="keep: a row meeting another main caretaker is skipped (default); "
            "replace: it replaces the other one for its period",
        )
        parser.add_argument(
            "--user", help="import as this user (their permissions, and named in the audit trail)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def work(path: Path, progress: Progress) -> ImportReport:
            return assignments_import(
                actor=actor_for(options["user"]),
                path=path,
                filename=path.name,
                on_overlap=options["on_overlap"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=progress,
            )

        run_import(self, options, work)
