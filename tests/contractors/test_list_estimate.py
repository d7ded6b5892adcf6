"""The contractors' list of a viewer who sees everyone, unfiltered, past
``settings.LIST_ESTIMATE_FROM`` contractors: on PostgreSQL the planner's estimate,
shown as such ("z ok. N"), instead of counting every contractor; filtered, for an
own-only viewer, below the threshold and on SQLite, the exact count."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss_client(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


def _contractor_counts(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and 'FROM "contractors_contractor"' in q["sql"]
    ]


def _estimate() -> int:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contractors_contractor")
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'contractors_contractor'::regclass")
        return int(cursor.fetchone()[0])


def test_an_unfiltered_list_past_the_threshold_shows_the_planners_estimate(
    boss_client: Client, make_contractors: Callable[[int], list[Contractor]], settings: Any
) -> None:
    make_contractors(120)
    settings.LIST_ESTIMATE_FROM = 100
    exact = Contractor.objects.count()
    estimate = _estimate() if connection.vendor == "postgresql" else exact
    with CaptureQueriesContext(connection) as queries:
        page = boss_client.get("/kontrahenci/").content.decode()
    if connection.vendor == "postgresql":
        assert estimate >= 100
        assert f'data-total="{estimate}"' in page
        assert "z ok." in page and "(ok." in page  # the pager and "select all" say it is an estimate
        assert not _contractor_counts(queries)  # no contractor was counted
    else:  # SQLite keeps no estimate: it counts
        assert f'data-total="{exact}"' in page and "z ok." not in page
        assert _contractor_counts(queries)


@pytest.mark.parametrize("query", ["?q=Firma", "?active=1", "?no_caretaker=1"])
def test_a_filtered_list_counts_exactly(
    boss_client: Client, make_contractors: Callable[[int], list[Contractor]], settings: Any, query: str
) -> None:
    make_contractors(120)
    settings.LIST_ESTIMATE_FROM = 100
    if connection.vendor == "postgresql":
        _estimate()
    page = boss_client.get(f"/kontrahenci/{query}").content.decode()
    assert "z ok." not in page
    assert 'data-total="120"' in page


def test_below_the_threshold_the_count_is_exact(
    boss_client: Client, make_contractors: Callable[[int], list[Contractor]]
) -> None:
    make_contractors(120)
    if connection.vendor == "postgresql":
        _estimate()
    page = boss_client.get("/kontrahenci/").content.decode()  # the threshold: 100,000
    assert 'data-total="120"' in page and "z ok." not in page


def test_the_pages_correct_the_estimate_of_an_unfiltered_list(
    boss_client: Client, make_contractors: Callable[[int], list[Contractor]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table's statistics may be stale (rows deleted since): the last page is exact,
    and a page the estimate promised past the real end shows the real last page."""
    from opiekun.contractors import views

    make_contractors(120)
    monkeypatch.setattr(views, "contractor_list_estimate", lambda **kwargs: 5_000)
    first = boss_client.get("/kontrahenci/").content.decode()
    assert "1–50 z ok. 5\xa0000" in first
    for page in ("3", "100"):  # the real last page; the estimate's last page
        text = boss_client.get("/kontrahenci/", {"page": page}).content.decode()
        assert "101–120 z 120" in text and "Strona 3 z 3" in text, page


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite keeps no estimate: it counts")
def test_a_long_search_s_estimate_stays_near_its_count(boss_client: Client, settings: Any) -> None:
    """The list of a long search shows the planner's estimate, from the share of the
    search key's sampled values holding the word. Here 363 of 6,000 contractors are
    "Kowalski", spread over the codes by a hash: with the default sample (101 values)
    the list showed "about 180"; with migration 0013's (1,001 values), "about 370"."""
    Contractor.objects.bulk_create(
        Contractor(code=f"E{i:07d}", name=f"{'Kowalski' if _spread(i) else 'Firma'} {i}")
        for i in range(1, 6001)
    )
    truth = Contractor.objects.filter(name__startswith="Kowalski").count()
    settings.COUNT_ESTIMATE_FROM = 100
    _estimate()
    page = boss_client.get("/kontrahenci/?q=kowalski").content.decode()
    found = re.search(r'data-total="(\d+)"', page)
    assert found is not None and "z ok." in page  # an estimate, shown as such
    assert truth * 0.75 <= int(found.group(1)) <= truth * 1.25, (found.group(1), truth)


def _spread(number: int) -> bool:
    """Whether contractor ``number`` is a Kowalski: 363 of the first 6,000, by a hash."""
    return (number * 2_654_435_761) % 2**32 % 100 < 6


def test_an_exact_count_is_grouped_as_the_language_writes_it(
    boss_client: Client, make_contractors: Callable[[int], list[Contractor]], settings: Any
) -> None:
    """Counted, as estimated: "1–50 z 1 200", "Zaznacz wszystkich 1 200", "Strona 24 z 24"
    and the far end "1 151–1 200"; in English with commas."""
    make_contractors(1200)
    first = boss_client.get("/kontrahenci/").content.decode()
    assert "1–50 z 1\xa0200" in first and "z ok." not in first
    assert "Zaznacz wszystkich 1\xa0200 kontrahentów" in first
    last = boss_client.get("/kontrahenci/", {"page": "24"}).content.decode()
    assert "1\xa0151–1\xa0200 z 1\xa0200" in last and "Strona 24 z 24" in last
    boss_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = boss_client.get("/kontrahenci/", {"page": "24"}).content.decode()
    assert "1,151–1,200 of 1,200" in english and "Select all 1,200 contractors" in english
