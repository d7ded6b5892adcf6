"""Concurrent bulk REPLACE on PostgreSQL: writers on overlapping selections, taken
in different orders, queue up on the contractor locks instead of deadlocking, and
the invariants hold afterwards (checked in SQL, not through the ORM's view).

SQLite is skipped: the test database is a shared-cache in-memory database there,
where a second writer fails at once with "database table is locked" instead of
waiting, so a threaded run would test the test harness, not the code.
"""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, connections

from opiekun import dates
from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.caretakers.services import caretaker_add

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite's in-memory test database refuses concurrent writers instead of queueing",
    ),
]

THREADS = 6
CALLS_PER_THREAD = 4
D = date(2025, 1, 1)

VIOLATIONS_SQL = """
SELECT a.id, b.id FROM caretakers_caretakerassignment a
JOIN caretakers_caretakerassignment b
  ON a.id < b.id AND a.contractor_id = b.contractor_id AND a.role_id = b.role_id
 AND a.branch_id IS NOT DISTINCT FROM b.branch_id
 AND daterange(a.date_from, a.date_to, '[]') && daterange(b.date_from, b.date_to, '[]')
WHERE (a.type = 'main' AND b.type = 'main') OR a.operator_id = b.operator_id
"""


def test_concurrent_replace_neither_deadlocks_nor_breaks_invariants(
    make_operator: Any, make_contractors: Any, actor: Any
) -> None:
    CaretakerRole.objects.get_or_create(is_default=True, defaults={"name": "Opiekun handlowy"})
    operators = [make_operator(f"rush{i}") for i in range(THREADS)]
    contractors = [c.pk for c in make_contractors(40)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    outcomes: list[tuple[int, bool, int]] = []

    def worker(index: int) -> None:
        rng = random.Random(index)
        try:
            barrier.wait(timeout=30)
            for _ in range(CALLS_PER_THREAD):
                selection = rng.sample(contractors, 25)  # overlapping, in a random order
                start = D + timedelta(days=rng.randint(0, 30))
                end = None if rng.random() < 0.3 else start + timedelta(days=rng.randint(0, 40))
                result = caretaker_add(
                    actor=actor,
                    contractor_ids=selection,
                    operator_id=operators[index].pk,
                    date_from=start,
                    date_to=end,
                    on_overlap="replace",
                    type=rng.choice(["main", "main", "deputy"]),
                )
                outcomes.append((index, result.applied, len(result.results)))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert errors == []
    assert len(outcomes) == THREADS * CALLS_PER_THREAD
    assert all(applied and count == 25 for _, applied, count in outcomes)

    with connection.cursor() as cursor:
        cursor.execute(VIOLATIONS_SQL)
        assert cursor.fetchall() == []
    assert CaretakerAssignment.objects.exists()
    # Every write of every call is on the record: the audit trail was not bypassed.
    assert CaretakerAssignment.history.filter(history_type="+").count() >= (
        CaretakerAssignment.objects.count()
    )


def test_a_right_lost_while_waiting_for_the_lock_is_refused(
    make_operator: Any, make_contractors: Any, actor: Any
) -> None:
    """An own-only operator's REPLACE waits for the contractor's lock while a manager's
    bulk REPLACE takes the contractor away from him; when his turn comes he may no
    longer change it, so he is refused (422), not made its main caretaker."""
    from django.test import Client

    from opiekun.operators.models import UnassignedAccess, Visibility
    from opiekun.operators.tokens import token_issue

    CaretakerRole.objects.get_or_create(is_default=True, defaults={"name": "Opiekun handlowy"})
    jan = make_operator("jan", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    boss = make_operator("chief")
    (contractor,) = make_contractors(1)
    today = dates.today()
    caretaker_add(
        actor=actor, contractor_ids=[contractor.pk], operator_id=jan.pk, date_from=today - timedelta(days=9)
    )
    _, raw = token_issue(user=jan.user)
    manager_holds_the_lock = threading.Event()
    answers: dict[str, Any] = {}

    def manager() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                caretaker_add(
                    actor=actor,
                    contractor_ids=[contractor.pk],
                    operator_id=boss.pk,
                    date_from=today - timedelta(days=30),
                    on_overlap="replace",
                )
                manager_holds_the_lock.set()
                threading.Event().wait(1.5)  # jan's request arrives and waits for the lock
        finally:
            connections.close_all()

    def own_only_operator() -> None:
        try:
            manager_holds_the_lock.wait(timeout=30)
            response = Client().post(
                "/api/v1/caretakers/add",
                {
                    "contractor_ids": [contractor.pk],
                    "operator_id": jan.pk,
                    "date_from": str(today),
                    "on_overlap": "replace",
                },
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {raw}",
            )
            answers["status"], answers["body"] = response.status_code, response.json()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=manager), threading.Thread(target=own_only_operator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers["status"] == 422, answers
    assert list(CaretakerAssignment.objects.filter(type="main").values_list("operator_id", flat=True)) == [
        boss.pk
    ]
