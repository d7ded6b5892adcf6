"""Every ordering the contractor list and the API offer is read off an index (no sort
of the whole list), on SQLite and PostgreSQL; today's main caretaker, which no index
can order, is not offered and asking for it is a field error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import ORDERINGS, contractor_list
from opiekun.operators.models import Operator
from opiekun.operators.tokens import token_issue

pytestmark = pytest.mark.django_db


def _outer_sorts(queryset: Any) -> list[str]:
    """The sorts the query's own plan does (not those of its per-row subqueries)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Sorting made as dear as it gets: a plan that still sorts has no index to read.
            cursor.execute("SET LOCAL enable_sort = off")
            # Nor a sort of the rows one index leaves in groups (nip, then code): the
            # composite index gives the whole order, and is what the question is about.
            cursor.execute("SET LOCAL enable_incremental_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            node, sorts = plan[0]["Plan"], []
            while node is not None:
                if "Sort" in node["Node Type"]:
                    sorts.append(node["Node Type"])
                children = [p for p in node.get("Plans", []) if p.get("Parent Relationship") == "Outer"]
                node = children[0] if children else None
            return sorts
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[3] for row in cursor.fetchall() if row[1] == 0 and "TEMP B-TREE" in row[3]]


@pytest.mark.parametrize("ordering", list(ORDERINGS))
def test_every_offered_ordering_is_read_off_an_index(
    ordering: str, actor: Any, make_contractors: Any
) -> None:
    make_contractors(30)
    last_page = contractor_list(viewer=actor, ordering=ordering)[20:30]
    assert _outer_sorts(last_page) == []
    assert len(list(last_page)) == 10


def test_a_page_computes_nothing_per_row(actor: Any) -> None:
    """No subquery in the select list: PostgreSQL would run it for every row an OFFSET
    skips (4.5 s for the last page of 100,000); a page's caretakers are read afterwards,
    for that page only."""
    sql = str(contractor_list(viewer=actor, ordering="-name")[99_950:100_000].query)
    select_list = sql[: sql.index(" FROM ")]
    assert "SELECT" not in select_list[len("SELECT") :]


def test_orderings_are_total_and_break_ties_by_code(actor: Any, make_contractors: Any) -> None:
    made = make_contractors(4)
    for c in made:
        c.name, c.city = "Same", "Kraków"
        c.save()
    codes = [c.code for c in made]
    for ordering in ("name", "city", "nip"):
        assert [c.code for c in contractor_list(viewer=actor, ordering=ordering)] == codes
        assert [c.code for c in contractor_list(viewer=actor, ordering="-" + ordering)] == codes[::-1]


def test_the_caretaker_column_is_not_offered_for_sorting(client: Client, admin_op: Operator) -> None:
    assert "caretaker" not in ORDERINGS and "-caretaker" not in ORDERINGS
    client.force_login(admin_op.user)
    response = client.get("/kontrahenci/?sort=-caretaker")
    assert response.status_code == 200
    assert response.context["sort"] == "code"
    assert any("-caretaker" in e for e in response.context["filter_errors"])
    assert "sort=caretaker" not in response.content.decode()  # no link in the header


def test_the_api_answers_ordering_by_caretaker_with_422(admin_op: Operator) -> None:
    _, raw = token_issue(user=admin_op.user, name="test")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    for ordering in ("caretaker", "-caretaker"):
        response = api.get(f"/api/v1/contractors?ordering={ordering}")
        assert response.status_code == 422
        assert [e["loc"] for e in response.json()["detail"]] == [["query", "ordering"]]


@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_a_search_sorted_by_name_with_few_matches_sorts_them_on_postgresql(
    ordering: str, actor: Any, make_contractors: Any
) -> None:
    """PostgreSQL walked the name index to the matches, reading every name before them
    (1 s at a million for a surname); with a count of few matches it sorts them instead.
    SQLite, without a trigram index, keeps the walk. Without a count, or with many
    matches, the index order stays. (With no filter but the search (and whether active), PostgreSQL reads the
    matches from the table of keys instead: tests/contractors/test_search_rows.py.)"""
    make_contractors(30)
    few = contractor_list(viewer=actor, search="firma", ordering=ordering, matches=30, without_caretaker=True)
    sorted_here = ["Sort"] if connection.vendor == "postgresql" else []
    assert [s for s in _outer_sorts(few[:10]) if "Sort" in s][:1] == sorted_here
    for matches in (None, 100_001):
        walked = contractor_list(
            viewer=actor, search="firma", ordering=ordering, matches=matches, without_caretaker=True
        )
        assert _outer_sorts(walked[:10]) == []


@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_sorting_a_searchs_few_matches_keeps_the_order_of_the_name_index(ordering: str, actor: Any) -> None:
    """The Polish alphabet, case and foreign accents aside, equal names by code."""
    names = [
        "Łódź Trans",
        "Lublin Trans",
        "lodz trans",
        "Żuraw Trans",
        "Zorza Trans",
        "Émile Trans",
        "Emil Trans",
    ]
    names += ["Ąbc Trans", "Abc Trans", "Abc Trans", "Ćma Trans", "Cma Trans", "Other"]
    for number, name in enumerate(names):
        Contractor.objects.create(code=f"T{(number * 7) % 13:02d}", name=name)
    index = [c.code for c in contractor_list(viewer=actor, search="trans", ordering=ordering)]
    sorted_matches = contractor_list(
        viewer=actor, search="trans", ordering=ordering, matches=12, without_caretaker=True
    )
    assert [c.code for c in sorted_matches] == index
    assert len(index) == 12


def test_the_list_page_and_the_api_pass_their_count_to_a_search_by_name(
    client: Client, admin_op: Operator, make_contractors: Any
) -> None:
    """The count they read anyway is what lets a search sorted by name sort its matches."""
    make_contractors(12)
    client.force_login(admin_op.user)
    _, raw = token_issue(user=admin_op.user, name="test")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    sorting = connection.vendor == "postgresql"
    for asked, url in [
        (client, "/kontrahenci/?q=firma&sort=-name&no_caretaker=1"),
        (api, "/api/v1/contractors?search=firma&ordering=-name&without_caretaker=true"),
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert asked.get(url).status_code == 200
        pages = [
            q["sql"]
            for q in queries
            if "LIMIT" in q["sql"] and "ORDER BY" in q["sql"] and "name_key" in q["sql"]
        ]
        assert pages, url
        assert all(("||" in sql.rsplit("ORDER BY", 1)[1]) == sorting for sql in pages), pages
