"""Contractor writes: validation (NIP, REGON, unknown fields), permissions and
visibility, and deletion that takes the assignments along on the record."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.contractors.services import contractor_create, contractor_delete, contractor_update
from opiekun.operators.models import UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_auto_caretaker(settings: Any) -> None:
    settings.CREATOR_BECOMES_CARETAKER = False


def test_create_normalises_numbers(actor: Any) -> None:
    created = contractor_create(
        actor=actor,
        code=" K1 ",
        name="Firma",
        nip="PL 526-025-02-74",
        regon="192598184",
        email="biuro@firma.pl",
        active=True,
    )
    assert (created.code, created.nip, created.regon) == ("K1", "5260250274", "192598184")
    assert created.created_by == actor
    assert Contractor.history.filter(id=created.pk, history_user=actor).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"nip": "1234567890"}, "nip"),
        ({"regon": "123"}, "regon"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"name": 5}, "name"),
        ({"active": "yes"}, "active"),
        ({"colour": "red"}, "colour"),
        ({"code": "TAKEN"}, "code"),
        ({"code": "x" * 41}, "code"),
    ],
)
def test_create_validates(data: dict[str, Any], field: str, actor: Any) -> None:
    Contractor.objects.create(code="TAKEN", name="Zajęta")
    with pytest.raises(ValidationError) as error:
        contractor_create(actor=actor, **{"code": "NEW", "name": "Nowa", **data})
    assert field in error.value.message_dict
    assert not Contractor.objects.filter(code="NEW").exists()


def test_every_wrong_field_is_named_at_once(actor: Any) -> None:
    """A wrong NIP does not hide a taken code or a wrong e-mail: one answer names them all."""
    Contractor.objects.create(code="TAKEN", name="Zajęta")
    with pytest.raises(ValidationError) as error:
        contractor_create(
            actor=actor, code="TAKEN", name="", nip="1234567890", regon="123", email="x@", phone="1" * 41
        )
    assert set(error.value.message_dict) == {"code", "name", "nip", "regon", "email", "phone"}
    assert Contractor.objects.count() == 1


def test_only_operators_write(contractor: Contractor) -> None:
    plain = User.objects.create_user("plain", password="x")
    with pytest.raises(PermissionDenied):
        contractor_create(actor=plain, code="X", name="X")
    with pytest.raises(PermissionDenied):
        contractor_update(actor=plain, contractor_id=contractor.pk, name="Y")
    with pytest.raises(PermissionDenied):
        contractor_delete(actor=plain, contractor_id=contractor.pk)


def test_update(actor: Any, contractor: Contractor) -> None:
    contractor_update(actor=actor, contractor_id=str(contractor.pk), name="Nowa nazwa", nip="")
    contractor.refresh_from_db()
    assert contractor.name == "Nowa nazwa"
    with pytest.raises(ValidationError):
        contractor_update(actor=actor, contractor_id=contractor.pk, nip="999")
    with pytest.raises(Contractor.DoesNotExist):
        contractor_update(actor=actor, contractor_id="abc", name="X")


def test_visibility_governs_writes(make_operator: Any, make_contractors: Any) -> None:
    reader = make_operator("reader", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY)
    other = make_operator("other")
    free, taken = make_contractors(2)
    CaretakerAssignment.objects.create(
        contractor=taken,
        operator=other,
        type="main",
        role=CaretakerRole.objects.get(is_default=True),
        date_from=date(2000, 1, 1),
    )
    with pytest.raises(PermissionDenied):
        contractor_update(actor=reader.user, contractor_id=free.pk, name="X")
    with pytest.raises(Contractor.DoesNotExist):
        contractor_update(actor=reader.user, contractor_id=taken.pk, name="X")
    with pytest.raises(Contractor.DoesNotExist):
        contractor_delete(actor=reader.user, contractor_id=taken.pk)
    assert Contractor.objects.filter(pk=taken.pk).exists()


def test_delete_takes_assignments_along_on_the_record(
    actor: Any, contractor: Contractor, make_operator: Any
) -> None:
    operator = make_operator("care")
    row = CaretakerAssignment.objects.create(
        contractor=contractor,
        operator=operator,
        type="main",
        role=CaretakerRole.objects.get(is_default=True),
        date_from=date(2025, 1, 1),
    )
    contractor_delete(actor=actor, contractor_id=contractor.pk)
    assert not Contractor.objects.filter(pk=contractor.pk).exists()
    assert not CaretakerAssignment.objects.filter(pk=row.pk).exists()
    gone = CaretakerAssignment.history.filter(id=row.pk, history_type="-").get()
    assert gone.history_user == actor and gone.history_change_reason == "contractor_delete"
    assert Contractor.history.filter(id=contractor.pk, history_type="-", history_user=actor).exists()


def test_deleting_a_contractor_with_caretakers_needs_the_assign_permission(
    contractor: Contractor, make_operator: Any
) -> None:
    clerk = make_operator("clerk", can_assign=False)
    row = CaretakerAssignment.objects.create(
        contractor=contractor,
        operator=make_operator("colleague"),
        type="main",
        role=CaretakerRole.objects.get(is_default=True),
        date_from=date(2020, 1, 1),
        date_to=date(2020, 12, 31),  # even an ended one: deleting it erases history
    )
    with pytest.raises(PermissionDenied):
        contractor_delete(actor=clerk.user, contractor_id=contractor.pk)
    assert Contractor.objects.filter(pk=contractor.pk).exists()
    assert CaretakerAssignment.objects.filter(pk=row.pk).exists()
    assert not CaretakerAssignment.history.filter(id=row.pk, history_type="-").exists()


def test_a_contractor_without_caretakers_is_deleted_without_the_assign_permission(
    contractor: Contractor, make_operator: Any
) -> None:
    clerk = make_operator("clerk", can_assign=False)
    contractor_delete(actor=clerk.user, contractor_id=contractor.pk)
    assert not Contractor.objects.filter(pk=contractor.pk).exists()
    assert Contractor.history.filter(id=contractor.pk, history_type="-", history_user=clerk.user).exists()


def test_creator_without_operator_profile_gets_no_assignment(settings: Any) -> None:
    settings.CREATOR_BECOMES_CARETAKER = True
    root = User.objects.create_superuser("root", password="x")
    created = contractor_create(actor=root, code="R1", name="Root's")
    assert not CaretakerAssignment.objects.filter(contractor=created).exists()


@pytest.mark.parametrize(
    ("nip", "reason_pl", "reason_en"),
    [
        ("123", "niepoprawna liczba cyfr", "wrong number of digits"),
        ("1234567890", "niepoprawna cyfra kontrolna", "the check digit is wrong"),
        ("12345abc90", "dozwolone są tylko cyfry", "only digits are allowed"),
    ],
)
def test_nip_errors_speak_the_users_language(nip: str, reason_pl: str, reason_en: str) -> None:
    from django.utils import translation

    from opiekun.contractors.services import normalize_nip

    for language, reason in (("pl", reason_pl), ("en", reason_en)):
        with translation.override(language), pytest.raises(ValidationError) as error:
            normalize_nip(nip)
        assert error.value.message_dict["nip"][0].endswith(reason)
