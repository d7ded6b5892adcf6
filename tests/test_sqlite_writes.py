"""SQLite's bulk writes (docs/performance.md, "SQLite's bulk writes, 2026-11-29 (lite)"):
each connection's memory settings, and the audit trail copied from the rows by the
database instead of sent from Python a second time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from opiekun import audit
from opiekun.bulk import insert_rows
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings and statements")

D = date(2025, 3, 1)
HISTORY_TABLE = CaretakerAssignment.history.model._meta.db_table
TABLE = CaretakerAssignment._meta.db_table


def _pragmas(cursor: Any) -> dict[str, Any]:
    names = ("temp_store", "cache_size", "journal_mode", "synchronous", "foreign_keys")
    return {name: cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in names}


def test_a_new_connection_keeps_temporary_data_in_memory_with_a_larger_cache(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    """The two settings are the connection's memory only; what the file holds and how it
    is written (WAL, ``synchronous = NORMAL``, foreign keys) stay the configuration's."""
    settings = {**connections["default"].settings_dict, "NAME": str(tmp_path / "db.sqlite3")}
    with django_db_blocker.unblock():
        wrapper = DatabaseWrapper(settings, alias="pragmas")
        try:
            with wrapper.cursor() as cursor:
                found = _pragmas(cursor)
        finally:
            wrapper.close()
    # temp_store 2 is MEMORY; a negative cache_size is in KiB.
    assert found == {
        "temp_store": 2,
        "cache_size": -65536,
        "journal_mode": "wal",
        "synchronous": 1,
        "foreign_keys": 1,
    }


def _add(actor: Any, contractors: list[Any], operator: Any, start: int, end: int | None = None) -> Any:
    return caretaker_add(
        actor=actor,
        contractor_ids=[c.pk for c in contractors],
        operator_id=operator.pk,
        date_from=D + timedelta(days=start),
        date_to=None if end is None else D + timedelta(days=end),
        on_overlap="replace",
    )


@pytest.mark.django_db
def test_the_trail_is_copied_from_the_rows_by_the_database(
    actor: Any, make_operator: Any, make_contractors: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A REPLACE that trims, splits and removes: its historical rows are inserted by
    statements that read the rows from the assignment table (after the insert and the
    update, before the delete), each given the rows' ids and nothing else of them, and
    they are the rows `audit.record` writes from the same rows' values sent from Python
    (as the writer did before), in the same order."""
    anna, bartek = make_operator("anna"), make_operator("bartek")
    cs = make_contractors(6)
    _add(actor, cs[:2], bartek, 0, 9)  # trimmed
    _add(actor, cs[2:4], bartek, 0)  # split: a tail inserted
    _add(actor, cs[4:], bartek, 6, 7)  # removed
    history = CaretakerAssignment.history.model
    last = history.objects.order_by("-history_id").values_list("history_id", flat=True)[0]
    columns = ["id", "contractor_id", "operator_id", "type", "role_id", "branch_id", "date_from", "date_to"]
    columns += ["priority", "created_by_id", "updated_by_id", "history_type", "history_user_id"]
    columns += ["history_change_reason", "history_date"]

    def replace(*, apart: bool) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
        with transaction.atomic():
            if apart:
                monkeypatch.setattr(audit, "copy", _recorded)
            with CaptureQueriesContext(connection) as run:
                _add(actor, cs, anna, 5, 10)
            monkeypatch.undo()
            rows = history.objects.filter(history_id__gt=last).order_by("history_id")
            found = [(None if row[11] == "+" else row[0], *row[1:]) for row in rows.values_list(*columns)]
            transaction.set_rollback(True)
        inserts = [
            q for q in run.captured_queries if q["sql"].startswith("INSERT") and HISTORY_TABLE in q["sql"]
        ]
        return found, inserts

    copied, copies = replace(apart=False)
    recorded, records = replace(apart=True)
    assert [row[:-1] for row in copied] == [row[:-1] for row in recorded]
    assert len({row[-1] for row in copied}) == 1  # one history_date: the write's
    assert [row[11] for row in copied].count("-") == 2
    assert len(copies) == len(records) == 3  # deleted, changed, created
    for query in copies:
        assert f'JOIN "{TABLE}" AS t' in query["sql"]
        # The only JSON document sent is the list of ids (no row travels twice).
        documents = [json.loads(p) for p in _params(query["sql"]) if p.startswith("[")]
        assert documents and all(isinstance(i, int) for doc in documents for i in doc)
    for query in records:
        assert f'JOIN "{TABLE}"' not in query["sql"]


def _recorded(model: Any, ids: Any, **kwargs: Any) -> None:
    """`audit.copy` as `audit.record` of the rows read into Python."""
    names = [f.attname for f in audit._tracked_fields(model)]
    found = {row["id"]: row for row in model.objects.filter(pk__in=ids).values(*names)}
    audit.record(model, [found[pk] for pk in ids], **kwargs)


def _params(sql: str) -> list[str]:
    """The quoted literals of a captured statement (Django's SQLite backend inlines the
    parameters in ``captured_queries``)."""
    parts = sql.split("'")
    return [parts[i].replace("''", "'") for i in range(1, len(parts), 2)]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 2, 50])
def test_columns_alike_in_every_row_are_sent_once_and_written_alike(size: int) -> None:
    """A bulk write's column that holds one value in every row (a boolean, a null, a
    timestamp, a text with quotes) travels once, as a parameter, and is written as the
    same value the JSON document would have carried; the other columns travel per row."""
    when = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    blank = ("nip", "regon", "street", "postal_code", "city", "email", "phone")
    fields = ["code", "name", *blank, "active", "created_at", "updated_at"]
    name = "Firma \"A\" 'b' ; --"
    rows: list[dict[str, Any]] = [
        {
            "code": f"S{i:05d}",
            "name": name,
            **dict.fromkeys(blank, ""),
            "active": False,
            "created_at": when,
            "updated_at": when + timedelta(seconds=i),
        }
        for i in range(size)
    ]
    sent: list[Any] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.extend(params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        pks = insert_rows(Contractor, fields, rows)
    document = json.loads(sent[-1])
    # Per row: the code and the second timestamp; the ten alike columns once (one row: all per row).
    assert [len(row) for row in document] == [2 if size > 1 else 12] * size
    stored = list(Contractor.objects.filter(pk__in=pks).order_by("pk").values_list(*fields))
    assert stored == [tuple(row[f] for f in fields) for row in rows]
    # The raw values as SQLite holds them match those the ORM's own save writes.
    saved = Contractor.objects.create(code="S-orm", name=name, active=False)
    Contractor.objects.filter(pk=saved.pk).update(created_at=when)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT typeof(active), active, typeof(created_at), created_at, typeof(nip), nip "
            "FROM contractors_contractor WHERE id IN (%s, %s)",
            [pks[-1], saved.pk],
        )
        written, by_orm = cursor.fetchall()
    assert written[:2] == by_orm[:2] and written[2:] == by_orm[2:]
