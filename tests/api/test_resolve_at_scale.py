"""POST /caretakers/resolve: what keeps 10,000 items fast (docs/performance.md,
"Resolving caretakers in bulk") — the collector paused while the answer is built, the
two large reads unordered, and on PostgreSQL a scope index that covers what is read."""

from __future__ import annotations

import gc
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.resolving import resolve
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db

DAY = "2030-06-15"


def _post(api: Client, items: list[dict[str, Any]]) -> Any:
    return api.post("/api/v1/caretakers/resolve", {"items": items}, content_type="application/json")


def test_the_answer_is_built_with_the_collector_paused_and_the_collector_comes_back(
    api: Client, contractor: Contractor, admin_op: Operator, default_role: CaretakerRole, monkeypatch: Any
) -> None:
    CaretakerAssignment.objects.create(
        contractor=contractor, operator=admin_op, role=default_role, type="main", date_from=date(2030, 1, 1)
    )
    seen: list[bool] = []

    def watching(**kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return resolve(**kwargs)

    monkeypatch.setattr("opiekun.caretakers.resolve_api.resolve", watching)
    assert gc.isenabled()
    response = _post(api, [{"contractor_id": contractor.pk, "on": DAY}])
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["main"]["operator_id"] == admin_op.pk
    assert seen == [False]
    assert gc.isenabled()
    # A refused request (unknown role) gives the collector back as well.
    response = _post(api, [{"contractor_id": contractor.pk, "on": DAY, "role_id": 999999}])
    assert response.status_code == 422
    assert gc.isenabled()


def test_the_contractors_and_their_assignments_are_read_unordered(
    api: Client, contractor: Contractor, admin_op: Operator, default_role: CaretakerRole
) -> None:
    """An ORDER BY on these reads made PostgreSQL visit every row of 10,000 contractors
    (for the code it sorted by) where an index answers alone."""
    CaretakerAssignment.objects.create(
        contractor=contractor, operator=admin_op, role=default_role, type="main", date_from=date(2030, 1, 1)
    )
    with CaptureQueriesContext(connection) as queries:
        assert _post(api, [{"contractor_id": contractor.pk, "on": DAY}]).status_code == 200
    large = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "contractors_contractor"' in q["sql"] or 'FROM "caretakers_caretakerassignment"' in q["sql"]
    ]
    assert len(large) == 2, large
    assert all("ORDER BY" not in sql for sql in large), large


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="INCLUDE columns of an index exist on PostgreSQL only"
)
def test_the_scope_index_covers_the_columns_resolve_reads() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'caretakers__contrac_9423f9_idx'")
        (definition,) = cursor.fetchone()
    assert "(contractor_id, role_id, branch_id, date_from)" in definition
    assert "INCLUDE (date_to, operator_id, type, priority, id)" in definition
