"""`opiekun coverage-rebuild`: recompute the derived coverage tables from scratch."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opiekun.coverage.services import coverage_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the coverage tables (gaps per scope, periods without any caretaker, the "
        "periods of deputies standing in) from "
        "the assignments. Needed only after data was written around the services (raw SQL, "
        "a restore of one table); every write through Opiekun keeps them in step."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        gaps, uncovered = coverage_rebuild()
        if options["verbosity"]:
            self.stdout.write(f"{gaps} gaps, {uncovered} periods without any caretaker.")
