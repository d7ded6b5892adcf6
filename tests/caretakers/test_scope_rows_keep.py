"""KEEP reads the decision's columns alone (`scope_rows.scope_slots`) and the rows its
plans write whole by id (`scope_rows.stored_by_id`); REPLACE reads them whole at once
(`scope_values`). On a selection without conflicts both plan alike, so both must
write the same rows, audit rows and results: merges (a row extended, another
absorbed), additions beside rows that do not count, and no rows at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


def day(n: int) -> date:
    return date(2030, 3, n)


class _Undo(Exception):
    pass


@pytest.fixture
def selection(
    actor: Any,
    make_contractors: Callable[[int], list[Contractor]],
    make_operator: Callable[..., Operator],
    default_role: CaretakerRole,
) -> tuple[list[int], Operator]:
    c = make_contractors(5)
    mine, other, author = make_operator(), make_operator(), make_operator()
    rows = [
        (c[0], mine, "main", day(1), day(9), 5),  # extended: it ends the day before
        (c[1], mine, "main", day(10), day(12), 3),  # extended, and absorbs the next one
        (c[1], mine, "main", day(15), day(25), 4),
        (c[2], other, "deputy", day(5), day(15), 0),  # not decisive: a new row beside it
        (c[4], mine, "deputy", day(1), day(2), 2),  # the same operator's other type, days apart
    ]
    for contractor, operator, kind, start, end, priority in rows:
        CaretakerAssignment.objects.create(
            contractor=contractor,
            operator=operator,
            type=kind,
            role=default_role,
            date_from=start,
            date_to=end,
            priority=priority,
            created_by=author.user,
            updated_by=author.user,
        )
    return [x.pk for x in c], mine


def _written(actor: Any, ids: list[int], operator: Operator, policy: str) -> tuple[Any, ...]:
    """What ``policy`` writes and answers (ids of new rows left out), then undone."""
    fields: tuple[str, ...] = ("contractor_id", "operator_id", "type", "date_from", "date_to", "priority")
    fields += ("created_by_id", "updated_by_id")
    state: tuple[Any, ...] = ()
    try:
        with transaction.atomic():
            result = caretaker_add(
                actor=actor,
                contractor_ids=ids,
                operator_id=operator.pk,
                date_from=day(10),
                date_to=day(20),
                on_overlap=policy,
            )
            held = {r.contractor_id: r.assignment_id for r in result.results}
            state = (
                [(r.contractor_id, r.outcome, r.changes, r.conflicts) for r in result.results],
                sorted(CaretakerAssignment.objects.values_list(*fields)),
                sorted(CaretakerAssignment.history.values_list(*fields, "history_type")),
                sorted(
                    (cid, CaretakerAssignment.objects.filter(pk=pk).values_list(*fields).first())
                    for cid, pk in held.items()
                    if pk is not None
                ),
            )
            raise _Undo
    except _Undo:
        pass
    return state


def test_keep_writes_what_replace_writes_without_conflicts(
    actor: Any, selection: tuple[list[int], Operator]
) -> None:
    ids, operator = selection
    kept = _written(actor, ids, operator, "keep")
    replaced = _written(actor, ids, operator, "replace")
    assert kept == replaced
    outcomes = {cid: outcome for cid, outcome, _changes, _conflicts in kept[0]}
    assert [outcomes[i] for i in ids] == ["merged", "merged", "added", "added", "added"]
    # The extended rows keep their priorities and authors (read by id under KEEP).
    assert {(r[0], r[5]) for r in kept[1] if r[3] == day(1) or r[3] == day(10)} >= {(ids[0], 5), (ids[1], 3)}
