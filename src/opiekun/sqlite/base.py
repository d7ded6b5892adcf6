"""Django's SQLite engine, with this project's settings of each connection, running
``PRAGMA optimize`` before a connection closes (see ``opiekun.sqlite``)."""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base

from opiekun.sqlite import CONNECTION_PRAGMAS, run_statistics


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        for pragma in CONNECTION_PRAGMAS:
            connection.execute(pragma)
        return connection

    def close(self) -> None:
        if self.connection is not None and not self.in_atomic_block and not self.is_in_memory_db():
            run_statistics(self.connection, "PRAGMA optimize")
        super().close()
