"""Reads from replicas (src/opiekun/db_routing.py), without a replica: where the router
and the read-your-writes middleware send each read. The same behaviour against a real
hot standby: tests/test_replicas.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import signing
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import RequestFactory, override_settings

from opiekun import db_routing
from opiekun.contractors.models import Contractor
from opiekun.db_routing import COOKIE, PrimaryReplicaRouter, ReadYourWritesMiddleware, read_alias

REPLICAS = ["replica1", "replica2"]


@pytest.fixture(autouse=True)
def _replicas() -> Iterator[None]:
    with override_settings(REPLICA_DATABASES=REPLICAS, REPLICA_STICKY_SECONDS=5):
        yield
    db_routing._reads_back_on_primary()  # whatever a test left, reads go back to the primary


def serve(request: HttpRequest, body: Any = None) -> tuple[HttpResponseBase, list[str]]:
    """Run ``request`` through the middleware; the read alias the view saw."""
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponseBase:
        seen.append(read_alias())
        return body(request) if body else HttpResponse("ok")

    response = ReadYourWritesMiddleware(view)(request)
    return response, seen


def with_cookie(request: HttpRequest, response: HttpResponseBase) -> HttpRequest:
    request.COOKIES[COOKIE] = response.cookies[COOKIE].value
    return request


def test_a_read_goes_to_a_replica() -> None:
    _, seen = serve(RequestFactory().get("/kontrahenci/"))
    assert seen[0] in REPLICAS


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_writing_request_reads_from_the_primary_and_keeps_its_client_there(method: str) -> None:
    response, seen = serve(getattr(RequestFactory(), method)("/api/v1/caretakers/add"))
    assert seen == ["default"]
    cookie = response.cookies[COOKIE]
    assert cookie["max-age"] == 5 and cookie["httponly"] and cookie["samesite"] == "Lax"

    _, seen = serve(with_cookie(RequestFactory().get("/api/v1/caretakers"), response))
    assert seen == ["default"]  # read-your-writes
    _, seen = serve(RequestFactory().get("/api/v1/caretakers"))
    assert seen[0] in REPLICAS  # another client is not kept on the primary


def test_after_the_sticky_seconds_the_writer_reads_from_a_replica_again(monkeypatch: Any) -> None:
    response, _ = serve(RequestFactory().post("/caretakers/dodaj/"))
    later = time.time() + 6
    monkeypatch.setattr(time, "time", lambda: later)  # the signature's timestamp is now 6 s old
    _, seen = serve(with_cookie(RequestFactory().get("/kontrahenci/"), response))
    assert seen[0] in REPLICAS


def test_a_forged_or_foreign_cookie_does_not_count() -> None:
    forged = RequestFactory().get("/kontrahenci/")
    forged.COOKIES[COOKIE] = "1"
    foreign = RequestFactory().get("/kontrahenci/")
    foreign.COOKIES[COOKIE] = signing.get_cookie_signer(salt=COOKIE + "other").sign("1")
    for request in (forged, foreign):
        assert serve(request)[1][0] in REPLICAS


def test_with_sticky_seconds_zero_no_cookie_is_set() -> None:
    with override_settings(REPLICA_STICKY_SECONDS=0):
        response, seen = serve(RequestFactory().post("/caretakers/dodaj/"))
    assert seen == ["default"] and COOKIE not in response.cookies


def test_without_replicas_everything_reads_from_the_primary() -> None:
    with override_settings(REPLICA_DATABASES=[]):
        assert serve(RequestFactory().get("/kontrahenci/"))[1] == ["default"]


def test_a_streamed_response_reads_from_the_replica_to_its_end_then_the_primary() -> None:
    streamed: list[str] = []

    def export(request: HttpRequest) -> StreamingHttpResponse:
        def rows() -> Iterator[str]:
            for row in range(3):
                streamed.append(read_alias())
                yield f"{row}\n"

        return StreamingHttpResponse(rows())

    response, seen = serve(RequestFactory().get("/raporty/kontrahenci-wg-opiekuna/eksport.csv"), export)
    assert isinstance(response, StreamingHttpResponse)
    assert b"".join(response.streaming_content) == b"0\n1\n2\n"  # type: ignore[arg-type]
    assert streamed == seen * 3 and seen[0] in REPLICAS
    # Closing the response sends request_finished (as the WSGI server does after the
    # last chunk); Django's own receiver would check the test's database connection.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert read_alias() == "default"


@pytest.mark.django_db(transaction=True)
def test_the_router_sends_reads_inside_a_transaction_and_locks_to_the_primary() -> None:
    router = PrimaryReplicaRouter()
    token = db_routing._read_alias.set("replica2")
    try:
        with override_settings(DATABASE_ROUTERS=["opiekun.db_routing.PrimaryReplicaRouter"]):
            assert router.db_for_read(Contractor) == "replica2"
            assert Contractor.objects.all().db == "replica2"
            with transaction.atomic():
                assert router.db_for_read(Contractor) == "default"
                assert Contractor.objects.all().db == "default"
            assert Contractor.objects.all().db == "replica2"
            with transaction.atomic():
                assert Contractor.objects.select_for_update().db == "default"
            # Locking rows is for writing them: the request's later reads stay on the primary.
            assert Contractor.objects.all().db == "default"
            assert router.db_for_write(Contractor) == "default"
    finally:
        db_routing._read_alias.reset(token)
    assert router.allow_migrate("default", "contractors") is True
    assert router.allow_migrate("replica1", "contractors") is False


@pytest.mark.django_db(transaction=True)
def test_a_request_that_wrote_reads_its_write_from_the_primary_and_keeps_its_client_there() -> None:
    """A GET that writes (outside a transaction, then reads) reads from the primary from
    its first write on, and its client gets the read-your-writes cookie."""
    seen_after: list[str] = []

    def writes_then_reads(request: HttpRequest) -> HttpResponse:
        assert Contractor.objects.all().db in REPLICAS
        Contractor.objects.create(code="K-1", name="Nowy")
        seen_after.append(Contractor.objects.all().db)
        return HttpResponse("ok")

    with override_settings(DATABASE_ROUTERS=["opiekun.db_routing.PrimaryReplicaRouter"]):
        response, seen = serve(RequestFactory().get("/kontrahenci/"), writes_then_reads)
        assert seen[0] in REPLICAS and seen_after == ["default"]
        assert COOKIE in response.cookies
        # The next request of another client reads from a replica again.
        assert serve(RequestFactory().get("/kontrahenci/"))[1][0] in REPLICAS


@pytest.mark.django_db(transaction=True)
def test_tokens_and_login_attempts_are_read_from_the_primary_and_their_bookkeeping_is_no_write(
    make_operator: Any,
) -> None:
    """A revoked token must be refused at once, a lockout hold at once: never read from a
    replica that lags. Recording a token's use does not keep its client on the primary."""
    from axes.models import AccessAttempt

    from opiekun.operators.models import ApiToken
    from opiekun.operators.tokens import token_authenticate, token_issue

    # A superuser: may_use_api asks no more (this test has no replica to read from).
    _, raw = token_issue(user=make_operator("reader", superuser=True).user, name="t")
    used: list[Any] = []

    def api_read(request: HttpRequest) -> HttpResponse:
        assert ApiToken.objects.all().db == "default"
        assert AccessAttempt.objects.all().db == "default"
        used.append(token_authenticate(raw))  # refreshes last_used_at on the primary
        assert Contractor.objects.all().db in REPLICAS
        return HttpResponse("ok")

    with override_settings(DATABASE_ROUTERS=["opiekun.db_routing.PrimaryReplicaRouter"]):
        response, seen = serve(RequestFactory().get("/api/v1/caretakers"), api_read)
    assert seen[0] in REPLICAS and COOKIE not in response.cookies
    assert used[0] is not None and used[0].last_used_at is not None


def _settings_with(environment: dict[str, str], home: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.REPLICA_DATABASES, getattr(s, 'DATABASE_ROUTERS', []), "
        "s.MIDDLEWARE.index('opiekun.db_routing.ReadYourWritesMiddleware') "
        "if 'opiekun.db_routing.ReadYourWritesMiddleware' in s.MIDDLEWARE else None, "
        "[s.DATABASES[a]['PORT'] for a in s.REPLICA_DATABASES])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env |= {"DJANGO_SETTINGS_MODULE": "opiekun.settings", "OPIEKUN_HOME": str(home), **environment}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def test_settings_read_the_replica_urls(tmp_path: Path) -> None:
    done = _settings_with(
        {
            "DATABASE_URL": "postgres://app@primary:5432/opiekun",
            "DATABASE_REPLICA_URLS": "postgres://app@standby1:5433/opiekun, postgres://app@standby2:5434/opiekun",
        },
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == (
        "['replica1', 'replica2'] ['opiekun.db_routing.PrimaryReplicaRouter'] 0 [5433, 5434]"
    )


def test_settings_without_replicas_install_no_router(tmp_path: Path) -> None:
    done = _settings_with({"DATABASE_URL": "postgres://app@primary:5432/opiekun"}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "[] [] None []"


def test_replicas_of_sqlite_are_refused(tmp_path: Path) -> None:
    done = _settings_with({"DATABASE_REPLICA_URLS": "postgres://app@standby1:5433/opiekun"}, tmp_path)
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL" in done.stderr
