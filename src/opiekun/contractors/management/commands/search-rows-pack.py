"""`opiekun search-rows-pack`: write the table of keys again, in its searched layout."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opiekun.contractors.search_rows import pack


class Command(BaseCommand):
    help = (
        "Write the table of keys that a search reads (PostgreSQL) again from the contractors, "
        "in name order by scattered runs, as the migrations laid it out. Contractors added "
        "since are appended to it; it stays exact without this, and a search among many of "
        "them reads fewer pages after it. Writes of contractors and searches wait while it "
        "runs (about 20 s at a million)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = pack()
        if not options["verbosity"]:
            return
        if rows is None:
            self.stdout.write("Nothing to pack: this database (SQLite) has no table of keys.")
        else:
            self.stdout.write(f"The table of keys written again: {rows:,} rows.")
