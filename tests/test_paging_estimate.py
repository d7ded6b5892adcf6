"""A long filtered list on a page is not counted: past ``settings.COUNT_ESTIMATE_FROM``
rows by PostgreSQL's planner, the pager shows that estimate ("about N"), and each page
read corrects it (docs/semantics.md, "Counts of long lists"). SQLite has no estimate:
it counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opiekun import paging
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator
from opiekun.paging import EstimatingPaginator, about, planned_rows

pytestmark = pytest.mark.django_db

POSTGRES = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the planner's estimate is PostgreSQL's"
)


@pytest.mark.parametrize(
    ("number", "shown"),
    [(0, 0), (7, 7), (99, 99), (123, 120), (60_580, 61_000), (1_308_413, 1_300_000), (95, 95), (996, 1_000)],
)
def test_an_estimate_is_shown_to_two_digits(number: int, shown: int) -> None:
    assert about(number) == shown


def _analyze(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


def _counts(queries: CaptureQueriesContext, table: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and table in q["sql"]]


@pytest.fixture
def sixty(make_contractors: Callable[[int], list[Contractor]]) -> Any:
    make_contractors(60)
    if connection.vendor == "postgresql":
        _analyze("contractors_contractor")
    return Contractor.objects.filter(active=True).order_by("code")


def test_the_planner_estimates_on_postgresql_only(sixty: Any) -> None:
    planned = planned_rows(sixty)
    if connection.vendor == "postgresql":
        assert planned is not None and 30 <= planned <= 120  # near the 60 rows, from the statistics
    else:
        assert planned is None


def test_below_the_threshold_or_on_sqlite_it_counts(sixty: Any) -> None:
    paginator = EstimatingPaginator(sixty, 10, estimate_from=10_000)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 60
    assert not paginator.estimated and _counts(queries, "contractors_contractor")
    if connection.vendor == "sqlite":
        assert EstimatingPaginator(sixty, 10, estimate_from=1).count == 60


@POSTGRES
def test_past_the_threshold_the_estimate_stands_for_the_count(sixty: Any) -> None:
    paginator = EstimatingPaginator(sixty, 10, estimate_from=1)
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
        page = paginator.page(2)
    assert count == about(planned_rows(sixty) or 0) and paginator.estimated
    assert not _counts(queries, "contractors_contractor")  # nothing was counted
    assert [c.pk for c in page] == [c.pk for c in Paginator(sixty, 10).page(2)]
    assert page.has_next()


@pytest.mark.parametrize("estimate", [20, 60, 500])  # too low, right, too high
def test_the_pages_are_django_s_whatever_the_estimate(
    sixty: Any, monkeypatch: pytest.MonkeyPatch, estimate: int
) -> None:
    """The planner's figure can be far off either way: the rows of each page, and
    whether a next page exists, never depend on it."""
    monkeypatch.setattr(paging, "planned_rows", lambda rows: estimate)
    django = Paginator(sixty, 10)
    for number in range(1, 7):
        paginator = EstimatingPaginator(sixty, 10, estimate_from=1)
        page = paginator.get_page(number)
        assert [c.pk for c in page] == [c.pk for c in django.page(number)], (estimate, number)
        assert page.has_next() == (number < 6), (estimate, number)
        assert page.start_index() == (number - 1) * 10 + 1
        if number == 6:  # the page that ends the list makes the count exact
            assert (paginator.count, paginator.estimated) == (60, False)
            assert page.end_index() == 60


def test_a_page_past_the_end_of_a_shorter_list_counts_and_shows_the_last(
    sixty: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "planned_rows", lambda rows: 500)
    paginator = EstimatingPaginator(sixty, 10, estimate_from=1)
    assert paginator.num_pages == 50  # as estimated
    page = paginator.get_page(40)
    assert (paginator.count, paginator.estimated, paginator.num_pages) == (60, False, 6)
    assert page.number == 6 and [c.pk for c in page] == [c.pk for c in Paginator(sixty, 10).page(6)]
    assert not page.has_next()


def test_a_list_on_one_page_is_exact_at_once(make_contractors: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    make_contractors(3)
    monkeypatch.setattr(paging, "planned_rows", lambda rows: 40_000)
    paginator = EstimatingPaginator(Contractor.objects.order_by("code"), 10, estimate_from=1)
    page = paginator.get_page(1)
    assert (paginator.count, paginator.estimated, len(page)) == (3, False, 3)


@pytest.fixture
def boss(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


@pytest.fixture
def assignments(portfolio_of: Callable[[int], list[Contractor]]) -> int:
    """120 contractors with one main caretaker each since 2030-01-01 (the writer's)."""
    portfolio_of(120)
    if connection.vendor == "postgresql":
        _analyze("caretakers_caretakerassignment")
    return 120


def test_the_report_shows_an_estimate_as_such(boss: Client, assignments: int, settings: Any) -> None:
    settings.COUNT_ESTIMATE_FROM = 1
    with CaptureQueriesContext(connection) as queries:
        first = boss.get("/raporty/kontrahenci-wg-opiekuna/", {"date_from": "2030-01-01"})
    text = first.content.decode()
    if connection.vendor == "postgresql":
        shown = f"{first.context['page'].paginator.count:,}".replace(
            ",", "\xa0"
        )  # grouped, as Polish writes it
        assert f"około {shown} przypisa" in text and f"z ok. {shown}" in text and "Strona 1 z ok." in text
        assert not [sql for sql in _counts(queries, "caretakers_caretakerassignment") if "2030-01-01" in sql]
    else:
        assert "120 przypisań" in text and "ok." not in text
    last = boss.get("/raporty/kontrahenci-wg-opiekuna/", {"date_from": "2030-01-01", "page": "3"})
    text = last.content.decode()
    assert "120 przypisań" in text and "101–120 z 120" in text and "Strona 3 z 3" in text  # the end: exact
    assert len(last.context["page"]) == 20


def test_the_report_counts_below_the_threshold(boss: Client, assignments: int) -> None:
    text = boss.get("/raporty/kontrahenci-wg-opiekuna/", {"date_from": "2030-01-01"}).content.decode()
    assert "120 przypisań" in text and "1–50 z 120" in text and "ok." not in text


def test_the_english_report_says_about(boss: Client, assignments: int, settings: Any) -> None:
    settings.COUNT_ESTIMATE_FROM = 1
    boss.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = boss.get("/raporty/kontrahenci-wg-opiekuna/", {"date_from": "2030-01-01"})
    text = page.content.decode()
    if connection.vendor == "postgresql":
        assert "about " in text and "Page 1 of about" in text
    else:
        assert "120 assignments" in text and "of about" not in text


def test_a_search_of_many_contractors_shows_an_estimate(
    boss: Client,
    make_contractors: Callable[[int], list[Contractor]],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The contractors' list pages by the estimate (here a planner's figure of 5,000 for
    the 60 matches, on both engines), and its last page is exact."""
    make_contractors(60)
    settings.COUNT_ESTIMATE_FROM = 1_000
    monkeypatch.setattr(paging, "planned_rows", lambda rows: 5_000)
    page = boss.get("/kontrahenci/", {"q": "Firma", "sort": "name"})
    text = page.content.decode()
    rows = page.context["rows"]
    assert [c.name for c in rows] == sorted(c.name for c in Contractor.objects.all())[: len(rows)]
    assert "1–50 z ok. 5\xa0000" in text and "Strona 1 z ok. 100" in text
    assert "Zaznacz wszystkich (ok. 5\xa0000)" in text or "(ok. 5\xa0000)" in text
    last = boss.get("/kontrahenci/", {"q": "Firma", "sort": "name", "page": "2"}).content.decode()
    assert "51–60 z 60" in last and "ok." not in last.split('class="pager"')[1]


def test_an_own_only_operator_s_lists_are_counted(
    client: Client, sellers: list[Operator], assignments: int, settings: Any
) -> None:
    """The visibility's subqueries make the planner's figure unreliable: counted."""
    settings.COUNT_ESTIMATE_FROM = 1
    anna = sellers[0]  # the caretaker of the 120
    anna.visibility = "own"
    anna.save()
    client.force_login(anna.user)
    report = client.get("/raporty/kontrahenci-wg-opiekuna/", {"date_from": "2030-01-01"})
    listed = client.get("/kontrahenci/", {"q": "Firma"})
    for page in (report.context["page"], listed.context["page"]):
        assert page.has_next() and not page.paginator.estimated  # a long list, counted
    assert report.context["page"].paginator.count == 120
    assert "ok." not in report.content.decode() and "z ok." not in listed.content.decode()


def test_a_list_that_can_hold_nothing_is_not_asked_of_the_planner(
    boss: Client, make_contractors: Callable[[int], list[Contractor]], settings: Any
) -> None:
    """A bad filter lists nothing (``none()``, a query with no SQL): 0 and its 400, not a 500."""
    make_contractors(3)
    settings.COUNT_ESTIMATE_FROM = 1
    assert planned_rows(Contractor.objects.none()) in (0, None)
    page = boss.get("/kontrahenci/", {"caretaker": "abc"})
    assert page.status_code == 400 and page.context["page"].paginator.count == 0
