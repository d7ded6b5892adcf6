"""Absences: the services (checks, permissions, audit), who sees which, and the
database refusing overlapping absences of one operator whatever path the write takes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.operators.absences import (
    AbsenceFilters,
    absence_create,
    absence_delete,
    absence_get,
    absence_list,
    absence_update,
)
from opiekun.operators.models import Absence, Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db

JUL1, JUL10, JUL5, JUL20 = date(2030, 7, 1), date(2030, 7, 10), date(2030, 7, 5), date(2030, 7, 20)


@pytest.fixture
def anna(make_operator: Callable[..., Operator]) -> Operator:
    return make_operator("anna")


@pytest.fixture
def manager(make_operator: Callable[..., Operator]) -> Operator:
    op = make_operator("kadry", can_assign=False)
    op.can_manage_absences = True
    op.save()
    return op


def test_an_operator_enters_their_own_absence_and_it_is_audited(anna: Operator) -> None:
    absence = absence_create(
        actor=anna.user, operator_id=anna.pk, date_from="01.07.2030", date_to="2030-07-10", kind="sick_leave"
    )
    assert (absence.date_from, absence.date_to, absence.kind) == (JUL1, JUL10, "sick_leave")
    absence_update(actor=anna.user, absence_id=absence.pk, note="L4")
    absence_delete(actor=anna.user, absence_id=absence.pk)
    trail = list(Absence.history.filter(id=absence.pk).order_by("history_date", "history_id"))
    assert [(h.history_type, h.history_user_id, h.history_change_reason) for h in trail] == [
        ("+", anna.user.pk, "absence_create"),
        ("~", anna.user.pk, "absence_update"),
        ("-", anna.user.pk, "absence_delete"),
    ]
    assert trail[1].note == "L4"


def test_someone_elses_absence_needs_the_permission(
    anna: Operator, manager: Operator, make_operator: Callable[..., Operator]
) -> None:
    bartek = make_operator("bartek")
    with pytest.raises(PermissionDenied):
        absence_create(actor=bartek.user, operator_id=anna.pk, date_from=JUL1, date_to=JUL10)
    absence = absence_create(actor=manager.user, operator_id=anna.pk, date_from=JUL1, date_to=JUL10)
    with pytest.raises(PermissionDenied):
        absence_update(actor=bartek.user, absence_id=absence.pk, note="x")
    with pytest.raises(PermissionDenied):
        absence_delete(actor=bartek.user, absence_id=absence.pk)
    with pytest.raises(PermissionDenied):  # moving one's own absence onto someone else
        own = absence_create(actor=bartek.user, operator_id=bartek.pk, date_from=JUL1, date_to=JUL1)
        absence_update(actor=bartek.user, absence_id=own.pk, operator_id=anna.pk)
    assert Absence.objects.filter(operator=anna).count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"date_from": JUL10, "date_to": JUL1}, "date_to"),
        ({"date_from": "32.07.2030", "date_to": JUL1}, "date_from"),
        ({"date_from": JUL1, "date_to": None}, "date_to"),
        ({"date_from": JUL1, "date_to": JUL10, "kind": "holiday"}, "kind"),
        ({"date_from": JUL1, "date_to": JUL10, "note": "x" * 501}, "note"),
        ({"date_from": JUL1, "date_to": JUL10, "operator_id": 999999}, "operator_id"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(
    manager: Operator, anna: Operator, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        absence_create(actor=manager.user, **{"operator_id": anna.pk, **values})
    assert field in error.value.message_dict
    assert not Absence.objects.exists()


def test_an_overlapping_absence_is_refused_naming_the_other_in_the_users_format(anna: Operator) -> None:
    absence_create(actor=anna.user, operator_id=anna.pk, date_from=JUL1, date_to=JUL10)
    with translation.override("pl"), pytest.raises(ValidationError) as error:
        absence_create(actor=anna.user, operator_id=anna.pk, date_from=JUL5, date_to=JUL20)
    assert error.value.message_dict["date_from"] == [
        "Anna Tester ma już wtedy nieobecność: urlop, 01.07.2030 – 10.07.2030."
    ]
    with translation.override("en"), pytest.raises(ValidationError) as error:
        absence_create(actor=anna.user, operator_id=anna.pk, date_from=JUL10, date_to=JUL10)
    assert "2030-07-01 – 2030-07-10" in error.value.message_dict["date_from"][0]
    # Touching is not overlapping; moving an absence over itself is not either.
    after = absence_create(actor=anna.user, operator_id=anna.pk, date_from=date(2030, 7, 11), date_to=JUL20)
    absence_update(actor=anna.user, absence_id=after.pk, date_from=date(2030, 7, 12))
    assert Absence.objects.count() == 2


def test_an_absence_moved_to_an_operator_away_then_is_refused_on_the_operator(
    anna: Operator, manager: Operator, make_operator: Callable[..., Operator]
) -> None:
    """The dates were fine where they were: it is the operator chosen that clashes (the
    clash was reported on date_from, which the user had not touched)."""
    bartek = make_operator("bartek")
    absence_create(actor=bartek.user, operator_id=bartek.pk, date_from=JUL1, date_to=JUL10)
    own = absence_create(actor=anna.user, operator_id=anna.pk, date_from=JUL5, date_to=JUL20)
    with pytest.raises(ValidationError) as error:
        absence_update(actor=manager.user, absence_id=own.pk, operator_id=bartek.pk)
    assert list(error.value.message_dict) == ["operator_id"]
    with pytest.raises(ValidationError) as error:  # the dates changed too: on the dates
        absence_update(actor=manager.user, absence_id=own.pk, operator_id=bartek.pk, date_from=JUL10)
    assert list(error.value.message_dict) == ["date_from"]
    assert Absence.objects.get(pk=own.pk).operator_id == anna.pk


def test_an_own_only_operator_sees_own_absences_and_those_of_caretakers_of_contractors_they_see(
    make_operator: Callable[..., Operator],
    contractor: Contractor,
    default_role: CaretakerRole,
    anna: Operator,
) -> None:
    own_only = make_operator("olek", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    stranger = make_operator("zenon")
    colleague = make_operator("celina")
    for op in (own_only, colleague):
        CaretakerAssignment.objects.create(
            contractor=contractor, operator=op, role=default_role, type="deputy", date_from=date(2020, 1, 1)
        )
    mine = Absence.objects.create(operator=own_only, date_from=JUL1, date_to=JUL1)
    theirs = Absence.objects.create(operator=colleague, date_from=JUL1, date_to=JUL1)
    hidden = Absence.objects.create(operator=stranger, date_from=JUL1, date_to=JUL1)
    assert set(absence_list(viewer=own_only.user)) == {mine, theirs}
    with pytest.raises(Absence.DoesNotExist):
        absence_get(viewer=own_only.user, absence_id=hidden.pk)
    assert set(absence_list(viewer=anna.user)) == {mine, theirs, hidden}  # sees all contractors
    assert list(absence_list(viewer=anna.user, filters=AbsenceFilters(operator_id=stranger.pk))) == [hidden]
    assert not absence_list(viewer=anna.user, filters=AbsenceFilters(date_from=date(2030, 7, 2))).exists()


# --- the database itself --------------------------------------------------------------


def _raw_insert(operator: Operator, start: date, end: date) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO operators_absence (operator_id, date_from, date_to, kind, note, created_at,"
            " updated_at) VALUES (%s, %s, %s, 'vacation', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [operator.pk, start, end],
        )


@pytest.mark.parametrize(
    ("start", "end"),
    [(JUL5, JUL20), (JUL10, JUL10), (date(2030, 6, 1), JUL1), (date(2030, 6, 1), date(2030, 8, 1))],
)
def test_the_database_refuses_overlapping_absences_of_one_operator(
    anna: Operator, start: date, end: date
) -> None:
    _raw_insert(anna, JUL1, JUL10)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_insert(anna, start, end)
    later = Absence.objects.create(operator=anna, date_from=date(2030, 9, 1), date_to=date(2030, 9, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        Absence.objects.filter(pk=later.pk).update(date_from=start, date_to=end)
    assert Absence.objects.count() == 2


def test_the_database_lets_adjacent_absences_and_other_operators_through(
    anna: Operator, make_operator: Callable[..., Operator]
) -> None:
    _raw_insert(anna, JUL1, JUL10)
    _raw_insert(anna, date(2030, 7, 11), JUL20)
    _raw_insert(make_operator("bartek"), JUL1, JUL10)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_insert(anna, JUL20, JUL10)  # ends before it starts
    assert Absence.objects.count() == 3
