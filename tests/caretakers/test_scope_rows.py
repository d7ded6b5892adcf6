"""Dodaj opiekuna's scope rows: `scope_values` (the plain values the write decides from)
reads exactly the rows of `scope_rows` (the queryset the WARN preview reads), with the
same values, on either engine: null and set branches, other roles, open-ended rows and
periods, rows ending or starting a day off the period's edges (touching) and two days
off (not)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.rules import TYPE_OF, AssignmentType, OverlapPolicy, Proposal
from opiekun.caretakers.rules_each import decide_each
from opiekun.caretakers.services.changes import AssignmentRow
from opiekun.caretakers.services.scope_rows import (
    scope_rows,
    scope_slots,
    scope_values,
    stored_by_id,
    stored_row,
)
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator
from opiekun.periods import Period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("coverage_rebuilt_after")]


def day(n: int) -> date:
    return date(2030, 1, n)


# name: (contractor index, operator index, type, role ("default"/"legal"), branch?, first day, last day)
ROWS: dict[str, tuple[int, int, str, str, bool, date, date | None]] = {
    "ends_two_days_before": (0, 0, "deputy", "default", False, day(1), day(8)),
    "ends_the_day_before": (0, 1, "main", "default", False, day(2), day(9)),
    "inside": (0, 2, "main", "default", False, day(12), day(15)),
    "starts_the_day_after": (0, 0, "main", "default", False, day(21), day(25)),
    "starts_two_days_after": (0, 1, "deputy", "default", False, day(22), None),
    "deputy_open_since_before": (0, 3, "deputy", "default", False, day(1), None),
    "branch_row": (0, 0, "main", "default", True, day(10), day(20)),
    "branch_open_row": (0, 1, "deputy", "default", True, day(3), None),
    "legal_row": (0, 2, "main", "legal", False, day(5), day(30)),
    "other_contractor": (1, 0, "main", "default", False, day(10), None),
    "not_selected": (2, 0, "main", "default", False, day(10), None),
}


@pytest.fixture
def stored(
    actor: Any,
    make_contractors: Callable[[int], list[Contractor]],
    make_operator: Callable[..., Operator],
    default_role: CaretakerRole,
    legal_role: CaretakerRole,
    branch: Branch,
) -> tuple[list[Contractor], dict[str, int | None], dict[str, int]]:
    contractors = make_contractors(3)
    operators = [make_operator() for _ in range(4)]
    roles = {"default": default_role, "legal": legal_role}
    ids: dict[str, int] = {}
    for name, (c, o, kind, role, in_branch, start, end) in ROWS.items():
        ids[name] = CaretakerAssignment.objects.create(
            contractor=contractors[c],
            operator=operators[o],
            type=kind,
            role=roles[role],
            branch=branch if in_branch else None,
            date_from=start,
            date_to=end,
            priority=o,
            created_by=actor,
            updated_by=actor,
        ).pk
    scopes: dict[str, int | None] = {
        "default": default_role.pk,
        "legal": legal_role.pk,
        "branch": branch.pk,
        "none": None,
    }
    return contractors, scopes, ids


def _as_values(row: CaretakerAssignment) -> tuple[Any, ...]:
    return (
        row.pk,
        row.contractor_id,
        row.operator_id,
        row.type,
        row.role_id,
        row.branch_id,
        Period(row.date_from, row.date_to),
        row.priority,
        row.created_by_id,
        row.updated_by_id,
    )


CASES = [
    # (role, branch, period, the rows it must find)
    (
        "default",
        "none",
        Period(day(10), day(20)),
        {
            "ends_the_day_before",
            "inside",
            "starts_the_day_after",
            "deputy_open_since_before",
            "other_contractor",
        },
    ),
    (
        "default",
        "none",
        Period(day(10), None),
        {
            "ends_the_day_before",
            "inside",
            "starts_the_day_after",
            "starts_two_days_after",
            "deputy_open_since_before",
            "other_contractor",
        },
    ),
    ("default", "branch", Period(day(22), day(23)), {"branch_open_row"}),
    ("default", "branch", Period(day(2), day(2)), {"branch_open_row"}),
    ("default", "branch", Period(day(1), day(1)), set()),
    ("legal", "none", Period(day(31), None), {"legal_row"}),
    ("legal", "none", Period(day(1), day(3)), set()),
    (
        "default",
        "none",
        Period(date.min, None),
        {
            "ends_two_days_before",
            "ends_the_day_before",
            "inside",
            "starts_the_day_after",
            "starts_two_days_after",
            "deputy_open_since_before",
            "other_contractor",
        },
    ),
]


@pytest.mark.parametrize(("role_key", "branch_key", "period", "expected"), CASES)
def test_scope_values_reads_exactly_the_rows_of_scope_rows(
    stored: tuple[list[Contractor], dict[str, Any], dict[str, int]],
    role_key: str,
    branch_key: str,
    period: Period,
    expected: set[str],
) -> None:
    contractors, scopes, ids = stored
    selected = [contractors[0].pk, contractors[1].pk]
    rows = list(scope_rows(scopes[role_key], scopes[branch_key], period, selected))
    values = scope_values(scopes[role_key], scopes[branch_key], period, selected)
    assert {ids[name] for name in expected} == {row.pk for row in rows}
    assert sorted(values) == [_as_values(row) for row in rows]  # scope_rows: by id


@pytest.mark.parametrize(
    ("operator", "kind"), [(0, "main"), (1, "main"), (1, "deputy"), (3, "deputy"), (2, "main")]
)
@pytest.mark.parametrize("policy", list(OverlapPolicy))
@pytest.mark.parametrize("period", [Period(day(10), day(20)), Period(day(10), None), Period(day(9), day(9))])
def test_the_decisive_rows_alone_give_the_same_plans(
    stored: tuple[list[Contractor], dict[str, Any], dict[str, int]],
    operator: int,
    kind: str,
    policy: OverlapPolicy,
    period: Period,
) -> None:
    """Reading a proposal's `decisive` rows alone leaves out only rows of other
    operators that are not mains (when it is a main: any of theirs, when a deputy),
    and `decide_each` plans alike from those as from every row of the scope."""
    contractors, scopes, _ids = stored
    selected = [c.pk for c in contractors]
    operator_id = CaretakerAssignment.objects.filter(priority=operator).values_list("operator_id", flat=True)[
        0
    ]
    proposal = Proposal(operator_id, AssignmentType(kind), period)
    every = scope_values(scopes["default"], None, period, selected)
    decisive = scope_values(scopes["default"], None, period, selected, proposal=proposal)
    main = kind == "main"
    assert sorted(decisive) == sorted(v for v in every if v[2] == operator_id or (main and v[3] == "main"))
    assert len(decisive) < len(every)

    def plans(values: list[Any]) -> dict[int, Any]:
        return decide_each(
            selected, ((v[0], v[1], v[2], TYPE_OF[v[3]], v[6]) for v in values), proposal, policy
        )

    assert plans(decisive) == plans(every)


@pytest.mark.parametrize(("operator", "kind"), [(0, "main"), (1, "deputy"), (3, "deputy")])
@pytest.mark.parametrize(("role_key", "branch_key", "period", "expected"), CASES)
def test_scope_slots_are_the_decisive_values_as_rows(
    stored: tuple[list[Contractor], dict[str, Any], dict[str, int]],
    role_key: str,
    branch_key: str,
    period: Period,
    expected: set[str],
    operator: int,
    kind: str,
) -> None:
    """KEEP's read of the decision's columns alone (`scope_slots`) gives `decide_each`
    the rows the full read (`scope_values`) gives it, and `stored_by_id` gives the
    writer each of those rows as `stored_row` makes it of the full read."""
    contractors, scopes, _ids = stored
    selected = [c.pk for c in contractors]
    operator_id = CaretakerAssignment.objects.filter(priority=operator).values_list("operator_id", flat=True)[
        0
    ]
    proposal = Proposal(operator_id, AssignmentType(kind), period)
    scope = (scopes[role_key], scopes[branch_key], period, selected)
    values = scope_values(*scope, proposal=proposal)
    slots = scope_slots(*scope, proposal=proposal)
    assert sorted(slots) == sorted((v[0], v[1], v[2], TYPE_OF[v[3]], v[6]) for v in values)
    assert all(type(s[3]) is AssignmentType for s in slots)

    def fields(row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, name) for name in AssignmentRow.__slots__)

    by_id = stored_by_id({v[0] for v in values})
    assert {pk: fields(row) for pk, row in by_id.items()} == {v[0]: fields(stored_row(v)) for v in values}
    assert stored_by_id(set()) == {}
