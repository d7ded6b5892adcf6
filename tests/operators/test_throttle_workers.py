"""Login throttling and token bookkeeping are shared by every web process: `opiekun
serve` with two gunicorn workers, behind a (simulated) trusted reverse proxy, locks a
username after exactly 10 failures from one client address wherever they were
answered, spares the same user coming from another address, and a token issued,
used and revoked works the same on both workers."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.served import Served, app_environment, run_python, serve

SETUP = """
from django.contrib.auth.models import User
from opiekun.operators.models import Operator
user = User.objects.create_user("guard", password="right-password-1")
Operator.objects.create(user=user)
"""

ATTACKER = {"X-Forwarded-For": "203.0.113.66"}
USER = {"X-Forwarded-For": "198.51.100.7"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp_path = tmp_path_factory.mktemp("served")
    with app_environment(tmp_path) as env:
        # The test client is the reverse proxy: it connects from 127.0.0.1.
        env["OPIEKUN_TRUSTED_PROXIES"] = "127.0.0.1"
        run_python(env, SETUP)
        with serve(env, tmp_path, workers=2) as served:
            yield served


def _token(server: Served, password: str, headers: dict[str, str]) -> int:
    answer = server.request(
        "POST", "/api/v1/auth/token", json_body={"username": "guard", "password": password}, headers=headers
    )
    return answer.status


def test_ten_failures_across_two_workers_lock_only_the_attackers_address(server: Served) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        # Four pairs of simultaneous attempts: each pair keeps both workers busy.
        for _ in range(4):
            pair = list(pool.map(lambda _: _token(server, "guess", ATTACKER), range(2)))
            assert pair == [401, 401]
    assert len(server.worker_pids("POST /api/v1/auth/token")) == 2, server.log.read_text()

    assert _token(server, "guess", ATTACKER) == 401  # the 9th
    assert _token(server, "guess", ATTACKER) == 429  # the 10th: locked
    assert _token(server, "right-password-1", ATTACKER) == 429
    server.request("GET", "/login/", keep_cookies=True)
    web = {"username": "guard", "password": "right-password-1", "csrfmiddlewaretoken": server.csrf_token}
    assert server.request("POST", "/login/", form=web, headers=ATTACKER, keep_cookies=True).status == 429

    # The user, through the same proxy from their own address, is not locked out.
    assert _token(server, "right-password-1", USER) == 201


def test_a_token_works_and_is_revoked_on_every_worker(server: Served) -> None:
    issued = server.request(
        "POST",
        "/api/v1/auth/token",
        json_body={"username": "guard", "password": "right-password-1"},
        headers=USER,
    )
    assert issued.status == 201
    auth = {"Authorization": f"Bearer {issued.json()['token']}"}

    def roles(_: int) -> int:
        return server.request("GET", "/api/v1/roles", headers=auth).status

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(roles, range(8))) == [200] * 8
        assert len(server.worker_pids("GET /api/v1/roles")) == 2, server.log.read_text()
        assert server.request("DELETE", "/api/v1/auth/token", headers=auth).status == 204
        assert list(pool.map(roles, range(8))) == [401] * 8

    used = run_python(
        server.env,
        "from opiekun.operators.models import ApiToken\n"
        "import sys\n"
        "t = ApiToken.objects.get(pk=sys.argv[1])\n"
        "print(t.last_used_at is not None, t.revoked_at is not None)",
        str(issued.json()["id"]),
    )
    assert used.split() == ["True", "True"]
