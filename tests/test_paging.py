"""A far page of a list shown with its related rows reads the skipped rows as ids and
the page's rows by id: the same rows in the same order as one query with an OFFSET."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opiekun import paging
from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.selectors import ORDERINGS, AssignmentFilters, assignment_list
from opiekun.operators.models import Operator
from opiekun.operators.tokens import token_issue
from opiekun.paging import IdsFirstPaginator, page_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(
    make_operator: Callable[..., Operator], make_contractors: Any, default_role: CaretakerRole
) -> list[CaretakerAssignment]:
    """23 assignments; days, contractors and operators repeat, so orderings have ties."""
    operators = [make_operator(name) for name in ("zofia", "adam", "marek")]
    contractors = make_contractors(8)
    return [
        CaretakerAssignment.objects.create(
            contractor=contractors[n % 8],
            operator=operators[n % 3],
            role=default_role,
            type="deputy",
            date_from=date(2030, 1, 1) + timedelta(days=(n % 4) * 40 + 50 * (n // 8)),
            date_to=date(2030, 1, 1) + timedelta(days=(n % 4) * 40 + 50 * (n // 8) + 20),
        )
        for n in range(23)
    ]


@pytest.mark.parametrize("ordering", list(ORDERINGS))
def test_every_page_holds_the_rows_an_offset_gives(
    actor: Any, rows: list[CaretakerAssignment], ordering: str
) -> None:
    listed = assignment_list(viewer=actor, filters=AssignmentFilters(ordering=ordering))
    everything = [row.pk for row in listed]
    assert len(everything) == 23
    for bottom, top in [(0, 5), (5, 10), (20, 25), (22, 23), (3, 3)]:
        with CaptureQueriesContext(connection) as queries:
            page = page_rows(listed, bottom, top, ids_first_from=0)
            names = [(row.contractor.code, row.operator.user.username, row.role.name) for row in page]
        assert [row.pk for row in page] == everything[bottom:top], (ordering, bottom)
        assert len(names) == len(page)
        assert len(queries) == (2 if top > bottom else 0)  # the related rows came along


def test_a_near_page_is_one_query(actor: Any, rows: list[CaretakerAssignment]) -> None:
    listed = assignment_list(viewer=actor, filters=AssignmentFilters())
    with CaptureQueriesContext(connection) as queries:
        assert len(page_rows(listed, 10, 15)) == 5
    assert len(queries) == 1


def test_the_paginator_gives_django_s_pages_orphans_included(
    actor: Any, rows: list[CaretakerAssignment], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "IDS_FIRST_FROM", 0)
    listed = assignment_list(viewer=actor, filters=AssignmentFilters(ordering="contractor"))
    for per_page, orphans in [(5, 0), (5, 3), (10, 2)]:
        ours, django = IdsFirstPaginator(listed, per_page, orphans), Paginator(listed, per_page, orphans)
        assert ours.num_pages == django.num_pages
        for number in ours.page_range:
            assert [r.pk for r in ours.page(number)] == [r.pk for r in django.page(number)]


def test_the_report_and_the_api_page_the_same_way(
    client: Client, admin_op: Operator, rows: list[CaretakerAssignment], monkeypatch: pytest.MonkeyPatch
) -> None:
    filters = AssignmentFilters(ordering="operator")
    listed = [r.pk for r in assignment_list(viewer=admin_op.user, filters=filters)]
    monkeypatch.setattr(paging, "IDS_FIRST_FROM", 0)
    client.force_login(admin_op.user)
    report = client.get("/raporty/kontrahenci-wg-opiekuna/", {"date_from": "2029-01-01", "sort": "operator"})
    assert [row.pk for row in report.context["page"]] == listed
    _, raw = token_issue(user=admin_op.user, name="test")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    for page in (2, 3, 5):
        answer = api.get("/api/v1/caretakers", {"ordering": "operator", "page": page, "page_size": 5})
        assert [row["id"] for row in answer.json()["results"]] == listed[(page - 1) * 5 : page * 5]


@pytest.mark.parametrize(
    ("ordering", "ids_first"), [("operator", True), ("-role", True), ("-date_from", False)]
)
def test_a_sort_of_every_row_joins_only_the_page_s_rows(
    client: Client, admin_op: Operator, rows: list[CaretakerAssignment], ordering: str, ids_first: bool
) -> None:
    """Sorted by a column no index reads in order, even the first page reads its ids
    first: joining every row of the list to its contractor before the sort took 1.6 s
    for one operator's year at a million contractors."""
    client.force_login(admin_op.user)
    with CaptureQueriesContext(connection) as queries:
        report = client.get(
            "/raporty/kontrahenci-wg-opiekuna/", {"date_from": "2029-01-01", "sort": ordering}
        )
    ids = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(IDS_ONLY)]
    assert bool(ids) == ids_first
    listed = assignment_list(viewer=admin_op.user, filters=AssignmentFilters(ordering=ordering))
    assert [row.pk for row in report.context["page"]] == [row.pk for row in listed]


IDS_ONLY = 'SELECT "caretakers_caretakerassignment"."id" AS "pk" FROM'


@pytest.mark.parametrize(
    ("ordering", "ids_first"), [("operator", True), ("-contractor", True), ("-date_from", False)]
)
def test_the_api_too_joins_only_the_page_s_rows_of_a_whole_sort(
    admin_op: Operator, rows: list[CaretakerAssignment], ordering: str, ids_first: bool
) -> None:
    _, raw = token_issue(user=admin_op.user, name="test")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    with CaptureQueriesContext(connection) as queries:
        answer = api.get("/api/v1/caretakers", {"ordering": ordering, "page_size": "5"})
    assert bool([q for q in queries.captured_queries if q["sql"].startswith(IDS_ONLY)]) == ids_first
    listed = assignment_list(viewer=admin_op.user, filters=AssignmentFilters(ordering=ordering))
    assert [row["id"] for row in answer.json()["results"]] == [row.pk for row in listed][:5]


@pytest.mark.parametrize("ordering", ["code", "-name", "nip", "city"])
def test_a_far_page_of_plain_rows_skips_them_as_ids_too(
    actor: Any, make_contractors: Any, ordering: str
) -> None:
    """The contractors list joins nothing, but an OFFSET still visits each skipped row:
    its far pages read the skipped rows' ids first as well, from the ordering's index
    alone (contractors migration 0008), then the page's rows by id."""
    from opiekun.contractors.selectors import contractor_list

    make_contractors(12)
    listed = contractor_list(viewer=actor, ordering=ordering)
    everything = [c.pk for c in listed]
    for bottom, top in [(0, 4), (4, 9), (9, 12)]:
        with CaptureQueriesContext(connection) as queries:
            page = page_rows(listed.all(), bottom, top, ids_first_from=4)
        assert [c.pk for c in page] == everything[bottom:top], (ordering, bottom)
        skipped_as_ids = bottom >= 4
        assert len(queries) == (2 if skipped_as_ids else 1)
        first = queries[0]["sql"]
        assert first.startswith('SELECT "contractors_contractor"."id" AS "pk" FROM') == skipped_as_ids, first
