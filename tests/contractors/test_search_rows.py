"""A plain search is counted, and sorted by name paged, from the table of keys on
PostgreSQL (`contractors.search_rows`, migration 0009): the table follows every write,
the counts and pages are those of the contractors table, and only a plain search by a
viewer who sees every contractor uses it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opiekun.caretakers.models import CaretakerRole
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.importing import contractors_import
from opiekun.contractors.keys import search_text
from opiekun.contractors.models import Contractor, SearchRow
from opiekun.contractors.selectors import ORDERINGS, SORT_KEYS_UP_TO, SORT_MATCHES_UP_TO, contractor_list
from opiekun.operators import own_sets
from opiekun.operators.access import visible_contractors
from opiekun.operators.models import Operator, UnassignedAccess, Visibility
from opiekun.operators.tokens import token_issue
from opiekun.paging import EstimatingPaginator, page_rows

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the table of keys is PostgreSQL's"),
]

NAMES = ["Łódź Trans", "Lublin Trans", "lodz trans", "Żuraw Trans", "Zorza Trans", "Émile Trans"]
NAMES += ["Emil Trans", "Ąbc Trans", "Abc Trans", "Ćma Trans", "Cma Trans", "Other", "Zakład"]


COPIED = ("id", "search_key", "name_key", "code", "active")
SERIAL = ("SET max_parallel_workers_per_gather = 0", "RESET max_parallel_workers_per_gather")


def _keys() -> set[tuple[Any, ...]]:
    return set(SearchRow.objects.values_list(*COPIED))


def _contractors() -> set[tuple[Any, ...]]:
    return set(Contractor.objects.values_list(*COPIED))


def _paged_by_keys(qs: Any) -> bool:
    return "contractors_searchrow" in str(qs[0:10].query)


def _counted_by_keys(qs: Any) -> bool:
    with CaptureQueriesContext(connection) as queries:
        qs.all().count()  # a fresh clone: not the length of rows already read
    [count] = [q["sql"] for q in queries]
    return "contractors_searchrow" in count and "contractors_contractor" not in count


def _assign(actor: Any, operator_id: int, ids: list[int], role: Any, kind: str = AssignmentType.MAIN) -> None:
    """``operator_id`` caretaker of ``ids`` from 2020 in ``role``, as ``kind``."""
    caretaker_add(
        actor=actor,
        contractor_ids=ids,
        operator_id=operator_id,
        date_from=date(2020, 1, 1),
        type=kind,
        role_id=role.pk,
    )


def _many() -> None:
    """130 contractors, many with one name: pages of equal names are ordered by code;
    one in three inactive."""
    Contractor.objects.bulk_create(
        Contractor(
            code=f"T{(number * 37) % 1000:04d}", name=NAMES[number % len(NAMES)], active=number % 3 != 1
        )
        for number in range(130)
    )


def test_the_table_of_keys_follows_every_write(tmp_path: Path, actor: Any) -> None:
    first = Contractor.objects.create(code="A1", name="Żółw Sp. z o.o.")
    Contractor.objects.bulk_create(
        [Contractor(code="A2", name="Kowalski", active=False), Contractor(code="A3", name="Nowak")]
    )
    assert _keys() == _contractors() != set()
    assert SearchRow.objects.filter(active=False).count() == 1
    Contractor.objects.filter(code__in=["A2", "A3"]).update(
        active=models.Case(models.When(active=True, then=models.Value(False)), default=models.Value(True))
    )
    assert _keys() == _contractors()
    assert SearchRow.objects.get(active=False).code == "A3"
    first.name, first.code = "Łoś S.A.", "A0"
    first.save()
    Contractor.objects.filter(code="A2").update(code="A9")
    assert _keys() == _contractors()
    assert SearchRow.objects.get(pk=first.pk).search_key == first.search_key
    Contractor.objects.filter(code="A3").delete()
    assert _keys() == _contractors()
    assert len(_keys()) == 2
    firms = tmp_path / "c.csv"
    firms.write_text("code;name\nZ1;Zięba\nZ2;Wróbel\n", encoding="utf-8")
    report = contractors_import(actor=actor, path=firms, filename="c.csv", dry_run=False)
    assert report.errors == []
    assert _keys() == _contractors()
    assert len(_keys()) == 4
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check left pending
        cursor.execute("TRUNCATE contractors_contractor CASCADE")
    assert not SearchRow.objects.exists()


@pytest.mark.parametrize("active", [None, True, False])
@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_every_page_is_the_contractors_tables(ordering: str, active: bool | None, actor: Any) -> None:
    _many()
    for search in ("trans", "TRANS", "zak", "lodz", "nothing"):
        keys = contractor_list(viewer=actor, search=search, ordering=ordering, matches=130, active=active)
        walked = contractor_list(viewer=actor, search=search, ordering=ordering, active=active)
        assert _paged_by_keys(keys)
        assert not _paged_by_keys(walked)
        every = [c.pk for c in walked]
        alike = Contractor.objects.filter(search_key__contains=search_text(search))
        if active is not None:
            alike = alike.filter(active=active)
        assert set(every) == set(alike.values_list("pk", flat=True))
        assert keys.count() == walked.count() == len(every)
        assert _counted_by_keys(keys) and _counted_by_keys(walked)
        assert [c.pk for c in keys] == every
        for bottom, top in [(0, 10), (10, 20), (95, 130), (120, 200)]:
            assert [c.pk for c in keys[bottom:top]] == every[bottom:top]
            for ids_first in (0, None):
                rows = page_rows(keys, bottom, top, ids_first_from=ids_first)
                assert [c.pk for c in rows] == every[bottom:top]
        paginator = EstimatingPaginator(keys, 25, estimate_from=None)
        pages = [c.pk for number in paginator.page_range for c in paginator.page(number).object_list]
        assert pages == every


def test_another_filter_or_order_is_an_ordinary_query(actor: Any) -> None:
    _many()
    Contractor.objects.update(active=True)
    keys = contractor_list(viewer=actor, search="trans", ordering="name", matches=130)
    walked = list(contractor_list(viewer=actor, search="trans", ordering="name"))
    Contractor.objects.filter(pk__in=[c.pk for c in walked[::2]]).update(active=False)
    active = [c.pk for c in walked if c.pk not in {w.pk for w in walked[::2]}]
    assert [c.pk for c in keys.filter(active=True)[0:7]] == active[0:7]
    assert keys.filter(active=True).count() == len(active)
    assert [c.pk for c in keys.exclude(active=True)[1:4]] == [c.pk for c in walked[::2]][1:4]
    by_code = sorted(walked, key=lambda c: c.code)
    assert [c.pk for c in keys.order_by("code")[0:5]] == [c.pk for c in by_code[0:5]]
    assert keys[3].pk == walked[3].pk


def test_only_a_plain_search_by_name_uses_it(
    actor: Any, make_operator: Any, default_role: Any, admin_op: Operator
) -> None:
    _many()
    assert _paged_by_keys(contractor_list(viewer=actor, search="trans", ordering="-name", matches=9))
    own = make_operator(username="own", visibility=Visibility.OWN)
    first = Contractor.objects.order_by("code").first()
    assert first is not None
    caretaker_add(
        actor=actor,
        contractor_ids=[first.pk],
        operator_id=own.pk,
        date_from=date(2020, 1, 1),
        role_id=default_role.pk,
    )
    plain: dict[str, Any] = {"viewer": actor, "search": "trans", "ordering": "name", "matches": 130}
    others: list[dict[str, Any]] = [
        {"caretaker_id": own.pk},
        {"role_id": default_role.pk},
        {"without_caretaker": True},
        {"search": "0001"},
        {"search": "PL 12-3"},
        {"ordering": "code"},
        {"ordering": "city"},
        {"matches": None},
        {"matches": SORT_KEYS_UP_TO + 1},
        {"search": "  "},
    ]
    counted = [
        {"ordering": "code"},
        {"ordering": "city"},
        {"matches": None},
        {"matches": SORT_KEYS_UP_TO + 1},
    ]
    for other in others:
        qs = contractor_list(**{**plain, **other})
        assert not _paged_by_keys(qs), other
        assert _counted_by_keys(qs) == (other in counted), other
    assert _counted_by_keys(contractor_list(**plain))
    # Narrow rows of keys sort more matches than the contractors table would.
    assert _paged_by_keys(contractor_list(**{**plain, "matches": SORT_MATCHES_UP_TO + 1}))
    assert _paged_by_keys(contractor_list(**{**plain, "matches": SORT_KEYS_UP_TO}))
    assert _paged_by_keys(contractor_list(**{**plain, "viewer": own.user}))  # their sets tested there
    assert _counted_by_keys(contractor_list(**{**plain, "viewer": own.user}))
    for active in (True, False):  # whether active is in the table of keys too
        assert _paged_by_keys(contractor_list(**plain, active=active))
        assert _counted_by_keys(contractor_list(**plain, active=active))
        assert _counted_by_keys(contractor_list(**{**plain, "ordering": "code"}, active=active))


def test_the_list_and_the_api_read_a_page_of_keys(client: Client, admin_op: Operator) -> None:
    _many()
    client.force_login(admin_op.user)
    _, raw = token_issue(user=admin_op.user, name="test")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    walked = list(contractor_list(viewer=admin_op.user, search="trans", ordering="-name"))
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/contractors?search=trans&ordering=-name&page_size=10&page=3").json()
    assert any("contractors_searchrow" in q["sql"] and "LIMIT" in q["sql"] for q in queries)
    assert [item["code"] for item in body["results"]] == [c.code for c in walked[20:30]]
    assert body["count"] == len(walked)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/kontrahenci/?q=trans&sort=-name&page_size=25&page=2")
    assert any("contractors_searchrow" in q["sql"] and "LIMIT" in q["sql"] for q in queries)
    assert [c.code for c in page.context["rows"]] == [c.code for c in walked[25:50]]


@pytest.mark.parametrize("unassigned", [UnassignedAccess.READ_ONLY, UnassignedAccess.DENIED])
@pytest.mark.parametrize("active", [None, True])
def test_an_own_only_viewers_search_is_counted_and_paged_by_keys(
    unassigned: str, active: bool | None, actor: Any, make_operator: Any, default_role: Any
) -> None:
    """Their sets of ids are tested on the rows of keys: the same rows as their
    contractors searched in the contractors table, in every order."""
    for number in range(130):
        Contractor.objects.create(
            code=f"T{(number * 37) % 1000:04d}", name=NAMES[number % len(NAMES)], active=number % 3 != 1
        )
    own = make_operator(username="own", visibility=Visibility.OWN, unassigned_access=unassigned)
    other = make_operator(username="other")
    by_code = list(Contractor.objects.order_by("code").values_list("pk", flat=True))
    for caretaker, ids in ((own, by_code[::3]), (other, by_code[1::3])):
        caretaker_add(
            actor=actor,
            contractor_ids=ids,
            operator_id=caretaker.pk,
            date_from=date(2020, 1, 1),
            role_id=default_role.pk,
        )
    theirs, nobody = set(by_code[::3]), set(by_code[2::3])
    for search in ("trans", "zak", "nothing"):
        alike = visible_contractors(viewer=own.user).filter(search_key__contains=search_text(search))
        if active is not None:
            alike = alike.filter(active=active)
        shown = set(alike.values_list("pk", flat=True))
        if search == "trans":  # theirs, and those of nobody when they may see them
            assert shown & theirs and not shown & set(by_code[1::3])
            assert bool(shown & nobody) == (unassigned == UnassignedAccess.READ_ONLY)
        for ordering in ("name", "-name", "code", "-code", "city"):
            every = [c.pk for c in alike.order_by(*ORDERINGS[ordering])]
            listed: dict[str, Any] = {
                "viewer": own.user,
                "search": search,
                "ordering": ordering,
                "active": active,
            }
            counted = contractor_list(**listed)
            assert _counted_by_keys(counted)
            assert counted.count() == len(every)
            keys = contractor_list(**listed, matches=len(every))
            assert _paged_by_keys(keys) == (ordering in ("name", "-name"))
            for bottom, top in [(0, 10), (10, 20), (30, 200)]:
                assert [c.pk for c in keys[bottom:top]] == every[bottom:top]
            paginator = EstimatingPaginator(keys, 7, estimate_from=None)
            pages = [c.pk for number in paginator.page_range for c in paginator.page(number).object_list]
            assert pages == every


def test_an_own_only_search_counted_by_keys_probes_its_sets_on_a_short_walk(
    actor: Any, make_operator: Any, default_role: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count from the table of keys tells how far a page in code order walks; a
    short walk tests each contractor by index probes into the two sets ("OFFSET 0")
    instead of hashing them whole, with the same rows."""
    _many()
    own = make_operator(
        username="own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY
    )
    by_code = list(Contractor.objects.order_by("code").values_list("pk", flat=True))
    _assign(actor, own.pk, by_code[::2], default_role)
    _assign(actor, make_operator(username="other").pk, by_code[1::4], default_role)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contractors_contractor")  # the estimate the walk is judged by
    alike = visible_contractors(viewer=own.user).filter(search_key__contains="trans").order_by("code")
    every = list(alike.values_list("pk", flat=True))
    assert 20 < len(every) < len(by_code)
    listed: dict[str, Any] = {"viewer": own.user, "search": "trans", "ordering": "code"}
    assert contractor_list(**listed).count() == len(every)
    for probe_cost, probed in ((1e9, False), (0.01, True)):
        monkeypatch.setattr(own_sets, "PROBE_COST", probe_cost)
        page = contractor_list(**listed, matches=len(every))
        assert ("OFFSET 0" in str(page[0:10].query)) == probed
        assert [c.pk for c in page[0:10]] == every[0:10]
        assert [c.pk for c in page[20:30]] == every[20:30]


@pytest.mark.parametrize(
    ("ordering", "unassigned"),
    [
        ("name", UnassignedAccess.READ_ONLY),
        ("-name", UnassignedAccess.READ_ONLY),
        ("name", UnassignedAccess.DENIED),
        ("code", UnassignedAccess.DENIED),
        ("-code", UnassignedAccess.DENIED),
    ],
)
def test_an_own_only_search_is_counted_and_paged_in_one_statement(
    ordering: str, unassigned: str, client: Client, actor: Any, make_operator: Any, default_role: Any
) -> None:
    """Sorted by name, or in code order with one set of ids, the list's page and its
    count come from one reading of the rows of keys (a window count): every page the
    same rows as the contractors table's, the count exact, one statement; a page past
    the end shows the last page, counted."""
    _many()
    own = make_operator(username="own", visibility=Visibility.OWN, unassigned_access=unassigned)
    by_code = list(Contractor.objects.order_by("code").values_list("pk", flat=True))
    _assign(actor, own.pk, by_code[::3], default_role)
    _assign(actor, make_operator(username="other").pk, by_code[1::3], default_role)
    alike = visible_contractors(viewer=own.user).filter(search_key__contains="trans")
    every = [c.code for c in alike.order_by(*ORDERINGS[ordering])]
    pages = (len(every) + 24) // 25
    assert pages >= 2
    client.force_login(own.user)
    shown: list[str] = []
    for number in range(1, pages + 1):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/kontrahenci/?q=trans&sort={ordering}&page_size=25&page={number}")
        reads = [q["sql"] for q in queries if "contractors_searchrow" in q["sql"]]
        assert len(reads) == 1 and "COUNT(*) OVER ()" in reads[0], reads
        # Read in one process: each parallel worker would build the viewer's sets again.
        sql = [q["sql"] for q in queries]
        at = sql.index(reads[0])
        assert sql[at - 1 : at + 2] == [SERIAL[0], reads[0], SERIAL[1]], sql[at - 1 : at + 2]
        assert page.context["page"].paginator.count == len(every)
        assert not page.context["estimated"]
        shown += [c.code for c in page.context["rows"]]
    assert shown == every
    for far in ("99", "9" * 30):  # past the end; past what an OFFSET holds
        last = client.get(f"/kontrahenci/?q=trans&sort={ordering}&page_size=25&page={far}")
        assert last.status_code == 200 and last.context["page"].number == pages
        assert [c.code for c in last.context["rows"]] == every[(pages - 1) * 25 :]
    none = client.get(f"/kontrahenci/?q=nothing-like-it&sort={ordering}")
    assert none.context["page"].paginator.count == 0 and none.context["rows"] == []


def test_which_own_only_searches_count_with_their_page(admin_op: Operator, make_operator: Any) -> None:
    """By name always; in code order with one set of ids (unassigned denied), not with
    two (a page in code order then walks the code index); never a viewer who sees all,
    nor another order, nor another filter."""
    _many()
    own = make_operator(
        username="own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.READ_ONLY
    )
    alone = make_operator(
        username="alone", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED
    )

    def listed(viewer: Any, ordering: str) -> Any:
        return contractor_list(viewer=viewer, search="trans", ordering=ordering)

    assert listed(own.user, "name").counts_with_page and listed(own.user, "-name").counts_with_page
    assert not listed(own.user, "code").counts_with_page and not listed(own.user, "-code").counts_with_page
    assert listed(alone.user, "code").counts_with_page and listed(alone.user, "-code").counts_with_page
    assert listed(alone.user, "name").counts_with_page and not listed(alone.user, "city").counts_with_page
    assert not listed(admin_op.user, "name").counts_with_page
    assert not getattr(listed(own.user, "name").filter(active=True), "counts_with_page", False)
    assert listed(own.user, "name").counted_page(10_000, 10_050) is None  # past the end: no count


@pytest.mark.parametrize("unassigned", [UnassignedAccess.READ_ONLY, UnassignedAccess.DENIED])
def test_an_own_only_count_joins_the_matches_to_the_sets_each_contractor_once(
    unassigned: str, actor: Any, make_operator: Any, default_role: Any
) -> None:
    """An operator main and deputy of one contractor, or main in two roles, holds it
    twice in their set: the count joined to the sets still counts it once, as the
    contractors table does."""
    _many()
    own = make_operator(username="own", visibility=Visibility.OWN, unassigned_access=unassigned)
    legal = CaretakerRole.objects.create(name="Opiekun prawny")
    by_code = list(Contractor.objects.order_by("code").values_list("pk", flat=True))
    _assign(actor, own.pk, by_code[::2], default_role)
    _assign(actor, own.pk, by_code[::4], default_role, AssignmentType.DEPUTY)
    _assign(actor, own.pk, by_code[::6], legal)
    _assign(actor, make_operator(username="other").pk, by_code[1::4], default_role)
    for search in ("trans", "zak", "nothing"):
        expected = visible_contractors(viewer=own.user).filter(search_key__contains=search_text(search))
        with CaptureQueriesContext(connection) as queries:
            counted = contractor_list(viewer=own.user, search=search).count()
        [count] = [q["sql"] for q in queries if "contractors_searchrow" in q["sql"]]
        assert "count(DISTINCT k.id)" in count and "contractors_contractor" not in count
        assert counted == len(set(expected.values_list("pk", flat=True)))
    assert counted == 0 < contractor_list(viewer=own.user, search="trans").count()
