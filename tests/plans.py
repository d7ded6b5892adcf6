"""The query plan of a statement as text, on either engine, for tests that check an
index is used (on a tiny table, PostgreSQL is kept off the sequential scan so that the
index's use shows)."""

from __future__ import annotations

from typing import Any

from django.db import connection


def query_plan(sql: str, params: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())
