"""`opiekun search-rows-pack` writes the table of keys again (contractors/search_rows.py):
on PostgreSQL the same rows, laid out in name order by scattered runs, every page of a
search still the contractors table's; SQLite has no such table and says so."""

from __future__ import annotations

from io import StringIO
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from opiekun.contractors.models import Contractor, SearchRow
from opiekun.contractors.search_rows import CHUNK
from opiekun.contractors.selectors import contractor_list

pytestmark = pytest.mark.django_db

MANY = 4 * CHUNK + 7


def _packed() -> str:
    out = StringIO()
    call_command("search-rows-pack", stdout=out)
    return out.getvalue()


def test_the_command_says_what_it_wrote() -> None:
    if connection.vendor == "postgresql":
        assert _packed() == "The table of keys written again: 0 rows.\n"
    else:
        assert _packed() == "Nothing to pack: this database (SQLite) has no table of keys.\n"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the table of keys is PostgreSQL's")
def test_packed_rows_are_the_same_in_scattered_runs_of_names(actor: Any) -> None:
    # Codes and names in opposite orders, so that the table's order is neither.
    Contractor.objects.bulk_create(
        Contractor(code=f"P{MANY - n:05d}", name=f"Firma {(n * 7919) % MANY:05d}", active=n % 5 > 0)
        for n in range(MANY)
    )
    Contractor.objects.filter(code="P00001").delete()
    assert _packed() == f"The table of keys written again: {MANY - 1:,} rows.\n"
    copied = ("id", "search_key", "name_key", "code", "active")
    kept = set(SearchRow.objects.values_list(*copied))
    assert kept == set(Contractor.objects.values_list(*copied))
    assert {row[-1] for row in kept} == {True, False}
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_key, code FROM contractors_searchrow ORDER BY ctid")
        laid = cursor.fetchall()
    falls = sum(1 for before, after in pairwise(laid) if after < before)
    # In name order but for the places where one run of rows ends and another begins.
    assert 1 <= falls <= len(laid) // CHUNK
    for ordering in ("name", "-name"):
        by_keys = contractor_list(viewer=actor, search="firma", ordering=ordering, matches=MANY - 1)
        walked = [c.pk for c in contractor_list(viewer=actor, search="firma", ordering=ordering)]
        assert "contractors_searchrow" in str(by_keys[0:10].query)
        for bottom, top in [(0, 50), (500, 550), (MANY - 60, MANY)]:
            assert [c.pk for c in by_keys[bottom:top]] == walked[bottom:top]
