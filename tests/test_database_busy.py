"""While another process holds the database's write lock, reads go on (token
authentication included: recording a token's use gives up instead of waiting), and a
write answers 503 with Retry-After once it has waited its time — never 500.

SQLite takes one writer at a time: a real database file, `opiekun serve` in one
process, and another process holding the write lock (BEGIN IMMEDIATE), as a bulk
change of 100,000 contractors would. On PostgreSQL a writer locks rows, not the
database: there the other process holds the token's row, and reads must not wait.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.served import Served, app_environment, on_postgres, run_python, serve

SQLITE_TIMEOUT = 2

SETUP = """
from django.contrib.auth.models import User
from opiekun.operators.models import Operator
from opiekun.operators.tokens import token_issue
user = User.objects.create_user("ewa", password="secret-pass-1")
Operator.objects.create(user=user, can_assign=True)
print(token_issue(user=user)[1])
"""

HOLD_SQLITE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""

HOLD_POSTGRES = """
import os, sys, psycopg
with psycopg.connect(os.environ["DATABASE_URL"]) as db:
    db.execute("SELECT * FROM operators_apitoken FOR UPDATE").fetchall()
    print("locked", flush=True)
    sys.stdin.read()
"""

LAST_USED = """
from opiekun.operators.models import ApiToken
print(ApiToken.objects.get().last_used_at is not None)
"""


@contextmanager
def _lock_held(env: dict[str, str], code: str, *args: str) -> Iterator[None]:
    holder = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked", holder.stderr
        yield
    finally:
        holder.communicate(input="", timeout=30)
    assert holder.returncode == 0


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[Served, str]]:
    with app_environment(tmp_path) as env:
        env["OPIEKUN_SQLITE_TIMEOUT"] = str(SQLITE_TIMEOUT)
        token = run_python(env, SETUP).strip()
        with serve(env, tmp_path, workers=2) as served:
            yield served, token


@pytest.mark.skipif(on_postgres(), reason="the database-wide write lock is SQLite's")
def test_sqlite_reads_go_on_and_writes_answer_503_while_another_process_writes(
    app: tuple[Served, str], tmp_path: Path
) -> None:
    server, token = app
    auth = {"Authorization": f"Bearer {token}"}
    server.log_in("ewa", "secret-pass-1")
    contractor = {"code": "K1", "name": "Firma"}

    with _lock_held(server.env, HOLD_SQLITE, str(tmp_path / "opiekun.sqlite3")):
        # Reads: the token's first use would be a write; it is skipped, not waited for.
        roles = server.request("GET", "/api/v1/roles", headers=auth)
        assert (roles.status, roles.seconds < 1) == (200, True), roles
        page = server.request("GET", "/kontrahenci/", keep_cookies=True)
        assert (page.status, page.seconds < 1) == (200, True)

        # Writes: 503 with Retry-After once the busy timeout has passed.
        api_write = server.request("POST", "/api/v1/contractors", json_body=contractor, headers=auth)
        assert api_write.status == 503, api_write.body
        assert api_write.seconds >= SQLITE_TIMEOUT
        assert int(api_write.headers["Retry-After"]) > 0
        assert "busy" in api_write.json()["detail"]

        form = {"csrfmiddlewaretoken": server.csrf_token, **contractor}
        ui_write = server.request("POST", "/kontrahenci/nowy/", form=form, keep_cookies=True)
        assert ui_write.status == 503
        assert "Retry-After" in ui_write.headers
        assert 'data-testid="database-busy"' in ui_write.body.decode()
        dialog = server.request(
            "POST", "/kontrahenci/nowy/", form=form, headers={"HX-Request": "true"}, keep_cookies=True
        )
        assert (dialog.status, dialog.headers.get("HX-Retarget")) == (503, "#modal")

    assert run_python(server.env, LAST_USED).strip() == "False"
    assert server.request("POST", "/api/v1/contractors", json_body=contractor, headers=auth).status == 201
    assert run_python(server.env, LAST_USED).strip() == "True"
    assert "Traceback" not in server.log.read_text()


@pytest.mark.skipif(not on_postgres(), reason="the row lock on a token is PostgreSQL's case")
def test_postgres_reads_do_not_wait_for_a_locked_token_row(app: tuple[Served, str]) -> None:
    server, token = app
    auth = {"Authorization": f"Bearer {token}"}
    with _lock_held(server.env, HOLD_POSTGRES):
        roles = server.request("GET", "/api/v1/roles", headers=auth)
        assert (roles.status, roles.seconds < 1) == (200, True), roles
    assert run_python(server.env, LAST_USED).strip() == "False"
    assert server.request("GET", "/api/v1/roles", headers=auth).status == 200
    assert run_python(server.env, LAST_USED).strip() == "True"
