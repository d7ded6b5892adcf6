"""Contractor search and filters (docs/semantics.md, "Reading"; docs/api.md), through visibility."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from opiekun.caretakers.models import CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import (
    caretakers_today,
    contractor_get,
    contractor_list,
    contractor_list_count,
    with_caretakers_today,
)
from opiekun.operators.models import UnassignedAccess, Visibility
from tests.rows import assignment_row

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)


@pytest.fixture(autouse=True)
def fixed_today(freeze_today: Callable[[date], None]) -> None:
    freeze_today(TODAY)


@pytest.fixture
def firms(make_operator: Any) -> dict[str, Any]:
    anna, bartek = make_operator("anna"), make_operator("bartek")
    bartek.user.last_name = "Zielinski"
    bartek.user.save()
    anna.user.last_name = "Adamska"
    anna.user.save()
    acme = Contractor.objects.create(code="ACME", name="Acme Sp. z o.o.", nip="5260250274")
    beta = Contractor.objects.create(code="BETA01", name="Beta Handel", nip="7251801126")
    gamma = Contractor.objects.create(code="GAM", name="Gamma acme partner", active=False)
    assignment_row(acme, anna, date(2025, 1, 1))
    assignment_row(beta, bartek, date(2025, 1, 1), date(2025, 6, 14))  # ended yesterday
    assignment_row(beta, anna, date(2025, 6, 15), kind="deputy")
    assignment_row(gamma, bartek, date(2025, 6, 1))
    return {"anna": anna, "bartek": bartek, "acme": acme, "beta": beta, "gamma": gamma}


def codes(qs: Any) -> list[str]:
    return [c.code for c in qs]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("acme", ["ACME", "GAM"]),  # code or name, any case
        ("  beta  ", ["BETA01"]),
        ("526-025-02-74", ["ACME"]),  # NIP with dashes
        ("PL 7251801126", ["BETA01"]),  # NIP with a country prefix
        ("725", ["BETA01"]),  # NIP prefix
        ("nothing-like-it", []),
        ("", ["ACME", "BETA01", "GAM"]),
    ],
)
def test_search(search: str, expected: list[str], firms: dict[str, Any], actor: Any) -> None:
    assert codes(contractor_list(viewer=actor, search=search)) == expected


def test_filter_by_current_caretaker(firms: dict[str, Any], actor: Any, legal_role: CaretakerRole) -> None:
    anna, bartek = firms["anna"].pk, firms["bartek"].pk
    assert codes(contractor_list(viewer=actor, caretaker_id=anna)) == ["ACME", "BETA01"]
    assert codes(contractor_list(viewer=actor, caretaker_id=bartek)) == ["GAM"]
    assert codes(contractor_list(viewer=actor, caretaker_id=bartek, on=date(2025, 6, 14))) == [
        "BETA01",
        "GAM",
    ]
    assert codes(contractor_list(viewer=actor, caretaker_id=anna, role_id=legal_role.pk)) == []
    assert codes(contractor_list(viewer=actor, active=False)) == ["GAM"]
    assert codes(contractor_list(viewer=actor, active=True, search="acme")) == ["ACME"]


def test_the_count_by_caretaker_read_off_the_assignments_is_the_lists(
    firms: dict[str, Any],
    actor: Any,
    legal_role: CaretakerRole,
    make_operator: Any,
    django_assert_num_queries: Any,
) -> None:
    anna, bartek = firms["anna"], firms["bartek"]
    # Anna twice on ACME today (a second role): one contractor, counted once.
    assignment_row(firms["acme"], anna, date(2025, 6, 1), kind="deputy", role=legal_role)
    asked: list[dict[str, Any]] = [
        {"caretaker_id": anna.pk},
        {"caretaker_id": bartek.pk},
        {"caretaker_id": bartek.pk, "on": date(2025, 6, 14)},
        {"caretaker_id": anna.pk, "role_id": legal_role.pk},
        {"caretaker_id": 999_999},
    ]
    actor.operator  # noqa: B018 - the viewer's profile, loaded outside the counted block
    for filters in asked:
        with django_assert_num_queries(1):  # one index range of the assignments
            count = contractor_list_count(viewer=actor, **filters)
        assert count == contractor_list(viewer=actor, **filters).count(), filters
    assert [
        contractor_list_count(viewer=actor, caretaker_id=anna.pk, **other)
        for other in ({"search": "acme"}, {"active": True})
    ] == [None, None]
    assert contractor_list_count(viewer=actor) is None
    own = make_operator("own", visibility=Visibility.OWN)
    assert contractor_list_count(viewer=own.user, caretaker_id=anna.pk) is None


def test_without_caretaker_today(firms: dict[str, Any], actor: Any, legal_role: CaretakerRole) -> None:
    alone = Contractor.objects.create(code="ALONE", name="Bez opiekuna")
    # BETA01's main ended yesterday; its deputy, from today, is a caretaker all the same.
    assert codes(contractor_list(viewer=actor, without_caretaker=True)) == ["ALONE"]
    assert codes(contractor_list(viewer=actor, without_caretaker=True, on=date(2025, 6, 14))) == ["ALONE"]
    assert codes(contractor_list(viewer=actor, without_caretaker=True, role_id=legal_role.pk)) == [
        "ACME",
        "ALONE",
        "BETA01",
        "GAM",
    ]
    assignment_row(alone, firms["anna"], date(2025, 7, 1))  # from next month: not today
    assert codes(contractor_list(viewer=actor, without_caretaker=True)) == ["ALONE"]


def test_main_caretaker_and_ordering(firms: dict[str, Any], actor: Any) -> None:
    rows: dict[str, Any] = {c.code: c for c in with_caretakers_today(contractor_list(viewer=actor))}
    assert rows["ACME"].main_caretaker_id == firms["anna"].pk
    assert rows["BETA01"].main_caretaker_id is None  # only a deputy today
    today = caretakers_today([firms["beta"].pk, firms["gamma"].pk])
    assert (today[firms["beta"].pk].main, today[firms["beta"].pk].deputies) == (None, [firms["anna"].pk])
    assert today[firms["gamma"].pk].main == firms["bartek"].pk
    assert codes(contractor_list(viewer=actor, ordering="-code")) == ["GAM", "BETA01", "ACME"]
    assert codes(contractor_list(viewer=actor, ordering="name")) == ["ACME", "BETA01", "GAM"]
    assert codes(contractor_list(viewer=actor, ordering="bogus")) == ["ACME", "BETA01", "GAM"]


def test_visibility_applies_to_search_and_get(firms: dict[str, Any], make_operator: Any) -> None:
    own = make_operator("own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    assignment_row(firms["beta"], own, date(2025, 6, 1), kind="deputy")
    assert codes(contractor_list(viewer=own.user)) == ["BETA01"]
    assert codes(contractor_list(viewer=own.user, search="acme")) == []
    assert contractor_get(viewer=own.user, contractor_id=str(firms["beta"].pk)) == firms["beta"]
    for bad in (firms["acme"].pk, "x", None, 10**30):
        with pytest.raises(Contractor.DoesNotExist):
            contractor_get(viewer=own.user, contractor_id=bad)
