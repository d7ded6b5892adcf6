"""Password guessing is throttled (django-axes, state in the database) on the web login,
the admin login and POST /api/v1/auth/token: 10 failures for one username from one
client address lock that pair for 15 minutes; the same user from another address is
not locked out. Behind a trusted proxy the client's address is the proxy's
X-Forwarded-For; from anyone else that header is ignored."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory

from opiekun.operators.throttle import client_ip

LIMIT = 10
PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def _behind_a_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXIES = [PROXY]


def _token(client: Client, password: str, *, via_proxy_for: str | None = None) -> Any:
    body = json.dumps({"username": "guard", "password": password})
    headers = {"x-forwarded-for": via_proxy_for} if via_proxy_for else {}
    return client.post("/api/v1/auth/token", body, content_type="application/json", headers=headers)


def test_the_policy_is_ten_failures_per_username_and_address_for_fifteen_minutes() -> None:
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_api_locks_the_pair_after_ten_failures_even_for_the_right_password(make_operator: Any) -> None:
    make_operator("guard", password="right-password-1")
    client = Client()
    answers = [_token(client, f"wrong{i}").status_code for i in range(LIMIT)]
    assert answers == [401] * (LIMIT - 1) + [429]
    locked = _token(client, "right-password-1")
    assert locked.status_code == 429
    assert locked.json() == {"detail": "Too many failed attempts; try again later."}
    assert 895 <= int(locked["Retry-After"]) <= 900
    assert AccessAttempt.objects.get(username="guard", ip_address="127.0.0.1").failures_since_start == LIMIT

    other_address = Client(REMOTE_ADDR="192.0.2.9")
    assert _token(other_address, "right-password-1").status_code == 201


def test_behind_the_proxy_an_attacker_does_not_lock_out_the_user(make_operator: Any) -> None:
    """Every request comes from the proxy; the attacker's own address is locked, the
    user's is not."""
    make_operator("guard", password="right-password-1")
    proxy = Client(REMOTE_ADDR=PROXY)
    for _ in range(LIMIT):
        _token(proxy, "guess", via_proxy_for="203.0.113.66")
    assert _token(proxy, "right-password-1", via_proxy_for="203.0.113.66").status_code == 429
    assert _token(proxy, "right-password-1", via_proxy_for="198.51.100.7").status_code == 201
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


def test_a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address(make_operator: Any) -> None:
    make_operator("guard", password="right-password-1")
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for i in range(LIMIT):
        _token(attacker, "guess", via_proxy_for=f"198.51.100.{i}")
    assert _token(attacker, "right-password-1", via_proxy_for="198.51.100.77").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


def test_a_success_resets_the_count(make_operator: Any) -> None:
    make_operator("guard", password="right-password-1")
    client = Client()
    for _ in range(2):
        for _ in range(LIMIT - 1):
            assert _token(client, "wrong").status_code == 401
        assert _token(client, "right-password-1").status_code == 201
    assert not AccessAttempt.objects.exists()


def test_the_lockout_ends_after_fifteen_minutes(make_operator: Any) -> None:
    make_operator("guard", password="right-password-1")
    client = Client()
    for _ in range(LIMIT):
        _token(client, "wrong")
    assert _token(client, "right-password-1").status_code == 429
    last = AccessAttempt.objects.get().attempt_time
    AccessAttempt.objects.update(attempt_time=last - timedelta(minutes=15))
    assert _token(client, "right-password-1").status_code == 201


def test_web_login_refuses_after_too_many_failures(make_operator: Any) -> None:
    make_operator("guard", password="right-password-1")
    client = Client()
    for _ in range(LIMIT - 1):
        page = client.post("/login/", {"username": "guard", "password": "wrong"})
        assert page.status_code == 200
        assert page.context["form"].non_field_errors().as_data()[0].code == "invalid_login"
    tenth = client.post("/login/", {"username": "guard", "password": "wrong"})
    assert tenth.status_code == 429
    blocked = client.post("/login/", {"username": "guard", "password": "right-password-1"})
    assert blocked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert blocked.context["form"].non_field_errors().as_data()[0].code == "throttled"
    assert "Retry-After" in blocked

    elsewhere = Client(REMOTE_ADDR="192.0.2.9")
    assert elsewhere.post("/login/", {"username": "guard", "password": "right-password-1"}).status_code == 302


def test_web_and_api_count_together(make_operator: Any) -> None:
    make_operator("guard", password="right-password-1")
    client = Client()
    for _ in range(LIMIT // 2):
        client.post("/login/", {"username": "guard", "password": "wrong"})
    for _ in range(LIMIT // 2):
        _token(client, "wrong")
    assert _token(client, "right-password-1").status_code == 429
    assert client.post("/login/", {"username": "guard", "password": "right-password-1"}).status_code == 429


def test_a_web_login_resets_the_count(make_operator: Any) -> None:
    make_operator("guard", password="right-password-1")
    client = Client()
    for _ in range(LIMIT - 1):
        client.post("/login/", {"username": "guard", "password": "wrong"})
    assert client.post("/login/", {"username": "guard", "password": "right-password-1"}).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_admin_login_is_throttled_too(make_operator: Any) -> None:
    make_operator("guard", password="right-password-1", superuser=True)
    client = Client()
    for _ in range(LIMIT):
        client.post("/admin/login/", {"username": "guard", "password": "wrong"})
    refused = client.post("/admin/login/", {"username": "guard", "password": "right-password-1"})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("192.0.2.1", None, "192.0.2.1"),
        ("192.0.2.1", "198.51.100.7", "192.0.2.1"),  # not a trusted proxy: header ignored
        (PROXY, None, PROXY),
        (PROXY, "198.51.100.7", "198.51.100.7"),
        (PROXY, "1.1.1.1, 198.51.100.7", "198.51.100.7"),  # the left part is the client's to write
        (PROXY, f"198.51.100.7, {PROXY}", "198.51.100.7"),  # a chain of trusted proxies
        (PROXY, f"{PROXY}, {PROXY}", PROXY),
        (PROXY, "not-an-address", PROXY),
        (PROXY, "::ffff:198.51.100.7", "198.51.100.7"),
        (PROXY, "2001:db8::7", "2001:db8::7"),
        ("", None, None),
    ],
)
def test_client_ip(remote: str, forwarded: str | None, expected: str | None) -> None:
    headers = {"x-forwarded-for": forwarded} if forwarded is not None else {}
    request = RequestFactory(REMOTE_ADDR=remote).get("/", headers=headers)
    assert client_ip(request) == expected


def test_trusted_proxies_may_be_networks(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    request = RequestFactory(REMOTE_ADDR="10.20.30.40").get("/", headers={"x-forwarded-for": "198.51.100.7"})
    assert client_ip(request) == "198.51.100.7"


def test_an_api_login_with_a_malformed_content_type_is_a_json_422_not_a_500(make_operator: Any) -> None:
    # The body cannot be read, so no password is checked: nothing to count either.
    make_operator("guard", password="right-password-1")
    body = json.dumps({"username": "guard", "password": "wrong"})
    response = Client().post("/api/v1/auth/token", body, content_type="multipart/form-data")
    assert response.status_code == 422  # docs/api.md: a body that cannot be parsed
    assert response["Content-Type"].startswith("application/json") and response.json()["detail"]
    assert not AccessAttempt.objects.exists()
