"""The refresh of a known write (`coverage.changed.refresh_changed`): where nobody of
the written scopes is away, the acting gaps are the main gaps, and their difference is
computed once for both tables (`rows_changed`, `as_updates`), each table written by
its own statements; with someone away each table's is computed. Either way the tables
hold what a recomputation gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User

from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.services import contractor_create
from opiekun.coverage import changed
from opiekun.coverage.models import ActingGap, CoverageGap
from opiekun.coverage.services import coverage_recompute, coverage_stored
from opiekun.coverage.tables import as_updates
from opiekun.coverage.untouched import rows_changed
from opiekun.operators.absences import absence_create

pytestmark = pytest.mark.django_db

D = date(2025, 3, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


@pytest.mark.parametrize("away", [False, True])
def test_the_acting_gaps_share_the_main_gaps_difference(
    make_operator: Any, actor: Any, monkeypatch: pytest.MonkeyPatch, away: bool
) -> None:
    first, newcomer = make_operator(), make_operator()
    ids = [contractor_create(actor=actor, code=f"K{i}", name=f"Firma {i}").pk for i in range(3)]

    def add(operator: Any, start: int, end: int) -> None:
        caretaker_add(
            actor=actor,
            contractor_ids=ids,
            operator_id=operator.pk,
            date_from=day(start),
            date_to=day(end),
            on_overlap="keep",
        )

    add(first, 0, 9)
    if away:
        chief = User.objects.create(username="chief", is_superuser=True, is_staff=True)
        absence_create(actor=chief, operator_id=first.pk, date_from=day(2), date_to=day(4))
    compared: list[int] = []
    split: list[int] = []

    def counted(calls: list[int], function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(changed, "rows_changed", counted(compared, rows_changed))
    monkeypatch.setattr(changed, "as_updates", counted(split, as_updates))
    add(newcomer, 20, 30)  # the gap after the first main split in two, in every contractor
    # gaps, uncovered periods, acting gaps: the last computed apart only with someone away
    assert (len(compared), len(split)) == ((3, 3) if away else (2, 2))
    assert coverage_stored() == coverage_recompute()
    gaps = sorted(CoverageGap.objects.values_list("contractor_id", "date_from", "date_to"))
    assert len(gaps) == 3 * 3  # before the first, between the two, after the second
    acting = sorted(ActingGap.objects.values_list("contractor_id", "date_from", "date_to"))
    assert (acting == gaps) is not away  # the absence opens acting gaps of its own
