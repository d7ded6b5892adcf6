"""The selection's check (`inputs.check_selection`, `inputs.report_unchangeable`): a
selection whose every contractor is there is counted, not read back id by id, and the
count reads an index of the ids alone, never the contractors' rows
(docs/performance.md, "SQLite KEEP, third round")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from opiekun.bulk import id_list
from opiekun.caretakers.services.inputs import FieldErrors, check_selection
from opiekun.contractors.models import Contractor
from tests.plans import query_plan

pytestmark = pytest.mark.django_db


def _contractor_reads(actor: Any, ids: list[int], *, lock: bool) -> list[str]:
    errors = FieldErrors()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        assert check_selection(errors, actor, ids, lock=lock) == tuple(sorted(ids))
    assert not errors.messages
    return [q["sql"] for q in queries.captured_queries if "contractors_contractor" in q["sql"]]


@pytest.mark.parametrize("lock", [False, True])
def test_a_selection_found_whole_is_counted_not_read_back(
    actor: Any, make_contractors: Callable[[int], list[Contractor]], lock: bool
) -> None:
    ids = [c.pk for c in make_contractors(5)]
    reads = _contractor_reads(actor, ids[::-1], lock=lock)
    if lock and connection.features.has_select_for_update:
        # PostgreSQL: the same read locks them, in primary-key order
        assert len(reads) == 1 and "FOR UPDATE" in reads[0] and "ORDER BY" in reads[0], reads
    else:
        assert len(reads) == 1 and reads[0].startswith("SELECT COUNT(*)"), reads


def test_the_count_reads_an_index_of_the_ids_alone(
    make_contractors: Callable[[int], list[Contractor]],
) -> None:
    ids = [c.pk for c in make_contractors(5)]
    counted = Contractor.objects.filter(pk__in=id_list(ids))
    sql, params = counted.order_by().values("pk").query.sql_with_params()
    plan = query_plan(sql.replace('SELECT "contractors_contractor"."id"', "SELECT COUNT(*)", 1), params)
    if connection.vendor == "sqlite":  # its rows lie in the id's own b-tree: contractors/0007
        assert "COVERING INDEX contractor_ids" in plan, plan
    else:
        assert "contractors_contractor_pkey" in plan, plan
