""" "Bez opiekuna: N" of an own-only viewer who may see the contractors with nobody: the
active ones among those are counted from the uncovered periods' copy of the
contractor's `active` flag (coverage/0009; docs/performance.md, "The own-only list's
count of contractors without a caretaker, 2026-11-29 (gap5)"). Every way a
contractor's flag changes or a contractor comes keeps that copy, and the count, exact:
the form, the API, the contractors' import (through the database's trigger and
through the writer), the services, a bulk update and raw SQL. (The admin's contractors
are read-only: `contractors/admin.py`.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.importing import contractors_import
from opiekun.contractors.models import Contractor
from opiekun.contractors.services import contractor_create, contractor_update
from opiekun.coverage.models import UncoveredPeriod
from opiekun.coverage.selectors import gaps_today_count
from opiekun.coverage.services import coverage_recompute, coverage_stored
from opiekun.operators.models import Operator, UnassignedAccess
from opiekun.operators.tokens import token_issue
from tests.coverage.test_derived import oracle_gaps_today
from tests.own_only import assign, own_only_operator, with_unassigned_access

pytestmark = pytest.mark.django_db

T = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _today(freeze_today: Callable[[date], None]) -> None:
    freeze_today(T)


def check(viewer: Operator, actor: Any) -> int:
    """The count equals its definition, for the viewer and for one who sees everyone;
    the derived tables equal a recomputation (each period's flag is its contractor's)."""
    count = gaps_today_count(viewer=viewer.user)
    assert count == oracle_gaps_today(viewer, T)
    everyone = Contractor.objects.filter(active=True).exclude(
        pk__in=CaretakerAssignment.objects.on(T)
        .filter(type="main", role__is_default=True, branch__isnull=True)
        .values("contractor_id")
    )
    assert gaps_today_count(viewer=actor) == everyone.count()
    assert coverage_stored() == coverage_recompute()
    flags = dict(Contractor.objects.values_list("pk", "active"))
    assert all(
        flags[c] == active for c, active in UncoveredPeriod.objects.values_list("contractor_id", "active")
    )
    return count


@pytest.fixture
def world(
    actor: Any,
    make_operator: Callable[..., Operator],
    make_contractors: Callable[[int], list[Contractor]],
    default_role: CaretakerRole,
    legal_role: CaretakerRole,
) -> dict[str, Any]:
    """12 contractors: the viewer's as main (no gap), as deputy and in the legal role
    (gaps of theirs), a colleague's, and nobody's today (never, ended, later)."""
    me = own_only_operator(make_operator, "me")
    other = make_operator("other")
    firms = make_contractors(12)
    add = partial(assign, actor)

    add(firms[0:2], me, T - timedelta(days=30), None)
    add(firms[2:4], me, T - timedelta(days=30), None, type="deputy")
    add(firms[4:5], me, T - timedelta(days=30), None, role_id=legal_role.pk)
    add(firms[5:7], other, T - timedelta(days=30), None)
    add(firms[7:8], other, T - timedelta(days=30), T - timedelta(days=1))  # nobody since today
    add(firms[8:9], other, T + timedelta(days=3), None)  # nobody until later
    return {"me": me, "firms": firms}


@pytest.mark.parametrize("unassigned", list(UnassignedAccess))
def test_the_count_follows_every_change_of_a_contractors_flag(
    unassigned: str, world: dict[str, Any], actor: Any, admin_op: Operator, tmp_path: Path, settings: Any
) -> None:
    me = with_unassigned_access(world["me"], unassigned)
    firms: list[Contractor] = world["firms"]
    start = check(me, actor)
    assert start == (2 + 1 + 5 if unassigned != UnassignedAccess.DENIED else 2 + 1)

    # The services (the form and the API call them): one of theirs with a gap, and one
    # with nobody, made inactive and active again.
    contractor_update(actor=actor, contractor_id=firms[2].pk, active=False)
    contractor_update(actor=actor, contractor_id=firms[9].pk, active=False)
    assert check(me, actor) == start - (2 if unassigned != UnassignedAccess.DENIED else 1)
    contractor_update(actor=actor, contractor_id=firms[9].pk, active=True)
    check(me, actor)

    # The form.
    browser = Client()
    browser.force_login(actor)
    page = f"/kontrahenci/{firms[10].pk}/"
    assert browser.post(page, {"code": firms[10].code, "name": "Bez zaznaczenia"}).status_code == 302
    assert not Contractor.objects.get(pk=firms[10].pk).active
    check(me, actor)
    assert browser.post(page, {"code": firms[10].code, "name": "Znowu", "active": "on"}).status_code == 302
    check(me, actor)

    # The API.
    _, raw = token_issue(user=admin_op.user, name="test")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    url = f"/api/v1/contractors/{firms[7].pk}"
    assert api.patch(url, {"active": False}, content_type="application/json").status_code == 200
    check(me, actor)
    assert api.patch(url, {"active": True}, content_type="application/json").status_code == 200
    check(me, actor)

    # A bulk update and raw SQL, around the services: the database's trigger.
    Contractor.objects.filter(pk__in=[firms[8].pk, firms[11].pk, firms[3].pk]).update(active=False)
    check(me, actor)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE contractors_contractor SET active = %s WHERE id = %s", [True, firms[8].pk])
    check(me, actor)

    # New contractors, inactive or not: the trigger's rows (nobody their caretaker) and
    # the import's through the writer (the importer their caretaker).
    settings.CREATOR_BECOMES_CARETAKER = False
    contractor_create(actor=actor, code="NEW-OFF", name="Nowy", active=False)
    contractor_create(actor=actor, code="NEW-ON", name="Nowy")
    Contractor.objects.create(code="RAW-OFF", name="Surowy", active=False)
    check(me, actor)
    for caretaker in (False, True):
        settings.CREATOR_BECOMES_CARETAKER = caretaker
        path = tmp_path / f"k{caretaker}.csv"
        lines = "".join(f"IMP{caretaker}{i};Firma {i};{'tak' if i % 2 else 'nie'}\n" for i in range(4))
        path.write_text("code;name;active\n" + lines, encoding="utf-8")
        report = contractors_import(actor=actor, path=path, filename=path.name, dry_run=False)
        assert report.applied and not report.errors
        assert Contractor.objects.filter(code__startswith=f"IMP{caretaker}", active=False).count() == 2
        check(me, actor)
