"""Concurrent bulk writers on the embedded SQLite file, as `make run` uses it: separate
processes, each its own connection. IMMEDIATE transactions make the second writer wait
for the first (busy timeout) instead of failing half-way; the invariants hold after.

The pytest database is in memory and cannot be shared between processes, so this test
builds its own database file in a temporary OPIEKUN_HOME.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.served import migrated_sqlite_home

WORKERS = 4

SETUP = """
import django; django.setup()
from django.contrib.auth.models import User
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator
admin = User.objects.create_superuser("root", password="x")
for i in range(4):
    user = User.objects.create_user(f"w{i}")
    Operator.objects.create(user=user, can_assign=True)
Contractor.objects.bulk_create(Contractor(code=f"C{i:03d}", name=f"Firma {i}") for i in range(60))
"""

WORKER = """
import random, sys
import django; django.setup()
from django.contrib.auth.models import User
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator
index = int(sys.argv[1])
rng = random.Random(index)
actor = User.objects.get(username="root")
operator = Operator.objects.get(user__username=f"w{index}")
ids = list(Contractor.objects.values_list("pk", flat=True))
for call in range(5):
    start = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    result = caretaker_add(actor=actor, contractor_ids=rng.sample(ids, 40), operator_id=operator.pk,
                           date_from=start, date_to=None if call % 2 else "2026-06-30",
                           on_overlap="replace")
    assert result.applied
print("ok")
"""

VIOLATIONS = """
SELECT count(*) FROM caretakers_caretakerassignment a
JOIN caretakers_caretakerassignment b
  ON a.id < b.id AND a.contractor_id = b.contractor_id AND a.role_id = b.role_id
 AND a.branch_id IS b.branch_id
 AND a.date_from <= COALESCE(b.date_to, '9999-12-31')
 AND b.date_from <= COALESCE(a.date_to, '9999-12-31')
WHERE (a.type = 'main' AND b.type = 'main') OR a.operator_id = b.operator_id
"""


def _run(code: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="covers the SQLite engine only")
def test_concurrent_writers_on_the_sqlite_file_queue_and_keep_invariants(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "OPIEKUN_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "opiekun.settings",
        "OPIEKUN_CREATOR_BECOMES_CARETAKER": "0",
    }
    migrated_sqlite_home(tmp_path)  # as `opiekun migrate` leaves it
    setup = _run(SETUP, env)
    assert setup.wait(timeout=120) == 0, setup.communicate()[1]

    workers = [_run(WORKER, env, str(i)) for i in range(WORKERS)]
    results = [(w.wait(timeout=300), *w.communicate()) for w in workers]
    assert [(code, out.strip()) for code, out, _ in results] == [(0, "ok")] * WORKERS, results

    with sqlite3.connect(tmp_path / "opiekun.sqlite3") as db:
        assert db.execute(VIOLATIONS).fetchone() == (0,)
        rows = db.execute("SELECT count(*) FROM caretakers_caretakerassignment").fetchone()[0]
        history = db.execute(
            "SELECT count(DISTINCT id) FROM caretakers_historicalcaretakerassignment"
        ).fetchone()[0]
    assert rows > 0 and history >= rows
