"""The own-only operator's pages at a million contractors (docs/performance.md,
"Own-only pages and Nadchodzące, 2026-11-29 (own3)"): the list's page tests its
contractors by index probes when the walk is short, the top bar's "Bez opiekuna: N"
reads only the rows that can be today's gaps; the rows and counts are the same as
the sets read whole."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import contractor_list
from opiekun.coverage.models import CoverageGap
from opiekun.coverage.selectors import gaps_today_count
from opiekun.operators import own_sets
from opiekun.operators.models import Operator, UnassignedAccess
from tests.own_only import assign, own_only_operator, with_unassigned_access

pytestmark = pytest.mark.django_db

T = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _today(freeze_today: Callable[[date], None]) -> None:
    freeze_today(T)


@pytest.fixture
def world(
    actor: Any,
    make_operator: Callable[..., Operator],
    make_contractors: Callable[[int], list[Contractor]],
    default_role: CaretakerRole,
    legal_role: CaretakerRole,
) -> dict[str, Any]:
    """60 contractors: theirs as main, as deputy only, in the legal role only, main
    and deputy of both; a colleague's; nobody's today (never, ended, starting later);
    some inactive."""
    me = own_only_operator(make_operator, "me")
    other = make_operator("other")
    firms = make_contractors(60)
    add = partial(assign, actor)

    add(firms[0:10], me, T - timedelta(days=30), None)  # main: no gap today
    add(firms[10:14], me, T - timedelta(days=30), None, type="deputy")  # deputy, nobody main: gaps
    add(firms[14:18], me, T - timedelta(days=30), None, role_id=legal_role.pk)  # legal only: gaps
    add(firms[18:20], me, T - timedelta(days=30), None)
    add(firms[18:20], me, T - timedelta(days=30), None, type="deputy", role_id=legal_role.pk)
    add(firms[20:24], other, T - timedelta(days=30), None)
    add(
        firms[20:22], me, T - timedelta(days=5), T + timedelta(days=5), type="deputy"
    )  # theirs, other is main
    add(firms[24:30], other, T - timedelta(days=30), T - timedelta(days=1))  # nobody since today
    add(firms[30:34], other, T + timedelta(days=3), None)  # nobody until later
    add(firms[34:36], me, T - timedelta(days=30), T - timedelta(days=2))  # theirs in the past only
    Contractor.objects.filter(pk__in=[firms[i].pk for i in (11, 15, 25, 40)]).update(active=False)
    CoverageGap.objects.filter(contractor_id__in=[firms[i].pk for i in (11, 15, 25, 40)]).update(active=False)
    return {"me": me, "other": other, "firms": firms, "add": add}


def visible_ids(operator: Operator) -> set[int]:
    """The own-only rule, computed in Python from the rows: theirs today, and (when they
    may see them) the contractors with no caretaker at all today."""
    today = [
        a
        for a in CaretakerAssignment.objects.all()
        if a.date_from <= T and (a.date_to is None or a.date_to >= T)
    ]
    theirs = {a.contractor_id for a in today if a.operator_id == operator.pk}
    covered = {a.contractor_id for a in today}
    nobody = set(Contractor.objects.exclude(pk__in=covered).values_list("pk", flat=True))
    return theirs | (nobody if operator.unassigned_access != UnassignedAccess.DENIED else set())


def pages(user: Any, size: int) -> tuple[list[int], list[str]]:
    """Every page of the user's list, as the screen reads it (a count, then each page),
    and the SQL of the first page."""
    listed = contractor_list(viewer=user)
    paginator = Paginator(listed, size)
    paginator.count  # noqa: B018 - the list counts first, as the screen does
    ids: list[int] = []
    first: list[str] = []
    for number in paginator.page_range:
        with CaptureQueriesContext(connection) as captured:
            ids += [c.pk for c in paginator.page(number).object_list]
        if number == 1:
            first = [q["sql"] for q in captured.captured_queries]
    return ids, first


@pytest.mark.parametrize("unassigned", [UnassignedAccess.READ_ONLY, UnassignedAccess.DENIED])
def test_the_list_pages_are_the_same_probed_or_hashed(
    unassigned: str, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    me = with_unassigned_access(world["me"], unassigned)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE contractors_contractor")  # the estimate the walk is judged by
    expected = list(
        Contractor.objects.filter(pk__in=visible_ids(me)).order_by("code").values_list("pk", flat=True)
    )
    assert len(expected) > 20
    hashed, hashed_sql = pages(me.user, 7)
    monkeypatch.setattr(own_sets, "PROBE_COST", 0.01)  # every walk short enough to probe
    probed, probed_sql = pages(me.user, 7)
    assert hashed == probed == expected
    page_sql = next(sql for sql in probed_sql if 'FROM "contractors_contractor"' in sql)
    probes = connection.vendor == "postgresql" and unassigned != UnassignedAccess.DENIED
    assert ("OFFSET 0" in page_sql) == probes  # only the OR of two sets needs it
    assert not [sql for sql in hashed_sql if "OFFSET 0" in sql]


@pytest.mark.parametrize("unassigned", list(UnassignedAccess))
def test_the_gap_count_of_today_is_the_same_from_the_rows_that_can_be_gaps(
    unassigned: str, world: dict[str, Any], actor: Any
) -> None:
    me = with_unassigned_access(world["me"], unassigned)
    gaps_today = set(
        CoverageGap.objects.filter(
            role__is_default=True, branch__isnull=True, active=True, date_from__lte=T, date_to__gte=T
        ).values_list("contractor_id", flat=True)
    )
    expected = len(gaps_today & visible_ids(me))
    with CaptureQueriesContext(connection) as captured:
        assert gaps_today_count(viewer=me.user) == expected > 0
    (count_sql,) = [q["sql"] for q in captured.captured_queries if "coverage_coveragegap" in q["sql"]]
    # Their rows that are main in the gaps' own scope are not read: such a contractor
    # has no gap today.
    assert "'main'" in count_sql
    assert gaps_today_count(viewer=actor) == len(gaps_today)
