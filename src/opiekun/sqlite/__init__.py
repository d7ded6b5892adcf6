"""SQLite's query planner needs statistics (``sqlite_stat1``) to choose the indexes
this project's queries are built for; without them it guesses, and at 100,000
contractors the contractor list took seconds instead of milliseconds. SQLite never
gathers them by itself, so the project does:

- ``PRAGMA optimize`` when a connection closes (``opiekun.sqlite.base``, the engine of
  the SQLite configuration): SQLite analyses the tables that connection's queries used
  whose statistics are missing or out of date (25 times as many rows), and does nothing
  otherwise;
- ``analyze()`` after ``migrate`` (a ``post_migrate`` receiver) and after ``opiekun
  import``: every table, at once.

Both read at most ``ANALYSIS_LIMIT`` rows of each index (``PRAGMA analysis_limit``),
so they take a fraction of a second at any size. Neither waits for the write lock: a
database busy with a writer is analysed by a later connection. PostgreSQL gathers its
own statistics (autovacuum); there these are no-ops.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

ANALYSIS_LIMIT = 1000

# Set on every new connection (`opiekun.sqlite.base`). Both are this process's memory
# only, never what the file holds or how it is written: the durability settings
# (WAL, ``synchronous``, foreign keys) are the configuration's ``init_command``.
#
# - ``temp_store = MEMORY``: the temporary b-trees of a statement (the sorts, the
#   ``IN (SELECT … json_each)`` lists, the rows of an ``UPDATE … FROM``) are built in
#   memory, not in temporary files. A bulk write of 10,000 contractors spent about a
#   sixth of its SQLite time on those files (docs/performance.md, "SQLite's bulk
#   writes, 2026-11-29 (lite)"). Temporary data never outlives its statement or
#   connection, so nothing a crash could lose; the memory is that of one statement's
#   sort, as large as the file would have been.
# - ``cache_size = -65536``: a page cache of up to 64 MiB a connection (SQLite's
#   default is 2 MiB), filled only as pages are read: a write of 10,000 contractors
#   touches more pages of the assignment table's indexes than 2 MiB hold, and pages
#   dropped from the cache are read again from the file (and dirty ones written to the
#   WAL before the commit). Each connection of each worker may hold that much.
CONNECTION_PRAGMAS = ("PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -65536")


def run_statistics(raw: Any, statement: str) -> bool:
    """Run ``ANALYZE`` or ``PRAGMA optimize`` on a raw sqlite3 connection without
    waiting for a busy database; whether it ran."""
    try:
        timeout = raw.execute("PRAGMA busy_timeout").fetchone()[0]
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            raw.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
            raw.execute(statement)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    except sqlite3.Error as error:
        logger.info("SQLite statistics not updated (%s): %s", statement, error)
        return False
    return True


def analyze(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Gather statistics of every table now (after a migration or an import)."""
    connection = connections[using]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return False
    connection.ensure_connection()
    return run_statistics(connection.connection, "ANALYZE")


def analyze_after_migrate(*, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """``post_migrate`` receiver."""
    analyze(using)
