"""Django's SQLite engine, running ``PRAGMA optimize`` before a connection closes
(see ``opiekun.sqlite``)."""

from __future__ import annotations

from django.db.backends.sqlite3 import base

from opiekun.sqlite import run_statistics


class DatabaseWrapper(base.DatabaseWrapper):
    def close(self) -> None:
        if self.connection is not None and not self.in_atomic_block and not self.is_in_memory_db():
            run_statistics(self.connection, "PRAGMA optimize")
        super().close()
