"""`opiekun import contractors FILE --user NAME`: contractors from CSV or XLSX.

Set-based (`opiekun.contractors.importing`): every row is checked exactly as the
contractor form checks it, then the valid rows are inserted in chunks in one
transaction, all or nothing (or, with ``--skip-invalid``, the valid rows only).
``--dry-run`` checks and reports without writing. The importing operator becomes the
main caretaker of every contractor created when ``CREATOR_BECOMES_CARETAKER`` is on,
as with the form. Exit codes as `opiekun import-assignments`: 0 written or a clean
dry run, 1 errors, 2 bad usage. docs/import.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opiekun.contractors.importing import contractors_import
from opiekun.importing import ImportReport, Progress
from opiekun.management.import_cli import actor_for, add_common_arguments, run_import


class Command(BaseCommand):
    help = "Import contractors from CSV or XLSX: a dry run, then all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["contractors"])
        add_common_arguments(parser)
        parser.add_argument(
            "--user",
            required=True,
            help="the operator recorded as creator (and, if so configured, made the main caretaker)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def work(path: Path, progress: Progress) -> ImportReport:
            return contractors_import(
                actor=actor_for(options["user"]),
                path=path,
                filename=path.name,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=progress,
            )

        run_import(self, options, work)
