"""Reads from a real hot standby, through the real server (docs/operations.md, "Read replicas").

`scripts/with-postgres --replica` starts a streaming replica beside the throw-away
primary and exports DATABASE_REPLICA_TEST_URL. This test runs `opiekun serve` (gunicorn)
with DATABASE_URL = the primary's test database and DATABASE_REPLICA_URLS = the same
database on the standby, then pauses the standby's WAL replay: from then on the standby
answers from a frozen past, so a read that sees an old state was answered by the
replica and a read that sees the new one by the primary. That is the proof that reads
go to the replica — and that a caretaker added through the API is visible to its author
at once (read-your-writes) while another client still reads the replica, and that a
revoked token is refused at once although the replica still holds it live.

On PostgreSQL in CI (``CI`` set), a missing DATABASE_REPLICA_TEST_URL fails the test:
the replica path must not go untested (`make test-postgres` starts the standby).
Locally it is skipped, with the reason; on SQLite it is skipped (no replicas there).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection

from opiekun.caretakers.models import CaretakerRole
from opiekun.operators.tokens import token_issue

pytestmark = pytest.mark.django_db(transaction=True)

STANDBY_URL = os.environ.get("DATABASE_REPLICA_TEST_URL", "")
PATIENCE = 60.0  # seconds; the machine running the suite may be busy


@pytest.fixture
def standby_url() -> str:
    if connection.vendor != "postgresql":
        if STANDBY_URL:
            pytest.fail("DATABASE_REPLICA_TEST_URL is set, but the tests do not run on PostgreSQL")
        pytest.skip("replicas are PostgreSQL streaming replicas: tested in the PostgreSQL run")
    if not STANDBY_URL:
        reason = "DATABASE_REPLICA_TEST_URL is not set: run through `scripts/with-postgres --replica`"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must test reads from replicas)")
        pytest.skip(reason)
    return STANDBY_URL


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _wait(what: str, ready: Any) -> Any:
    deadline = time.monotonic() + PATIENCE
    while True:
        try:
            found = ready()
        except (OSError, psycopg.Error):
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(standby_url: str, tmp_path: Path) -> Iterator[str]:
    """`opiekun serve` on the test database, reading from the standby."""
    name = connection.settings_dict["NAME"]
    primary = _with_database(os.environ["DATABASE_URL"], name)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": primary,
        "DATABASE_REPLICA_URLS": _with_database(standby_url, name),
        "OPIEKUN_REPLICA_STICKY_SECONDS": "60",  # long enough for a busy machine
        "OPIEKUN_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "opiekun.settings",
    }
    command = [sys.executable, "-m", "opiekun.cli", "serve", "--port", str(port), "--workers", "2"]
    log = (tmp_path / "server.log").open("w+")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            if process.poll() is not None:
                log.seek(0)
                raise AssertionError(f"opiekun serve exited:\n{log.read()}")
            with urllib.request.urlopen(f"{base}/login/", timeout=5) as answer:
                return bool(answer.status == 200)

        _wait("opiekun serve answering", up)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


class Client:
    """An API client; with cookies it keeps what the server sets, as a browser or a
    `requests.Session` does."""

    def __init__(self, base: str, token: str, *, cookies: bool) -> None:
        self.base, self.token = base, token
        handlers = [urllib.request.HTTPCookieProcessor(CookieJar())] if cookies else []
        self.opener = urllib.request.build_opener(*handlers)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with self.opener.open(request, timeout=PATIENCE) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def test_reads_come_from_the_replica_and_an_author_reads_his_own_write(
    server: str, standby_url: str, make_operator: Any, make_contractors: Any
) -> None:
    CaretakerRole.objects.get_or_create(is_default=True, defaults={"name": "Opiekun handlowy"})
    author = make_operator("author")
    piotr = make_operator("piotr")
    contractor = make_contractors(1)[0]
    _, raw = token_issue(user=author.user, name="replica test")
    piotr_token, piotr_raw = token_issue(user=piotr.user, name="to revoke")

    name = connection.settings_dict["NAME"]
    with (
        psycopg.connect(_with_database(os.environ["DATABASE_URL"], name), autocommit=True) as primary,
        psycopg.connect(_with_database(standby_url, name), autocommit=True) as standby,
    ):
        assert standby.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        # The standby holds everything written so far (the token, the contractor) ...
        (lsn,) = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()  # type: ignore[misc]
        _wait(
            "the standby replaying the test's data",
            lambda: standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0],  # type: ignore[index]
        )
        # ... and from now on nothing more: its replay is paused.
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            _wait(
                "the standby's replay paused",
                lambda: standby.execute("SELECT pg_is_wal_replay_paused()").fetchone()[0],  # type: ignore[index]
            )
            author_client = Client(server, raw, cookies=True)
            other_client = Client(server, raw, cookies=False)
            listing = f"/api/v1/caretakers?contractor_id={contractor.pk}"
            assert other_client.call("GET", listing) == (200, _page([]))

            status, added = author_client.call(
                "POST",
                "/api/v1/caretakers/add",
                {
                    "contractor_ids": [contractor.pk],
                    "operator_id": piotr.pk,
                    "date_from": "2031-01-01",
                    "on_overlap": "keep",
                },
            )
            assert status == 200, added
            assert added["counts"]["added"] == 1
            new_id = added["results"][0]["assignment_id"]

            # The author sees the caretaker at once: his reads went to the primary.
            status, mine = author_client.call("GET", listing)
            assert status == 200 and [r["id"] for r in mine["results"]] == [new_id]
            status, one = author_client.call("GET", f"/api/v1/caretakers/{new_id}")
            assert status == 200 and one["operator_id"] == piotr.pk
            # Another client (no cookie) reads the paused replica, which has not seen it:
            # its reads were served by the replica.
            assert other_client.call("GET", listing) == (200, _page([]))
            assert other_client.call("GET", f"/api/v1/caretakers/{new_id}")[0] == 404
            # The write reached the primary, and only it.
            row = "SELECT count(*) FROM caretakers_caretakerassignment WHERE id = %s"
            assert primary.execute(row, [new_id]).fetchone() == (1,)
            assert standby.execute(row, [new_id]).fetchone() == (0,)

            # A token revoked is refused at once, by any process, though the paused
            # replica still holds it live: tokens are read from the primary.
            piotr_client = Client(server, piotr_raw, cookies=False)
            assert piotr_client.call("GET", listing)[0] == 200
            assert piotr_client.call("DELETE", "/api/v1/auth/token")[0] == 204
            assert piotr_client.call("GET", listing)[0] == 401
            token_row = "SELECT revoked_at IS NULL FROM operators_apitoken WHERE id = %s"
            assert standby.execute(token_row, [piotr_token.pk]).fetchone() == (True,)
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")

        # Replay resumed: the replica catches up, and every client sees the caretaker.
        _wait(
            "the other client seeing the caretaker once the replica caught up",
            lambda: other_client.call("GET", listing)[1]["count"] == 1,
        )


def _page(results: list[Any]) -> dict[str, Any]:
    return {
        "count": len(results),
        "page": 1,
        "page_size": 50,
        "next": None,
        "previous": None,
        "results": results,
    }
