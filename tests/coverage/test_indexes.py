"""The gap tables carry no index that another one already leads with
(coverage/0008_gaps_without_redundant_indexes): every gap a write inserts pays for each
index, and an import of new scopes inserts one of each kind per contractor."""

from __future__ import annotations

import pytest
from django.db import connection

from opiekun.coverage.models import ActingGap, CoverageGap

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> list[tuple[str, ...]]:
    """The leading columns of every non-unique B-tree index of ``table``."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return sorted(
        tuple(c["columns"][:2])
        for c in constraints.values()
        if c["index"] and not c["unique"] and not c["primary_key"] and c.get("type") != "gist"
    )


@pytest.mark.parametrize("model", [CoverageGap, ActingGap])
def test_gap_tables_keep_no_index_another_leads_with(model: type[CoverageGap | ActingGap]) -> None:
    assert _indexes(model._meta.db_table) == [
        ("branch_id",),  # a branch's deletion
        ("contractor_id", "role_id"),  # one contractor's gaps; a contractor's deletion
        ("last_operator_id",),  # an operator's deletion (set null)
        ("role_id", "branch_id"),  # gaps in a scope on a day; a role's deletion
    ]
