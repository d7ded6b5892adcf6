"""The contractor table and its audit trail keep only the indexes a query needs
(migration 0006): each one costs every created or imported contractor; and the
queries that looked contractors up by NIP still read an index."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from opiekun.contractors.models import Contractor
from opiekun.contractors.selectors import contractor_list
from tests.plans import query_plan

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: list(c["columns"]) for name, c in found.items() if c["index"] or c["unique"] or c["primary_key"]
    }


def test_the_contractors_indexes_are_those_a_query_needs() -> None:
    columns = sorted(map(tuple, _indexes("contractors_contractor").values()))
    expected: list[tuple[str, ...]] = [
        ("code",),  # unique
        ("created_by_id",),  # a deleted user's contractors lose their creator
        ("id",),
    ]
    orderings: list[tuple[str, ...]] = [("city_key", "code"), ("name_key", "code"), ("nip", "code")]
    if connection.vendor == "postgresql":
        expected += [("nip",), ("search_key",)]  # the NIP's prefix search, the trigram search
        # The list's orderings carry the id, for a far page's skipped ids (0008).
        expected += [(*columns, "id") for columns in [*orderings, ("code",)]]
    else:
        expected += [("id",), *orderings]  # the ids alone, for a selection's check (0007)
    assert columns == sorted(expected)


def test_the_contractors_audit_trail_is_indexed_by_contractor_and_date_only() -> None:
    columns = sorted(map(tuple, _indexes("contractors_historicalcontractor").values()))
    assert columns == sorted([("history_id",), ("id",), ("history_date",), ("history_user_id",)])


def _plan(queryset: Any) -> str:
    return query_plan(*queryset.query.sql_with_params())


def test_lookups_by_nip_read_an_index(actor: Any, make_contractors: Any) -> None:
    make_contractors(3)
    # either index over the NIP (on PostgreSQL its varchar_pattern_ops one serves = too)
    plan = _plan(Contractor.objects.filter(nip__in=["5260250274", "1"]).order_by().values("pk"))
    assert "contractor_nip_code" in plan or "contractors_contractor_nip_bf1119f5_like" in plan, plan
    assert "contractor_nip_code" in _plan(contractor_list(viewer=actor, ordering="nip")[:50])
    if connection.vendor == "postgresql":  # the prefix search: its varchar_pattern_ops index
        found = contractor_list(viewer=actor, search="526025").order_by().values("pk")
        assert "contractors_contractor_nip_bf1119f5_like" in _plan(found)


ORDERING_KEYS = {
    "code": ("code",),
    "-code": ("code",),
    "name": ("name_key", "code"),
    "nip": ("nip", "code"),
    "city": ("city_key", "code"),
}


@pytest.mark.parametrize("ordering", list(ORDERING_KEYS))
def test_a_far_page_skips_its_rows_by_the_ordering_index_alone(actor: Any, ordering: str) -> None:
    """The ids a far page skips (`paging.page_rows`) can be read from the ordering's
    index alone: on PostgreSQL an index of the ordering's columns that carries the id
    (0008; on the million, `EXPLAIN` of page 2,000's ids shows an index-only scan of
    it). The planner's choice on the suite's tiny table, never vacuumed, is no evidence
    there: an index-only scan costs it as much as the unique index's scan. SQLite's
    indexes hold the rowid, and its plan says so."""
    if connection.vendor == "postgresql":
        covering = (*ORDERING_KEYS[ordering], "id")
        assert covering in map(tuple, _indexes("contractors_contractor").values())
        return
    skipped = contractor_list(viewer=actor, ordering=ordering).values_list("pk", flat=True)[1000:1050]
    plan = _plan(skipped)
    assert "COVERING INDEX" in plan, plan
