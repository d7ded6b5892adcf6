"""Every ordering the contractor list and the API offer is read off an index (no sort
of the whole list), on SQLite and PostgreSQL; today's main caretaker, which no index
can order, is not offered and asking for it is a field error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

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
