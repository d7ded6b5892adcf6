"""The contractors' import keeps the derived coverage tables right whether the database's
trigger writes the new contractors' rows or the writer does (with the importer as their
caretaker, coverage/migrations/0005_new_contractors_left_to_the_writer.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opiekun.contractors.importing import contractors_import
from opiekun.contractors.models import Contractor
from opiekun.coverage.models import ActingGap, CoverageGap, UncoveredPeriod
from opiekun.coverage.new_contractors import SETTING
from opiekun.coverage.services import coverage_recompute, coverage_stored


def _file(path: Path, codes: list[str]) -> Path:
    path.write_text("Kod;Nazwa\n" + "".join(f"{code};Firma {code}\n" for code in codes), encoding="utf-8")
    return path


def _setting() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [SETTING])
        value: str | None = cursor.fetchone()[0]
        return value


def _rows_numbered() -> int:
    """How many uncovered periods were ever inserted (their sequence; PostgreSQL)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('coverage_uncoveredperiod', 'id'))")
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize("caretaker", [True, False])
def test_imported_contractors_have_exactly_their_coverage(
    actor: Any, tmp_path: Path, settings: Any, default_role: Any, caretaker: bool
) -> None:
    settings.CREATOR_BECOMES_CARETAKER = caretaker
    numbered = _rows_numbered()
    report = contractors_import(
        actor=actor, path=_file(tmp_path / "k.csv", ["K1", "K2", "K3"]), filename="k.csv", dry_run=False
    )
    assert report.applied
    imported = Contractor.objects.filter(code__in=["K1", "K2", "K3"])
    assert imported.count() == 3
    for model in (CoverageGap, UncoveredPeriod, ActingGap):  # one row each, not two
        counts = [model.objects.filter(contractor=c).count() for c in imported]
        assert counts == [1, 1, 1], model.__name__
    assert coverage_stored() == coverage_recompute()
    if connection.vendor == "postgresql":
        # Each contractor's uncovered period was written once: by the writer when the
        # importer became their caretaker (the database's trigger left them alone),
        # else by the trigger.
        assert _rows_numbered() - numbered == 3 + 1  # + 1: the reading takes a number
    # The trigger is itself again for anyone else: a contractor created afterwards in
    # the same transaction gets its rows from the database.
    assert _setting() in (None, "", "off")
    later = Contractor.objects.create(code="K4", name="K4")
    assert UncoveredPeriod.objects.filter(contractor=later).count() == 1
    assert coverage_stored() == coverage_recompute()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL leaves new contractors' rows to the writer"
)
def test_the_writer_inserts_new_contractors_rows_without_reading_the_tables(
    actor: Any, tmp_path: Path, settings: Any, default_role: Any
) -> None:
    """The contractors an import inserts hold no coverage rows until the writer gives
    the importer as their caretaker: it inserts theirs without reading the tables."""
    settings.CREATOR_BECOMES_CARETAKER = True
    with CaptureQueriesContext(connection) as queries:
        report = contractors_import(
            actor=actor, path=_file(tmp_path / "k.csv", ["K1", "K2"]), filename="k.csv", dry_run=False
        )
    assert report.applied
    tables = ("coverage_coveragegap", "coverage_uncoveredperiod", "coverage_actinggap")
    reads = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and any(t in q["sql"] for t in tables)
    ]
    assert reads == []
    assert coverage_stored() == coverage_recompute()
