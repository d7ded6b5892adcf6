"""The read paths that integrations call per contractor stay a fixed, small number of
queries (bench/run.py measures them at a million contractors)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User

from opiekun.caretakers.models import Branch, CaretakerAssignment, CaretakerRole
from opiekun.caretakers.selectors import AssignmentFilters, assignment_list, caretaker_info
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator, Visibility

DAY = date(2030, 3, 1)


def _assign(
    contractor: Contractor, operator: Operator, role: CaretakerRole, kind: str, branch: Branch | None = None
) -> CaretakerAssignment:
    return CaretakerAssignment.objects.create(
        contractor=contractor,
        operator=operator,
        role=role,
        branch=branch,
        type=kind,
        date_from=date(2020, 1, 1),
    )


@pytest.fixture
def operators(make_operator: Callable[..., Operator]) -> list[Operator]:
    return [make_operator(f"care{i}") for i in range(3)]


def test_caretaker_info_takes_three_queries_however_many_scopes(
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
    # The contractor, its caretakers on the day, their absences (for the acting caretaker).
    with django_assert_num_queries(3):
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
