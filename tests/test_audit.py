"""The audit trail (docs/semantics.md, "Dodaj opiekuna"): every write, single or bulk, leaves who, when,
before and after; bulk writes record it set-based; the past state can be read back."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from opiekun import audit
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.selectors import assignment_audit, assignments_as_recorded
from opiekun.caretakers.services import (
    assignment_delete,
    assignment_end,
    assignment_update,
    caretaker_add,
)
from opiekun.contractors.models import Contractor
from opiekun.contractors.services import contractor_delete
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db

D = date(2025, 3, 1)
HISTORY_TABLE = CaretakerAssignment.history.model._meta.db_table


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

    def tick(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def clock(monkeypatch: Any) -> Clock:
    clock = Clock()
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock.now)
    return clock


def day(n: int) -> date:
    return D + timedelta(days=n)


def add(
    actor: Any, contractors: list[Contractor], operator: Operator, start: int, end: int | None = None
) -> Any:
    return caretaker_add(
        actor=actor,
        contractor_ids=[c.pk for c in contractors],
        operator_id=operator.pk,
        date_from=day(start),
        date_to=None if end is None else day(end),
        on_overlap="replace",
    )


def trail(actor: Any, contractor: Contractor) -> list[tuple[str, str, Any, Any]]:
    """(action, reason, before, after) as (operator, from, to), oldest first."""

    def brief(state: dict[str, Any] | None) -> Any:
        return state and (state["operator_id"], state["date_from"], state["date_to"])

    return [
        (e.action, e.reason, brief(e.before), brief(e.after))
        for e in reversed(assignment_audit(viewer=actor, contractor_id=contractor.pk))
    ]


def test_bulk_add_and_replace_are_recorded(
    actor: Any, make_operator: Any, make_contractors: Any, clock: Clock
) -> None:
    anna, bartek = make_operator("anna"), make_operator("bartek")
    trim, split, remove = make_contractors(3)
    add(actor, [trim], bartek, 0, 9)
    add(actor, [split], bartek, 0)
    add(actor, [remove], bartek, 6, 7)
    clock.tick()
    add(actor, [trim, split, remove], anna, 5, 10)
    assert trail(actor, trim) == [
        ("created", "caretaker_add", None, (bartek.pk, day(0), day(9))),
        ("changed", "caretaker_add", (bartek.pk, day(0), day(9)), (bartek.pk, day(0), day(4))),
        ("created", "caretaker_add", None, (anna.pk, day(5), day(10))),
    ]
    assert trail(actor, split)[1:] == [
        ("changed", "caretaker_add", (bartek.pk, day(0), None), (bartek.pk, day(0), day(4))),
        ("created", "caretaker_add", None, (anna.pk, day(5), day(10))),
        ("created", "caretaker_add", None, (bartek.pk, day(11), None)),
    ]
    assert ("deleted", "caretaker_add", (bartek.pk, day(6), day(7)), None) in trail(actor, remove)
    entries = assignment_audit(viewer=actor, contractor_id=remove.pk)
    assert entries[0].when == clock.now and all(e.user == actor.get_username() for e in entries)
    assert entries == sorted(entries, key=lambda e: (e.when, e.assignment_id), reverse=True)


def test_single_writes_are_recorded(
    actor: Any, make_operator: Any, contractor: Contractor, clock: Clock
) -> None:
    anna, bartek = make_operator("anna"), make_operator("bartek")
    assignment_id = add(actor, [contractor], anna, 0).results[0].assignment_id
    clock.tick()
    assignment_update(actor=actor, assignment_id=assignment_id, operator_id=bartek.pk)
    clock.tick()
    assignment_end(actor=actor, assignment_id=assignment_id, date_to=day(20))
    clock.tick()
    assignment_delete(actor=actor, assignment_id=assignment_id)
    assert trail(actor, contractor) == [
        ("created", "caretaker_add", None, (anna.pk, day(0), None)),
        ("changed", "assignment_update", (anna.pk, day(0), None), (bartek.pk, day(0), None)),
        ("changed", "assignment_update", (bartek.pk, day(0), None), (bartek.pk, day(0), day(20))),
        ("deleted", "assignment_delete", (bartek.pk, day(0), day(20)), None),
    ]
    whens = [e.when for e in assignment_audit(viewer=actor, contractor_id=contractor.pk)]
    assert whens == sorted(whens, reverse=True) and len(set(whens)) == 4


def test_contractor_delete_is_recorded(actor: Any, make_operator: Any, make_contractors: Any) -> None:
    anna = make_operator("anna")
    doomed, kept = make_contractors(2)
    add(actor, [doomed, kept], anna, 0)
    doomed_id = doomed.pk
    contractor_delete(actor=actor, contractor_id=doomed_id)
    record = CaretakerAssignment.history.filter(contractor_id=doomed_id, history_type="-").get()
    assert (record.history_user_id, record.history_change_reason) == (actor.pk, "contractor_delete")
    assert (record.operator_id, record.date_from, record.date_to) == (anna.pk, day(0), None)
    assert not CaretakerAssignment.history.filter(contractor_id=kept.pk, history_type="-").exists()


def _history_inserts(run: CaptureQueriesContext) -> int:
    return sum(
        1
        for q in run.captured_queries
        if q["sql"].lstrip().upper().startswith("INSERT") and HISTORY_TABLE in q["sql"]
    )


def test_bulk_history_is_set_based(actor: Any, make_operator: Any, make_contractors: Any) -> None:
    anna, bartek = make_operator("anna"), make_operator("bartek")
    counts = []
    for size in (5, 500):
        cs = make_contractors(size)
        add(actor, cs, bartek, 0)
        before = CaretakerAssignment.history.count()
        with CaptureQueriesContext(connection) as run:
            add(actor, cs, anna, 5, 9)  # each: a shrink, the new row, a split tail
        counts.append((_history_inserts(run), len(run)))
        assert CaretakerAssignment.history.count() - before == 3 * size
    assert counts[0] == counts[1]
    assert counts[0][0] <= 2


def test_bulk_trail_is_written_by_the_writes_themselves(
    actor: Any, make_operator: Any, make_contractors: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a bulk write's historical rows are written by the statements that
    write, change and delete the rows (no statement of their own, no row sent twice);
    they are the rows, in the same order, that `audit.record` writes apart."""
    anna, bartek = make_operator("anna"), make_operator("bartek")
    cs = make_contractors(6)
    add(actor, cs[:2], bartek, 0, 9)  # trimmed
    add(actor, cs[2:4], bartek, 0)  # split: a tail inserted
    add(actor, cs[4:], bartek, 6, 7)  # removed
    history = CaretakerAssignment.history.model
    last = history.objects.order_by("-history_id").values_list("history_id", flat=True)[0]
    columns = ["contractor_id", "operator_id", "type", "role_id", "branch_id", "date_from", "date_to"]
    columns += ["priority", "created_by_id", "updated_by_id", "history_type", "history_user_id"]
    columns += ["history_change_reason"]

    def replace(*, apart: bool) -> tuple[list[tuple[Any, ...]], CaptureQueriesContext]:
        with transaction.atomic():
            if apart:
                monkeypatch.setattr(audit, "trail", lambda *args, **kwargs: None)
            with CaptureQueriesContext(connection) as run:
                add(actor, cs, anna, 5, 10)
            monkeypatch.undo()
            rows = history.objects.filter(history_id__gt=last).order_by("history_id")
            # A new row's id differs from run to run (the sequence is not rolled back).
            found = [
                (None if row[-1] == "+" else row[0], *row[1:])
                for row in rows.values_list("id", *columns, "history_type")
            ]
            transaction.set_rollback(True)
        return found, run

    together, run_together = replace(apart=False)
    apart, run_apart = replace(apart=True)
    assert together == apart
    assert Counter(row[-1] for row in together) == {"~": 4, "+": 8, "-": 2}
    if connection.vendor == "postgresql":
        assert _history_inserts(run_together) == 0
        assert len(run_together) == len(run_apart) - 3
    else:  # no data-modifying WITH: recorded apart
        assert len(run_together) == len(run_apart)


def test_state_as_recorded_at_a_time(
    actor: Any, make_operator: Any, contractor: Contractor, clock: Clock
) -> None:
    anna, bartek = make_operator("anna"), make_operator("bartek")
    first = add(actor, [contractor], anna, 0).results[0].assignment_id
    t1 = clock.now
    clock.tick()
    add(actor, [contractor], bartek, 10, 19)
    t2 = clock.now
    clock.tick()
    assignment_delete(actor=actor, assignment_id=first)
    t3 = clock.now

    def state(at: datetime) -> list[tuple[int, date, date | None]]:
        return [
            (r.operator_id, r.date_from, r.date_to)
            for r in assignments_as_recorded(viewer=actor, contractor_id=contractor.pk, at=at)
        ]

    assert state(t1 - timedelta(seconds=1)) == []
    assert state(t1) == [(anna.pk, day(0), None)]
    assert state(t2) == [(anna.pk, day(0), day(9)), (bartek.pk, day(10), day(19)), (anna.pk, day(20), None)]
    assert state(t3) == [(bartek.pk, day(10), day(19)), (anna.pk, day(20), None)]
    current = sorted(
        CaretakerAssignment.objects.filter(contractor=contractor).values_list(
            "operator_id", "date_from", "date_to"
        ),
        key=lambda r: r[1],
    )
    assert state(t3 + timedelta(days=1)) == current
