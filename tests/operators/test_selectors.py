"""Visibility (docs/semantics.md, "Visibility"): who sees and may change which contractors, "today"
being the date in Warsaw, and the permissions beside it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opiekun.caretakers.models import CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import contractor_list
from opiekun.operators.access import (
    Access,
    can_assign,
    can_manage_dictionaries,
    contractor_access,
    operator_of,
    visible_contractors,
)
from opiekun.operators.models import Operator, UnassignedAccess, Visibility
from opiekun.operators.selectors import operator_choices, operator_list, operator_names
from tests.own_only import with_unassigned_access
from tests.rows import assignment_row

pytestmark = pytest.mark.django_db

# 23:30 UTC on 1 March is already 00:30 on 2 March in Warsaw.
LATE_EVENING_UTC = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)
WARSAW_TODAY = date(2025, 3, 2)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: Any) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: LATE_EVENING_UTC)


@pytest.fixture
def world(
    make_contractors: Callable[..., list[Contractor]], make_operator: Callable[..., Operator]
) -> dict[str, Any]:
    """mine (main today), deputy (deputy today), others (someone else today),
    past (mine until yesterday, nobody today), future (mine from tomorrow), free (nobody)."""
    me = make_operator("me", visibility=Visibility.OWN)
    other = make_operator("other")
    names = ["mine", "deputy", "others", "past", "future", "free", "starts_today"]
    cs = dict(zip(names, make_contractors(len(names)), strict=True))
    assignment_row(cs["mine"], me, date(2025, 1, 1))
    assignment_row(cs["deputy"], other, date(2025, 1, 1))
    assignment_row(cs["deputy"], me, date(2025, 1, 1), kind="deputy")
    assignment_row(cs["others"], other, date(2025, 1, 1))
    assignment_row(cs["others"], me, date(2024, 1, 1), date(2024, 12, 31))
    assignment_row(cs["past"], me, date(2025, 1, 1), date(2025, 3, 1))
    assignment_row(cs["future"], me, date(2025, 3, 3))
    assignment_row(cs["starts_today"], me, WARSAW_TODAY, WARSAW_TODAY)
    return {"me": me, "other": other, **cs}


def names_of(world: dict[str, Any], qs: Any) -> set[str]:
    by_pk = {c.pk: name for name, c in world.items() if isinstance(c, Contractor)}
    return {by_pk[pk] for pk in qs.values_list("pk", flat=True)}


ASSIGNED_TODAY = {"mine", "deputy", "starts_today"}
UNASSIGNED_TODAY = {"past", "future", "free"}


@pytest.mark.parametrize(
    ("access", "visible", "editable"),
    [
        (UnassignedAccess.ALLOWED, ASSIGNED_TODAY | UNASSIGNED_TODAY, ASSIGNED_TODAY | UNASSIGNED_TODAY),
        (UnassignedAccess.READ_ONLY, ASSIGNED_TODAY | UNASSIGNED_TODAY, ASSIGNED_TODAY),
        (UnassignedAccess.DENIED, ASSIGNED_TODAY, ASSIGNED_TODAY),
    ],
)
def test_own_only_operator(access: str, visible: set[str], editable: set[str], world: dict[str, Any]) -> None:
    me = with_unassigned_access(world["me"], access)
    user = User.objects.get(pk=me.user_id)
    assert names_of(world, visible_contractors(viewer=user)) == visible
    assert names_of(world, visible_contractors(viewer=user, editable=True)) == editable
    for name in ("mine", "others", "free"):
        expected = Access.EDIT if name in editable else Access.READ if name in visible else Access.NONE
        assert contractor_access(viewer=user, contractor_id=world[name].pk) == expected


@pytest.mark.parametrize("access", list(UnassignedAccess))
def test_own_only_list_is_theirs_plus_nobodys_each_once(
    access: str,
    world: dict[str, Any],
    make_contractors: Callable[..., list[Contractor]],
    legal_role: CaretakerRole,
) -> None:
    """The list and its count (one set of the operator's contractors today, one of
    those with nobody today, docs/performance.md "The own-only list"): a contractor
    the operator cares for twice today is listed and counted once; one that only a
    colleague in another role cares for today has a caretaker, so it is not shown."""
    me = with_unassigned_access(world["me"], access)
    twice, elsewhere = make_contractors(2, prefix="X")
    assignment_row(twice, me, date(2025, 1, 1))
    assignment_row(twice, me, date(2025, 2, 1), kind="deputy", role=legal_role)
    assignment_row(elsewhere, world["other"], date(2025, 1, 1), role=legal_role)
    world = {**world, "twice": twice, "elsewhere": elsewhere}
    user = User.objects.get(pk=me.user_id)

    listed = contractor_list(viewer=user)
    expected = ASSIGNED_TODAY | {"twice"}
    if access != UnassignedAccess.DENIED:
        expected |= UNASSIGNED_TODAY
    assert names_of(world, listed) == expected
    with CaptureQueriesContext(connection) as counted:
        assert listed.count() == len(expected)
    # Counted in the two sets' indexes, not by testing every contractor.
    assert "contractors_contractor" not in counted.captured_queries[-1]["sql"]
    assert contractor_list(viewer=user, active=True).count() == len(expected)
    assert listed.filter(pk__in=[]).count() == 0
    assert listed.filter(pk__in=[twice.pk, elsewhere.pk]).count() == 1
    assert len(list(listed)) == len(expected)
    page = Paginator(contractor_list(viewer=user, search="X"), 50).get_page(1)
    assert page.paginator.count == 1 and [c.pk for c in page.object_list] == [twice.pk]
    editable = ASSIGNED_TODAY | {"twice"}
    if access == UnassignedAccess.ALLOWED:
        editable |= UNASSIGNED_TODAY
    assert names_of(world, visible_contractors(viewer=user, editable=True)) == editable
    assert contractor_access(viewer=user, contractor_id=twice.pk) == Access.EDIT
    assert contractor_access(viewer=user, contractor_id=elsewhere.pk) == Access.NONE


def test_today_is_the_warsaw_date(world: dict[str, Any], monkeypatch: Any) -> None:
    user = world["me"].user
    with_unassigned_access(world["me"], UnassignedAccess.DENIED)
    assert "starts_today" in names_of(world, visible_contractors(viewer=user))
    assert "past" not in names_of(world, visible_contractors(viewer=user))
    # An hour earlier it is still 1 March in Warsaw: the picture flips.
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2025, 3, 1, 22, 30, tzinfo=UTC))
    seen = names_of(world, visible_contractors(viewer=user))
    assert "past" in seen and "starts_today" not in seen


def test_all_visibility_sees_everything(world: dict[str, Any]) -> None:
    other = world["other"].user
    everything = ASSIGNED_TODAY | UNASSIGNED_TODAY | {"others"}
    assert names_of(world, visible_contractors(viewer=other)) == everything
    assert contractor_access(viewer=other, contractor_id=world["mine"].pk) == Access.EDIT


def test_nobody_without_an_active_operator_sees_anything(world: dict[str, Any], make_operator: Any) -> None:
    inactive = make_operator("inactive", active=False)
    plain = User.objects.create_user("plain", password="x")
    disabled = make_operator("disabled")
    disabled.user.is_active = False
    disabled.user.save()
    for viewer in (inactive.user, plain, disabled.user, AnonymousUser(), None):
        assert not visible_contractors(viewer=viewer).exists()
        assert not can_assign(viewer) and not can_manage_dictionaries(viewer)
        assert operator_of(viewer) is None
        assert contractor_access(viewer=viewer, contractor_id=world["free"].pk) == Access.NONE


def test_superuser_sees_all_and_may_do_all(world: dict[str, Any]) -> None:
    boss = User.objects.create_superuser("root", password="x")
    assert visible_contractors(viewer=boss).count() == Contractor.objects.count()
    assert can_assign(boss) and can_manage_dictionaries(boss)


def test_permissions_follow_the_profile(make_operator: Any) -> None:
    clerk = make_operator("clerk", can_assign=False, can_manage_dictionaries=True)
    assert not can_assign(clerk.user) and can_manage_dictionaries(clerk.user)
    assert operator_of(clerk.user) == clerk


def test_operator_list(make_operator: Any) -> None:
    active = make_operator("zz-active")
    gone = make_operator("aa-gone", active=False)
    assert active in operator_list(active=True) and gone not in operator_list(active=True)
    assert gone in operator_list(active=False) and active not in operator_list(active=False)
    assert {active, gone} <= set(operator_list())


def test_names_and_choices_read_as_values_say_what_the_operator_says(make_operator: Any) -> None:
    """`operator_names` and `operator_choices` build names from values, not models: the
    same names as `Operator.display_name` / `sorted_name`, the login where a name is
    missing, in `operator_list`'s order, inactive ones left out when asked."""
    named = make_operator("jkowalska")
    named.user.first_name, named.user.last_name = "Joanna", "Kowalska"
    named.user.save()
    half = make_operator("anowak")
    half.user.first_name, half.user.last_name = "", "Nowak"
    half.user.save()
    bare = make_operator("zz-login")
    bare.user.first_name = bare.user.last_name = ""
    bare.user.save()
    gone = make_operator("abc-inactive", active=False)
    gone.user.first_name = gone.user.last_name = ""
    gone.user.save()
    everyone = [named, half, bare, gone]
    assert operator_names([*(o.pk for o in everyone), None]) == {o.pk: o.display_name for o in everyone}
    assert operator_names([named.pk])[named.pk] == "Joanna Kowalska"
    assert operator_names([bare.pk])[bare.pk] == "zz-login"
    listed = [o for o in operator_list(active=True) if o.pk in {x.pk for x in everyone}]
    chosen = [c for c in operator_choices(active=True, by_surname=True) if c[0] in {x.pk for x in everyone}]
    assert chosen == [(o.pk, o.sorted_name) for o in listed]
    assert [name for _, name in chosen] == ["zz-login", "Kowalska Joanna", "Nowak"]  # by surname, none first
    plain = dict(operator_choices())
    assert plain[gone.pk] == "abc-inactive" and plain[named.pk] == "Joanna Kowalska"
    marked = dict(operator_choices(by_surname=True, inactive_mark="nieaktywny"))
    assert (marked[gone.pk], marked[named.pk]) == ("abc-inactive (nieaktywny)", "Kowalska Joanna")
