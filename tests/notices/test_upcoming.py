"""Nadchodzące zmiany read a page at a time: the rows, their order and the count equal
what the former implementation gave (kept here as the oracle: every row read, sorted
in memory) on a mixed data set, for every viewer, window and page; the badge and the
page take a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.db.models import BigIntegerField, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opiekun.bulk import id_list
from opiekun.caretakers.acting import ActedFor
from opiekun.caretakers.acting_rules import Holder, acted_for_periods
from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole, HandoverChange
from opiekun.caretakers.resolving import absences_of
from opiekun.caretakers.rules import TYPE_OF, AssignmentType
from opiekun.caretakers.services.handover import handover_create
from opiekun.caretakers.services.handover_cancel import handover_cancel
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.notices.selectors import (
    DEFAULT_DAYS,
    FIELDS,
    UpcomingFilters,
    upcoming_changes,
    upcoming_count,
    upcoming_rows,
    whose,
)
from opiekun.operators.absences import absence_create
from opiekun.operators.access import visible_contractor_filter, visible_contractors
from opiekun.operators.models import Absence, Operator, UnassignedAccess
from opiekun.operators.tokens import token_issue
from opiekun.periods import Period
from tests.own_only import assign, own_only_operator

pytestmark = pytest.mark.django_db

T = date(2026, 6, 1)


def d(n: int) -> date:
    return T + timedelta(days=n)


# The former implementation, verbatim but for its names: every row read, sorted in memory;
# the acting rows from the acting rule over the assignments, one deputy at a time.
def old_acted_for(
    *, viewer: Any, operator_id: int, date_from: date | None = None, date_to: date | None = None
) -> list[ActedFor]:
    """Kontrahenci wg opiekuna, "acted for": the periods in ``[date_from, date_to]``
    (either end open) in which the operator acted for an absent main caretaker, on
    contractors the viewer may see; by start, then contractor. Four queries; one when
    no other operator is away in the period (a deputy acts only for an absent main)."""
    if not _others_away(operator_id, date_from, date_to):
        return []
    deputy_rows = CaretakerAssignment.objects.filter(
        operator_id=operator_id, type=AssignmentType.DEPUTY.value
    ).overlapping(date_from, date_to)
    visible = visible_contractor_filter(viewer=viewer)
    if visible is not None:
        deputy_rows = deputy_rows.filter(visible)
    # Unordered: a set is made of it, and on PostgreSQL the operator's period index holds
    # every column read here (caretakers/0009), so no table page is visited.
    scopes = set(deputy_rows.order_by().values_list("contractor_id", "role_id", "branch_id"))
    if not scopes:
        return []
    rows = (
        CaretakerAssignment.objects.filter(contractor_id__in=id_list(sorted({s[0] for s in scopes})))
        .overlapping(date_from, date_to)
        .values_list(
            "id",
            "contractor_id",
            "role_id",
            "branch_id",
            "operator_id",
            "type",
            "date_from",
            "date_to",
            "priority",
        )
    )
    by_scope: dict[tuple[int, int, int | None], list[Holder]] = defaultdict(list)
    for pk, contractor_id, role_id, branch_id, holder_operator, kind, start, end, priority in rows:
        if (contractor_id, role_id, branch_id) in scopes:
            holder = Holder(pk, holder_operator, TYPE_OF[kind], Period(start, end), priority)
            by_scope[(contractor_id, role_id, branch_id)].append(holder)
    absences = absences_of(
        {h.operator_id for hs in by_scope.values() for h in hs}, since=date_from or date.min, until=date_to
    )
    found: list[ActedFor] = []
    window = Period(date_from or date.min, date_to or date.max)
    for scope, holders in by_scope.items():
        for period, acting in acted_for_periods(holders, absences, operator_id, window):
            assert acting.holder is not None and acting.stands_in_for is not None
            found.append(
                ActedFor(*scope, acting.holder.assignment_id, operator_id, acting.stands_in_for, period)
            )
    found.sort(key=lambda a: (a.period.start, a.contractor_id, a.role_id, a.assignment_id))
    return found


def _others_away(operator_id: int, date_from: date | None, date_to: date | None) -> bool:
    away = Absence.objects.exclude(operator_id=operator_id)
    if date_from is not None:
        away = away.filter(date_to__gte=date_from)
    if date_to is not None:
        away = away.filter(date_from__lte=date_to)
    return away.exists()


# The union's columns: every part annotates them under these names, in this order (a
# model field would be selected before the annotations, and the parts would not line up).
_COLUMNS = tuple(f"u_{name}" for name in FIELDS)


def _columns(**values: Any) -> dict[str, Any]:
    assert tuple(values) == FIELDS
    return {f"u_{name}": value for name, value in values.items()}


def _made_by_handover(field: str, lookup: str) -> Exists:
    """The row's start (``date_from``) or end (``date_to``) is a handover's doing: it is
    recorded in a handover, not cancelled, effective on its first day (a start) or
    after its last day (an end)."""
    return Exists(
        HandoverChange.objects.filter(
            assignment_id=OuterRef("id"),
            handover__cancelled_at__isnull=True,
            **{f"handover__date__{lookup}": OuterRef(field)},
        )
    )


def _assignment_changes(rows: QuerySet[CaretakerAssignment], first: date, last: date) -> list[QuerySet[Any]]:
    def shaped(kind: str, field: str, by_handover: Exists) -> QuerySet[Any]:
        return (
            rows.filter(**{f"{field}__gte": first, f"{field}__lte": last})
            .exclude(by_handover)
            .annotate(
                **_columns(
                    kind=Value(kind, output_field=CharField()),
                    day=F(field),
                    contractor_id=F("contractor_id"),
                    operator_id=F("operator_id"),
                    assignment_id=F("id"),
                    handover_id=Cast(Value(None), BigIntegerField()),
                    contractor_code=F("contractor__code"),
                    contractor_name=F("contractor__name"),
                )
            )
            .values_list(*_COLUMNS)
            .order_by()
        )

    return [
        shaped("starts", "date_from", _made_by_handover("date_from", "exact")),
        shaped("ends", "date_to", _made_by_handover("date_to", "gt")),
    ]


def _handover_changes(
    visible: QuerySet[Contractor] | None, operator_id: int | None, first: date, last: date
) -> list[QuerySet[Any]]:
    """Per handover (not cancelled, effective in the window) and contractor it handed:
    ``handover_in`` for the operator it went to, ``handover_out`` for the one it came
    from. The assignment is the handover's newest row of that contractor."""
    changes = HandoverChange.objects.filter(
        handover__cancelled_at__isnull=True,
        handover__date__gte=first,
        handover__date__lte=last,
        target_id__isnull=False,
    )
    if visible is not None:
        changes = changes.filter(contractor_id__in=visible.values("pk"))

    # One row per handover and contractor: its newest change.
    newer = HandoverChange.objects.filter(
        handover_id=OuterRef("handover_id"),
        contractor_id=OuterRef("contractor_id"),
        target_id__isnull=False,
        assignment_id__gt=OuterRef("assignment_id"),
    )
    changes = changes.exclude(Exists(newer))

    def shaped(kind: str, operator: str, mine: Q) -> QuerySet[Any]:
        qs = changes.filter(mine) if operator_id is not None else changes
        contractor = Contractor.objects.filter(pk=OuterRef("contractor_id"))
        return (
            qs.annotate(
                **_columns(
                    kind=Value(kind, output_field=CharField()),
                    day=F("handover__date"),
                    contractor_id=Cast("contractor_id", BigIntegerField()),
                    operator_id=Cast(operator, BigIntegerField()),
                    assignment_id=Cast("assignment_id", BigIntegerField()),
                    handover_id=Cast("handover_id", BigIntegerField()),
                    contractor_code=Subquery(contractor.values("code")[:1]),
                    contractor_name=Subquery(contractor.values("name")[:1]),
                )
            )
            .values_list(*_COLUMNS)
            .order_by()
        )

    return [
        shaped("handover_in", "target_id", Q(target_id=operator_id)),
        shaped("handover_out", "handover__from_operator_id", Q(handover__from_operator_id=operator_id)),
    ]


def _acting(viewer: Any, operator_id: int | None, first: date, last: date) -> list[dict[str, Any]]:
    """The contractors the operator (or, for everyone's, every deputy) will act for in
    the window while their main caretaker is absent."""
    if operator_id is not None:
        deputies = [operator_id]
    else:
        # Deputies of scopes whose main caretaker is absent some day of the window.
        away = Absence.objects.filter(date_from__lte=last, date_to__gte=first)
        mains = CaretakerAssignment.objects.filter(
            type=AssignmentType.MAIN.value, operator_id__in=away.values("operator_id")
        ).overlapping(first, last)
        deputies = sorted(
            set(
                CaretakerAssignment.objects.filter(
                    type=AssignmentType.DEPUTY.value,
                    contractor_id__in=mains.values("contractor_id"),
                )
                .overlapping(first, last)
                .values_list("operator_id", flat=True)
            )
        )
    found = [
        a
        for deputy in deputies
        for a in old_acted_for(viewer=viewer, operator_id=deputy, date_from=first, date_to=last)
    ]
    names = dict(
        (pk, (code, name))
        for pk, code, name in Contractor.objects.filter(
            pk__in=id_list(sorted({a.contractor_id for a in found}))
        ).values_list("pk", "code", "name")
    )
    return [
        {
            "kind": "acting",
            "day": max(a.period.start, first),
            "contractor_id": a.contractor_id,
            "operator_id": a.operator_id,
            "assignment_id": a.assignment_id,
            "handover_id": None,
            "contractor_code": names[a.contractor_id][0],
            "contractor_name": names[a.contractor_id][1],
            "stands_in_for": a.stands_in_for,
            "until": a.period.end,
        }
        for a in found
    ]


def oracle(*, viewer: Any, filters: UpcomingFilters) -> list[dict[str, Any]]:
    """Rows (dicts of FIELDS; ``acting`` rows also ``stands_in_for`` and ``until``) of
    the changes within ``start`` … ``start + days``, by day, then kind, then contractor
    code; for the operator `whose` names. Three queries for the assignments and
    handovers, a few more for acting."""
    operator_id = whose(viewer, filters.operator_id)
    first = filters.start or today()
    last = first + timedelta(days=filters.days)
    rows = CaretakerAssignment.objects.all()
    visible: QuerySet[Contractor] | None = visible_contractors(viewer=viewer)
    assert visible is not None
    if visible.query.has_filters():
        rows = rows.filter(contractor__in=visible.values("pk"))
    else:
        visible = None
    if operator_id is not None:
        rows = rows.filter(operator_id=operator_id)
    parts = _assignment_changes(rows, first, last) + _handover_changes(visible, operator_id, first, last)
    found = [dict(zip(FIELDS, row, strict=True)) for row in parts[0].union(*parts[1:], all=True)]
    found += _acting(viewer, operator_id, first, last)
    found.sort(key=lambda r: (r["day"], r["kind"], r["contractor_code"], r["assignment_id"] or 0))
    return found


# The data: codes out of creation order, several changes of each kind on the same
# days, handovers (one cancelled), absences with deputies (one from before today,
# one past the window), an own-only operator.


@pytest.fixture
def world(
    freeze_today: Callable[[date], None], make_operator: Any, default_role: CaretakerRole, actor: Any
) -> dict[str, Any]:
    freeze_today(T)
    anna, piotr, ewa, jan = (make_operator(name) for name in ("anna", "piotr", "ewa", "jan"))
    own = own_only_operator(make_operator, "ola", UnassignedAccess.DENIED)
    codes = ["K07", "K03", "A11", "K10", "B02", "K01", "Z09", "K05", "A04", "K08", "C06", "K12"]
    firms = [Contractor.objects.create(code=code, name=f"Firma {code}") for code in codes]

    add = partial(assign, actor)

    add(firms[0:4], anna, d(-100), None)
    add(firms[4:8], anna, d(-100), d(3))  # four ends on one day
    add(firms[4:6], piotr, d(4), d(12))  # two starts and two ends
    add(firms[8:10], piotr, d(-50), d(9))
    add(firms[8:12], jan, d(10), None)  # starts the day after two end
    add(firms[10:12], own, d(-5), d(6))  # the own-only operator's, ending
    add(firms[0:3], ewa, d(-10), None, type="deputy")
    add(firms[8:10], ewa, d(-10), d(20), type="deputy")
    add(firms[2:4], own, d(-10), d(2), type="deputy")
    add(firms[3:4], jan, d(1), d(40), type="deputy")
    chief = make_operator("chief", superuser=True).user
    absence_create(actor=chief, operator_id=anna.pk, date_from=d(-3), date_to=d(5))
    absence_create(actor=chief, operator_id=piotr.pk, date_from=d(7), date_to=d(25))

    def handover(from_operator: Operator, to: Operator, day: date, contractors: list[Contractor]) -> int:
        request = dict(
            actor=actor,
            from_operator_id=from_operator.pk,
            to_operator_ids=[to.pk],
            date=day,
            contractor_ids=[c.pk for c in contractors],
            on_overlap="replace",
        )
        result = handover_create(**request)
        if not result.applied:
            result = handover_create(**request, confirm_token=result.confirm_token)
        assert result.applied and result.handover is not None
        return int(result.handover.pk)

    handover(anna, piotr, d(8), [firms[1], firms[3]])
    handover(jan, anna, d(11), [firms[8]])
    handover_cancel(actor=actor, handover_id=handover(anna, jan, d(6), [firms[0]]))
    return {
        "anna": anna,
        "piotr": piotr,
        "ewa": ewa,
        "jan": jan,
        "own": own,
        "chief": chief,
        "firms": firms,
        "add": add,
    }


def viewers_and_filters(world: dict[str, Any], actor: Any) -> list[tuple[Any, UpcomingFilters]]:
    operators = [world[name] for name in ("anna", "piotr", "ewa", "jan", "own")]
    cases: list[tuple[Any, UpcomingFilters]] = []
    for days in (0, 3, 14, 30, 366):
        cases.append((actor, UpcomingFilters(days=days)))  # a manager: everyone's
        cases.append((world["chief"], UpcomingFilters(days=days)))  # a superuser
        cases += [(actor, UpcomingFilters(days=days, operator_id=o.pk)) for o in operators]
        cases += [(o.user, UpcomingFilters(days=days)) for o in operators]  # their own
        cases.append((actor, UpcomingFilters(days=days, start=d(-5))))
    return cases


PAGE_SIZES = (1, 2, 3, 7)


def pages(total: int, *, each_end_once: bool = False) -> list[tuple[int, int]]:
    """The slices ``(start, stop)`` read of ``total`` rows: every page of 1, 2, 3 and 7
    rows, one past the end included. A slice's queries depend on its end alone (each
    source is read in the page's order as far as ``stop``; the start is cut off in
    memory), so ``each_end_once`` keeps, of the slices that end alike, the one that
    begins first: every query of the others, and more of its rows compared."""
    slices = [(start, start + size) for size in PAGE_SIZES for start in range(0, total + 1, size)]
    if not each_end_once:
        return slices
    widest: dict[int, int] = {}
    for start, stop in slices:
        widest[stop] = min(start, widest.get(stop, start))
    return sorted((start, stop) for stop, start in widest.items())


def test_the_pages_read_every_end_of_every_page_size() -> None:
    assert pages(3) == [(0, 1), (1, 2), (2, 3), (3, 4), (0, 2), (2, 4), (0, 3), (3, 6), (0, 7)]
    assert pages(3, each_end_once=True) == [(0, 1), (0, 2), (0, 3), (0, 7), (2, 4), (3, 6)]
    for total in range(30):
        every = pages(total)
        once = pages(total, each_end_once=True)
        assert {stop for _, stop in once} == {stop for _, stop in every}
        assert all(any(s <= start and stop == e for s, e in once) for start, stop in every)


# Once per `make test`: `make test-postgres` (--engine-independent=skip) reads each end of
# a page once (the page of that end that begins first; `pages`), so that every query runs
# on both engines; the SQLite part, and a bare pytest on either engine, read every page.
# docs/architecture.md, "Where the suite's time goes".
def test_the_rows_and_their_order_equal_the_former_implementation(
    world: dict[str, Any], actor: Any, pytestconfig: pytest.Config
) -> None:
    each_end_once = pytestconfig.getoption("engine_independent") == "skip"
    kinds: set[str] = set()
    for viewer, filters in viewers_and_filters(world, actor):
        expected = oracle(viewer=viewer, filters=filters)
        rows = upcoming_rows(viewer=viewer, filters=filters)
        assert upcoming_changes(viewer=viewer, filters=filters) == expected, (viewer, filters)
        assert rows.count() == len(expected)
        for start, stop in pages(len(expected), each_end_once=each_end_once):
            assert rows[start:stop] == expected[start:stop], (viewer, filters, start, stop)
        kinds |= {row["kind"] for row in expected}
    assert kinds == {"starts", "ends", "handover_in", "handover_out", "acting"}
    everyone = oracle(viewer=actor, filters=UpcomingFilters(days=30))
    # The data holds ties the order must break: one day, one kind, several contractors.
    assert len({(r["day"], r["kind"]) for r in everyone}) < len(everyone)
    acting = [r for r in everyone if r["kind"] == "acting"]
    assert {r["day"] for r in acting} >= {T, d(7)}  # from before today: on today
    assert d(25) in {r["until"] for r in acting}


def test_an_own_only_operator_sees_the_same_rows_as_before(world: dict[str, Any], actor: Any) -> None:
    own = world["own"]
    rows = upcoming_changes(viewer=own.user, filters=UpcomingFilters(days=30))
    assert rows == oracle(viewer=own.user, filters=UpcomingFilters(days=30))
    assert {r["contractor_code"] for r in rows} == {"C06", "K12", "A11", "K10"}
    assert upcoming_count(viewer=own.user) == len(oracle(viewer=own.user, filters=UpcomingFilters())) > 0


def test_the_badge_counts_the_own_changes(world: dict[str, Any], actor: Any) -> None:
    for name in ("anna", "piotr", "ewa", "jan", "own"):
        user, own = world[name].user, UpcomingFilters(operator_id=world[name].pk)
        assert upcoming_count(viewer=user) == len(oracle(viewer=user, filters=own)) > 0
    # A manager's badge is their own, not everyone's.
    assert upcoming_count(viewer=actor) == 0 < len(oracle(viewer=actor, filters=UpcomingFilters()))


def statements(call: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [query["sql"] for query in captured.captured_queries]


# Around a page's reads on PostgreSQL (`paging.serial_plans`): no query.
SERIAL = ("SET max_parallel_workers_per_gather = 0", "RESET max_parallel_workers_per_gather")


def queries(call: Callable[[], Any]) -> int:
    return len([sql for sql in statements(call) if sql not in SERIAL])


def grow(world: dict[str, Any], make_contractors: Callable[[int], list[Contractor]]) -> None:
    """Many more rows of every kind for Ewa, who also takes over from Anna."""
    firms = make_contractors(40)
    world["add"](firms, world["anna"], d(-30), d(4))
    world["add"](firms[:20], world["ewa"], d(-30), None, type="deputy")
    world["add"](firms[20:], world["ewa"], d(5), d(13))


def test_the_badge_and_the_page_take_a_fixed_number_of_queries(
    world: dict[str, Any], actor: Any, make_contractors: Callable[[int], list[Contractor]]
) -> None:
    ewa = world["ewa"].user
    own = world["own"].user

    def counts() -> list[int]:
        return [
            queries(lambda: upcoming_count(viewer=ewa)),
            queries(lambda: upcoming_count(viewer=own)),
            queries(lambda: upcoming_rows(viewer=actor, filters=UpcomingFilters(days=30))[0:100]),
            queries(lambda: upcoming_rows(viewer=actor, filters=UpcomingFilters(days=30)).count()),
        ]

    before = counts()
    small = len(oracle(viewer=actor, filters=UpcomingFilters(days=30)))
    grow(world, make_contractors)
    assert len(oracle(viewer=actor, filters=UpcomingFilters(days=30))) > small + 50
    assert counts() == before
    # Six sources (starts, ends, handed in, handed out, acting begun by the first day,
    # acting beginning later): one statement counts them all (the badge, a page's
    # total), an own-only viewer's one a source (notices.counts.by_day); a slice read
    # before the count reads each.
    assert before == [1, 6, 6, 1]


def test_the_page_and_the_api_page_in_the_database(
    settings: Any,
    world: dict[str, Any],
    actor: Any,
    client: Client,
    make_contractors: Callable[[int], list[Contractor]],
) -> None:
    grow(world, make_contractors)
    expected = oracle(viewer=actor, filters=UpcomingFilters(days=30))
    assert len(expected) > 100  # more than a page of the screen
    client.force_login(actor)
    url = reverse("notices:upcoming")
    first = client.get(url, {"days": 30})
    second = client.get(url, {"days": 30, "page": 2})
    assert first.status_code == second.status_code == 200
    shown = [
        (row["contractor_code"], row["kind"])
        for page in (first, second)
        for row in page.context["page"].object_list
    ]
    assert shown == [(row["contractor_code"], row["kind"]) for row in expected]
    assert first.context["page"].paginator.count == len(expected)
    settings.ROOT_URLCONF = "tests.api.urls"
    _, raw = token_issue(user=actor, name="test")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    results: list[dict[str, Any]] = []
    for page in (1, 2, 3):
        body = api.get("/api/v1/upcoming-changes", {"days": 30, "page": page, "page_size": 20}).json()
        assert body["count"] == len(expected)
        results += body["results"]
    assert [
        (r["kind"], r["date"], r["contractor_id"], r["assignment_id"], r["handover_id"]) for r in results
    ] == [
        (r["kind"], r["day"].isoformat(), r["contractor_id"], r["assignment_id"], r["handover_id"])
        for r in expected[:60]
    ]


def test_a_page_is_read_without_parallel_workers(world: dict[str, Any], actor: Any) -> None:
    """Each source's page is a walk that stops at the page's end; on PostgreSQL its
    six reads run with parallel workers off (a Gather Merge walked several times the
    rows), and the connection's setting is back afterwards."""
    page = statements(lambda: upcoming_rows(viewer=actor, filters=UpcomingFilters(days=30))[0:100])
    selects = [sql for sql in page if sql not in SERIAL]
    assert len(selects) == 6
    if connection.vendor == "postgresql":
        assert (page[0], page[-1]) == SERIAL
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone()[0] != "0"
    else:
        assert page == selects
    # The count reads no page, and builds none.
    rows = upcoming_rows(viewer=actor, filters=UpcomingFilters(days=30))
    assert not [sql for sql in statements(rows.count) if sql in SERIAL]
    assert not any("page" in vars(source) for source in rows._sources)


def test_the_rows_a_handover_made_are_one_set_not_a_probe_per_row(world: dict[str, Any], actor: Any) -> None:
    """Starts and ends leave out the rows a handover made through one uncorrelated set
    of assignment ids (hashed once), not a look-up of the changes for every row; the
    rows equal the former implementation's (`test_the_rows_and_their_order_equal_…`)."""
    (count_sql,) = statements(
        lambda: upcoming_rows(viewer=actor, filters=UpcomingFilters(days=30))._sources[1].rows.count()
    )
    assert 'NOT ("caretakers_caretakerassignment"."id" IN (SELECT' in count_sql
    assert 'U0."assignment_id" = ("caretakers_caretakerassignment"."id")' not in count_sql
    rows = upcoming_changes(viewer=actor, filters=UpcomingFilters(days=30))
    assert rows == oracle(viewer=actor, filters=UpcomingFilters(days=30))
    assert {row["kind"] for row in rows} >= {"starts", "ends", "handover_in", "handover_out"}


def test_an_own_only_badge_probes_only_what_is_not_theirs_today(world: dict[str, Any]) -> None:
    """The own-only operator's own rows in force today are theirs without a look-up;
    the others are probed row by row ("OFFSET 0": never the sets hashed whole)."""
    own = world["own"].user
    sql = statements(lambda: upcoming_count(viewer=own))
    assert len(sql) == 6
    assert all("OFFSET 0" in query for query in sql)
    ends = sql[1]
    assert ends.index('"caretakers_caretakerassignment"."operator_id" =') < ends.index("EXISTS")
    assert upcoming_count(viewer=own) == len(oracle(viewer=own, filters=UpcomingFilters())) > 0


def test_the_days_field_left_empty_shows_and_uses_the_default(actor: Any, client: Client) -> None:
    client.force_login(actor)
    page = client.get(reverse("notices:upcoming"))
    assert page.context["filters"].days == DEFAULT_DAYS
    field = page.content.decode().split('name="days"', 1)[1].split(">", 1)[0]
    assert f'placeholder="{DEFAULT_DAYS}"' in field and "value=" not in field
