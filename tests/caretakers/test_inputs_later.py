"""The selection's check left to the write (`check_add`'s ``later``, `inputs.report_unfound`):
on SQLite, for an actor who may change every contractor, a KEEP or REPLACE of
`caretaker_add` counts only the contractors its scope read found no row of; the
errors are those of the check made first, raised before anything is written, and
with another field wrong too both are reported (docs/performance.md, "SQLite KEEP,
fourth round")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import caretaker_add
from opiekun.caretakers.services.inputs import FieldErrors, check_selection
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("coverage_rebuilt_after", "default_role")]

UNKNOWN = 987654


@pytest.fixture
def setting(
    actor: Any, make_contractors: Callable[[int], list[Contractor]], make_operator: Callable[..., Operator]
) -> tuple[list[int], Operator]:
    """Four contractors, the first two held by a main caretaker in the default scope."""
    ids = [c.pk for c in make_contractors(4)]
    holder, newcomer = make_operator(), make_operator()
    first = date(2030, 1, 1)
    caretaker_add(
        actor=actor, contractor_ids=ids[:2], operator_id=holder.pk, date_from=first, on_overlap="keep"
    )
    return ids, newcomer


def _add(actor: Any, ids: list[int], operator_id: object, policy: str, **kwargs: Any) -> Any:
    return caretaker_add(
        actor=actor,
        contractor_ids=ids,
        operator_id=operator_id,
        date_from=date(2030, 2, 1),
        date_to=date(2030, 2, 28),
        on_overlap=policy,
        **kwargs,
    )


def _checked_first(actor: Any, ids: list[int]) -> dict[str, list[str]]:
    errors = FieldErrors()
    with transaction.atomic():
        check_selection(errors, actor, ids, lock=True)
    return dict(errors.messages)


@pytest.mark.parametrize("policy", ["keep", "replace", "warn"])
@pytest.mark.parametrize("preview_only", [False, True])
@pytest.mark.parametrize(
    "pick",
    [
        lambda ids: [*ids, UNKNOWN],  # an unknown one beside contractors with rows and without
        lambda ids: [ids[0], UNKNOWN, UNKNOWN + 1],  # beside one with a row alone
        lambda ids: [UNKNOWN],
        lambda ids: [ids[2], UNKNOWN],  # beside one without rows alone
    ],
)
def test_the_errors_are_those_of_the_check_made_first(
    actor: Any, setting: tuple[list[int], Operator], policy: str, preview_only: bool, pick: Any
) -> None:
    ids, newcomer = setting
    selection = pick(ids)
    expected = _checked_first(actor, selection)
    assert str(UNKNOWN) in expected["contractor_ids"][0]
    before = CaretakerAssignment.history.count()
    seen: list[Any] = []
    with pytest.raises(ValidationError) as error:
        _add(actor, selection, newcomer.pk, policy, preview_only=preview_only, on_result=seen.append)
    assert error.value.message_dict == expected
    assert not seen
    assert not CaretakerAssignment.objects.filter(operator=newcomer).exists()
    assert CaretakerAssignment.history.count() == before


@pytest.mark.parametrize("policy", ["keep", "replace"])
def test_another_wrong_field_is_reported_with_the_selection(
    actor: Any, setting: tuple[list[int], Operator], policy: str
) -> None:
    ids, _newcomer = setting
    with pytest.raises(ValidationError) as error:
        _add(actor, [*ids, UNKNOWN], 999999, policy)
    assert set(error.value.message_dict) == {"operator_id", "contractor_ids"}
    expected = _checked_first(actor, [*ids, UNKNOWN])["contractor_ids"]
    assert error.value.message_dict["contractor_ids"] == expected


@pytest.mark.parametrize("policy", ["keep", "replace"])
def test_only_the_contractors_without_rows_are_counted(
    actor: Any, setting: tuple[list[int], Operator], policy: str
) -> None:
    ids, newcomer = setting
    with CaptureQueriesContext(connection) as queries:
        result = _add(actor, ids, newcomer.pk, policy)
    assert result.applied and result.total == 4
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "contractors_contractor"' in q["sql"]]
    if connection.features.has_select_for_update:  # PostgreSQL: the check locks the selection first
        assert "FOR UPDATE" in reads[0], reads
        return
    counts = [sql for sql in reads if sql.startswith("SELECT COUNT(*)")]
    # The first two have rows in the scope (a main of another operator): the others alone are counted.
    assert len(counts) == 1 and str(ids[2]) in counts[0] and str(ids[0]) not in counts[0], reads
    assert str(ids[1]) not in counts[0] and str(ids[3]) in counts[0], reads
