"""The hand-written per-request reads (opiekun/joined.py): logged like any query, and
on PostgreSQL prepared once per connection rather than planned on every call."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.selectors import caretaker_info
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator
from opiekun.operators.tokens import token_authenticate, token_issue

pytestmark = pytest.mark.django_db


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_the_reads_are_logged_with_their_parameters(
    actor: User, admin_op: Operator, contractor: Contractor, default_role: CaretakerRole
) -> None:
    CaretakerAssignment.objects.create(
        contractor=contractor, operator=admin_op, role=default_role, type="main", date_from=date(2020, 1, 1)
    )
    _, raw = token_issue(user=actor)
    with CaptureQueriesContext(connection) as queries:
        token_authenticate(raw)
        info = caretaker_info(viewer=actor, contractor_id=contractor.pk, on=date(2030, 1, 1))
    assert info.main is not None and info.main.operator_id == admin_op.pk
    logged = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert len(logged) == 2, [s[:80] for s in logged]
    assert "2030-01-01" in logged[1] and f"= {contractor.pk}" in logged[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL's")
def test_postgresql_plans_each_read_once_per_connection(
    actor: User, admin_op: Operator, make_contractors: Any, default_role: CaretakerRole
) -> None:
    first, second = make_contractors(2)
    _, raw = token_issue(user=actor)
    before = len(_prepared())
    for contractor in (first, second, first):
        assert token_authenticate(raw) is not None
        assert caretaker_info(viewer=actor, contractor_id=contractor.pk).contractor == contractor
    statements = _prepared()[before:] if before else _prepared()
    assert len([s for s in statements if "operators_apitoken" in s]) == 1
    assert len([s for s in statements if "caretakers_caretakerassignment" in s]) == 1
    # Django's own queries stay unprepared (bound on the client, as always).
    Contractor.objects.filter(pk=first.pk).exists()
    Contractor.objects.filter(pk=first.pk).exists()
    assert len(_prepared()) == before + 2


def test_receivers_of_post_init_still_hear_of_every_instance(
    actor: User, admin_op: Operator, contractor: Contractor, default_role: CaretakerRole
) -> None:
    """Without receivers the instances are filled in directly; with one, they are
    built by ``Model.__init__`` as the ORM builds them, and it hears of each."""
    from django.db.models.signals import post_init

    CaretakerAssignment.objects.create(
        contractor=contractor, operator=admin_op, role=default_role, type="main", date_from=date(2020, 1, 1)
    )
    heard: list[Any] = []

    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        heard.append(instance)

    post_init.connect(receiver, sender=CaretakerAssignment)
    try:
        info = caretaker_info(viewer=actor, contractor_id=contractor.pk, on=date(2030, 1, 1))
    finally:
        post_init.disconnect(receiver, sender=CaretakerAssignment)
    assert heard == [info.main] and heard[0] is info.main
    assert info.main is not None and info.main._state.db == "default" and not info.main._state.adding
