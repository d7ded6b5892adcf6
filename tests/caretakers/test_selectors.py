"""Reads on assignments (docs/semantics.md, "Reading"): Kontrahenci wg opiekuna both ways round, its
filters, caretakers on a day, the history, caretaker info; always visibility-bound."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.selectors import (
    AssignmentFilters,
    assignment_get,
    assignment_list,
    caretaker_history,
    caretaker_info,
)
from opiekun.contractors.models import Contractor
from opiekun.operators.models import UnassignedAccess, Visibility
from tests.rows import assignment_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(
    make_operator: Any, make_contractors: Any, legal_role: CaretakerRole, branch: Branch
) -> dict[str, Any]:
    anna, bartek = make_operator("anna"), make_operator("bartek")
    c1, c2, c3 = make_contractors(3)
    rows = {
        "a_c1_2024": assignment_row(c1, anna, date(2024, 1, 1), date(2024, 12, 31)),
        "b_c1_2025": assignment_row(c1, bartek, date(2025, 1, 1)),
        "a_c1_dep": assignment_row(c1, anna, date(2025, 1, 1), date(2025, 6, 30), kind="deputy"),
        "a_c2_legal": assignment_row(c2, anna, date(2025, 3, 1), date(2025, 3, 31), role=legal_role),
        "b_c2_branch": assignment_row(c2, bartek, date(2025, 2, 1), date(2025, 2, 28), branch=branch),
        "a_c3_open": assignment_row(c3, anna, date(2023, 5, 1)),
    }
    return {"anna": anna, "bartek": bartek, "c1": c1, "c2": c2, "c3": c3, **rows}


def keys(data: dict[str, Any], rows: Any) -> set[str]:
    by_pk = {v.pk: k for k, v in data.items() if isinstance(v, CaretakerAssignment)}
    return {by_pk[r.pk] for r in rows}


def listed(data: dict[str, Any], actor: Any, **filters: Any) -> set[str]:
    return keys(data, assignment_list(viewer=actor, filters=AssignmentFilters(**filters)))


def test_contractors_by_caretaker_in_a_period(data: dict[str, Any], actor: Any) -> None:
    anna = data["anna"].pk
    assert listed(data, actor, operator_id=anna) == {"a_c1_2024", "a_c1_dep", "a_c2_legal", "a_c3_open"}
    assert listed(data, actor, operator_id=anna, date_from=date(2025, 1, 1)) == {
        "a_c1_dep",
        "a_c2_legal",
        "a_c3_open",
    }
    assert listed(data, actor, operator_id=anna, date_to=date(2024, 12, 31)) == {"a_c1_2024", "a_c3_open"}
    # A period touching the edges of assignments includes them (both ends inclusive).
    assert listed(data, actor, operator_id=anna, date_from=date(2024, 12, 31), date_to=date(2025, 1, 1)) == {
        "a_c1_2024",
        "a_c1_dep",
        "a_c3_open",
    }
    assert listed(data, actor, operator_id=anna, date_from=date(2025, 7, 1), date_to=date(2025, 7, 31)) == {
        "a_c3_open"
    }
    row = assignment_list(
        viewer=actor,
        filters=AssignmentFilters(
            operator_id=anna,
            date_from=date(2025, 3, 15),
            date_to=date(2025, 3, 15),
            role_id=data["a_c2_legal"].role_id,
        ),
    ).get()
    assert (row.date_from, row.date_to) == (date(2025, 3, 1), date(2025, 3, 31))  # its own dates


def test_caretakers_of_a_contractor_in_a_period(data: dict[str, Any], actor: Any) -> None:
    c1 = data["c1"].pk
    assert listed(data, actor, contractor_id=c1, date_from=date(2024, 6, 1), date_to=date(2024, 6, 30)) == {
        "a_c1_2024"
    }
    assert listed(data, actor, contractor_id=c1, date_from=date(2025, 7, 1), date_to=None) == {"b_c1_2025"}


def test_filters(data: dict[str, Any], actor: Any, legal_role: CaretakerRole, branch: Branch) -> None:
    assert listed(data, actor, type=AssignmentType.DEPUTY) == {"a_c1_dep"}
    assert listed(data, actor, role_id=legal_role.pk) == {"a_c2_legal"}
    assert listed(data, actor, branch_id=branch.pk) == {"b_c2_branch"}
    assert listed(data, actor, on=date(2025, 3, 31)) == {"b_c1_2025", "a_c1_dep", "a_c2_legal", "a_c3_open"}
    assert listed(data, actor, on=date(2025, 2, 1), contractor_id=data["c2"].pk) == {"b_c2_branch"}


@pytest.mark.parametrize(
    "ordering",
    [
        "date_from",
        "-date_from",
        "date_to",
        "-date_to",
        "contractor",
        "-operator",
        "type",
        "role",
        "id",
        "-id",
        "nonsense",
    ],
)
def test_orderings_are_total(data: dict[str, Any], actor: Any, ordering: str) -> None:
    rows = list(assignment_list(viewer=actor, filters=AssignmentFilters(ordering=ordering)))
    assert len(rows) == 6
    if ordering == "date_from":
        assert [r.date_from for r in rows] == sorted(r.date_from for r in rows)
    if ordering in ("date_to", "-date_to"):
        ends = [r.date_to or date.max for r in rows]
        assert ends == sorted(ends, reverse=ordering.startswith("-"))
    if ordering == "-id":
        assert [r.pk for r in rows] == sorted((r.pk for r in rows), reverse=True)


def test_visibility_applies(data: dict[str, Any], make_operator: Any) -> None:
    own = make_operator("own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    assignment_row(data["c3"], own, date(2000, 1, 1), kind="deputy")
    assert {r.contractor_id for r in assignment_list(viewer=own.user, filters=AssignmentFilters())} == {
        data["c3"].pk
    }
    with pytest.raises(CaretakerAssignment.DoesNotExist):
        assignment_get(viewer=own.user, assignment_id=data["b_c1_2025"].pk)
    with pytest.raises(Contractor.DoesNotExist):
        caretaker_history(viewer=own.user, contractor_id=data["c1"].pk)
    assert assignment_get(viewer=own.user, assignment_id=data["a_c3_open"].pk).pk == data["a_c3_open"].pk


@pytest.mark.parametrize("bad", ["x", None, 10**30, float("inf")])
def test_unknown_ids(bad: Any, actor: Any) -> None:
    with pytest.raises(CaretakerAssignment.DoesNotExist):
        assignment_get(viewer=actor, assignment_id=bad)
    with pytest.raises(Contractor.DoesNotExist):
        caretaker_history(viewer=actor, contractor_id=bad)


def test_caretaker_info_on_a_day_and_today(
    data: dict[str, Any], actor: Any, freeze_today: Callable[[date], None]
) -> None:
    on = caretaker_info(viewer=actor, contractor_id=data["c1"].pk, on=date(2025, 3, 1))
    assert on.main is not None and on.main.pk == data["b_c1_2025"].pk
    assert [r.pk for r in on.deputies] == [data["a_c1_dep"].pk]
    freeze_today(date(2024, 5, 5))
    now = caretaker_info(viewer=actor, contractor_id=data["c1"].pk)
    assert now.on == date(2024, 5, 5) and now.main is not None and now.main.pk == data["a_c1_2024"].pk


def test_history_newest_first(data: dict[str, Any], actor: Any) -> None:
    history = [r.pk for r in caretaker_history(viewer=actor, contractor_id=data["c1"].pk)]
    assert history[-1] == data["a_c1_2024"].pk
    assert set(history[:2]) == {data["b_c1_2025"].pk, data["a_c1_dep"].pk}
    assert history[0] == max(data["b_c1_2025"].pk, data["a_c1_dep"].pk)  # same day: newest row first


def test_caretaker_info(data: dict[str, Any], actor: Any, legal_role: CaretakerRole, branch: Branch) -> None:
    info = caretaker_info(viewer=actor, contractor_id=data["c1"].pk, on=date(2025, 3, 1))
    assert info.main is not None and info.main.pk == data["b_c1_2025"].pk
    assert [d.pk for d in info.deputies] == [data["a_c1_dep"].pk]
    assert len(info.by_role) == 1 and info.on == date(2025, 3, 1)

    c2 = data["c2"].pk
    info = caretaker_info(viewer=actor, contractor_id=c2, on=date(2025, 3, 10))
    assert info.main is None and info.deputies == []  # nothing in the default role
    assert [(s.role_id, s.main and s.main.pk) for s in info.by_role] == [
        (legal_role.pk, data["a_c2_legal"].pk)
    ]
    legal = caretaker_info(viewer=actor, contractor_id=c2, on=date(2025, 3, 10), role_id=legal_role.pk)
    assert legal.main is not None and legal.main.pk == data["a_c2_legal"].pk
    in_branch = caretaker_info(viewer=actor, contractor_id=c2, on=date(2025, 2, 10), branch_id=branch.pk)
    assert in_branch.main is not None and in_branch.main.pk == data["b_c2_branch"].pk
    assert caretaker_info(viewer=actor, contractor_id=c2, on=date(2025, 2, 10)).main is None
