"""The read paths that integrations call per contractor stay a fixed, small number of
queries (bench/run.py measures them at a million contractors)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User

from opiekun.caretakers.acting import ActingReason
from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.selectors import AssignmentFilters, assignment_list, caretaker_info
from opiekun.contractors.models import Contractor
from opiekun.coverage.services import coverage_rebuild
from opiekun.operators.models import Absence, Operator, UnassignedAccess, Visibility
from tests.rows import assignment_row

DAY = date(2030, 3, 1)


def _assign(
    contractor: Contractor, operator: Operator, role: CaretakerRole, kind: str, branch: Branch | None = None
) -> CaretakerAssignment:
    return assignment_row(contractor, operator, date(2020, 1, 1), kind=kind, role=role, branch=branch)


@pytest.fixture
def operators(make_operator: Callable[..., Operator]) -> list[Operator]:
    return [make_operator(f"care{i}") for i in range(3)]


def test_caretaker_info_takes_one_query_however_many_scopes(
    actor: User,
    contractor: Contractor,
    operators: list[Operator],
    default_role: CaretakerRole,
    legal_role: CaretakerRole,
    branch: Branch,
    django_assert_num_queries: Any,
) -> None:
    main = _assign(contractor, operators[0], default_role, "main")
    deputy = _assign(contractor, operators[1], default_role, "deputy")
    _assign(contractor, operators[2], legal_role, "main")
    _assign(contractor, operators[1], legal_role, "main", branch)
    actor.operator  # noqa: B018 - load the viewer's profile outside the counted block
    # The contractor, its caretakers on the day and their absences (for the acting
    # caretaker) in one query.
    with django_assert_num_queries(1):
        info = caretaker_info(viewer=actor, contractor_id=contractor.pk, on=DAY)
    assert info.main == main and info.deputies == [deputy]
    assert len(info.by_role) == 3


def test_caretaker_info_without_a_default_role_caretaker_has_no_main(
    actor: User,
    contractor: Contractor,
    operators: list[Operator],
    default_role: CaretakerRole,
    legal_role: CaretakerRole,
) -> None:
    _assign(contractor, operators[0], legal_role, "main")
    info = caretaker_info(viewer=actor, contractor_id=contractor.pk, on=DAY)
    assert info.main is None and info.deputies == []
    legal = caretaker_info(viewer=actor, contractor_id=contractor.pk, on=DAY, role_id=legal_role.pk)
    assert legal.main is not None and legal.main.operator_id == operators[0].pk


def test_assignment_list_still_hides_what_an_own_only_viewer_may_not_see(
    make_operator: Callable[..., Operator],
    make_contractors: Callable[[int], list[Contractor]],
    operators: list[Operator],
    default_role: CaretakerRole,
) -> None:
    mine, other = make_contractors(2)
    viewer = make_operator("own", visibility=Visibility.OWN)
    _assign(mine, viewer, default_role, "deputy")
    _assign(other, operators[0], default_role, "main")
    everyone = assignment_list(viewer=operators[0].user, filters=AssignmentFilters())
    seen = assignment_list(viewer=viewer.user, filters=AssignmentFilters())
    assert {a.contractor_id for a in everyone} == {mine.pk, other.pk}
    assert {a.contractor_id for a in seen} == {mine.pk}


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_caretaker_info_builds_the_objects_the_orm_would(
    actor: User,
    contractor: Contractor,
    operators: list[Operator],
    default_role: CaretakerRole,
    legal_role: CaretakerRole,
    branch: Branch,
    django_assert_num_queries: Any,
) -> None:
    main = _assign(contractor, operators[0], default_role, "main")
    second = _assign(contractor, operators[1], default_role, "deputy")
    second.priority = 2
    second.save()
    first = _assign(contractor, operators[2], default_role, "deputy")
    first.priority = 1
    first.save()
    _assign(contractor, operators[2], legal_role, "main", branch)
    # The main caretaker away until the end of a second absence that follows the first
    # without a gap; the first deputy away too (on the day and later), so the second acts.
    for operator, start, end in (
        (operators[0], date(2030, 2, 20), date(2030, 3, 5)),
        (operators[0], date(2030, 3, 6), date(2030, 3, 12)),
        (operators[0], date(2030, 4, 1), date(2030, 4, 2)),
        (operators[0], date(2029, 1, 1), date(2029, 1, 2)),  # over before the day
        (operators[2], date(2030, 3, 1), date(2030, 3, 1)),
        (operators[2], date(2030, 5, 1), date(2030, 5, 3)),
    ):
        Absence.objects.create(operator=operator, date_from=start, date_to=end)
    actor.operator  # noqa: B018 - load the viewer's profile outside the counted block
    with django_assert_num_queries(1):
        info = caretaker_info(viewer=actor, contractor_id=str(contractor.pk), on=DAY)
        rows = [*(s.main for s in info.by_role), *(d for s in info.by_role for d in s.deputies)]
        names = [r.operator.display_name for r in rows if r is not None]  # no query either
    assert info.main == main and info.deputies == [first, second]
    assert info.acting.holder is not None and info.acting.holder.assignment_id == second.pk
    # until the first deputy, away on the day alone, is back (not the main's return, 03-12)
    assert info.acting.stands_in_for == operators[0].pk and info.acting.until == date(2030, 3, 1)
    assert info.acting.main_absent_until == date(2030, 3, 12)
    assert info.acting_assignment == second
    assert [(s.role_name, s.branch_name) for s in info.by_role] == [
        (default_role.name, None),
        (legal_role.name, branch.name),
    ]
    assert len(names) == 4
    assert _fields(info.contractor) == _fields(Contractor.objects.get(pk=contractor.pk))
    for row in rows:
        assert row is not None
        stored = CaretakerAssignment.objects.select_related("operator__user", "role", "branch").get(pk=row.pk)
        assert _fields(row) == _fields(stored)  # dates, aware times, numbers: as the ORM reads them
        assert _fields(row.operator) == _fields(stored.operator)
        assert _fields(row.operator.user) == _fields(stored.operator.user)
        assert _fields(row.role) == _fields(stored.role)
        assert row.branch is None if stored.branch is None else _fields(row.branch) == _fields(stored.branch)
        assert row.contractor is info.contractor


def test_caretaker_info_without_caretakers_or_visibility(
    make_operator: Callable[..., Operator],
    make_contractors: Callable[[int], list[Contractor]],
    operators: list[Operator],
    default_role: CaretakerRole,
    freeze_today: Callable[[date], None],
) -> None:
    freeze_today(DAY)
    mine, theirs, nobodys = make_contractors(3)
    own = make_operator("own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    _assign(mine, own, default_role, "deputy")
    _assign(theirs, operators[0], default_role, "main")
    coverage_rebuild()
    bare = caretaker_info(viewer=operators[0].user, contractor_id=nobodys.pk)
    assert bare.contractor == nobodys and bare.by_role == [] and bare.main is None
    assert bare.acting.reason == ActingReason.NONE

    assert caretaker_info(viewer=own.user, contractor_id=mine.pk).deputies[0].operator_id == own.pk
    for hidden in (theirs, nobodys):
        with pytest.raises(Contractor.DoesNotExist):
            caretaker_info(viewer=own.user, contractor_id=hidden.pk)
    # Contractors without a caretaker today: visible to an own-only operator allowed them.
    sees_unassigned = make_operator(
        "open", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.ALLOWED
    )
    assert caretaker_info(viewer=sees_unassigned.user, contractor_id=nobodys.pk).contractor == nobodys
    with pytest.raises(Contractor.DoesNotExist):
        caretaker_info(viewer=sees_unassigned.user, contractor_id=theirs.pk)
    with pytest.raises(Contractor.DoesNotExist):  # not seen: 404 before the unknown role's 422
        caretaker_info(viewer=own.user, contractor_id=theirs.pk, role_id=987_654)
    inactive = make_operator("gone", active=False)
    for viewer, wanted in ((inactive.user, mine.pk), (operators[0].user, 2**63), (operators[0].user, "x")):
        with pytest.raises(Contractor.DoesNotExist):
            caretaker_info(viewer=viewer, contractor_id=wanted)
