"""Password guessing is throttled on the web login and on POST /api/v1/auth/token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from opiekun.operators.throttle import MAX_FAILURES


def _token(client: Client, password: str) -> int:
    body = json.dumps({"username": "guard", "password": password})
    return client.post("/api/v1/auth/token", body, content_type="application/json").status_code


def test_api_refuses_after_too_many_failures_even_the_right_password(make_operator: Any) -> None:
    make_operator("guard", password="right-password-1")
    client = Client()
    assert [_token(client, f"wrong{i}") for i in range(MAX_FAILURES)] == [401] * MAX_FAILURES
    assert _token(client, "right-password-1") == 429
    other_address = Client(REMOTE_ADDR="10.9.9.9")
    assert _token(other_address, "right-password-1") == 201


def test_a_success_resets_the_count(make_operator: Any) -> None:
    make_operator("guard", password="right-password-1")
    client = Client()
    for _ in range(MAX_FAILURES - 1):
        assert _token(client, "wrong") == 401
    assert _token(client, "right-password-1") == 201
    for _ in range(MAX_FAILURES - 1):
        assert _token(client, "wrong") == 401
    assert _token(client, "right-password-1") == 201


def test_web_login_refuses_after_too_many_failures(make_operator: Any) -> None:
    make_operator("guard", password="right-password-1")
    client = Client()
    for _ in range(MAX_FAILURES):
        page = client.post("/login/", {"username": "guard", "password": "wrong"})
        assert page.status_code == 200
    blocked = client.post("/login/", {"username": "guard", "password": "right-password-1"})
    assert blocked.status_code == 200
    assert "_auth_user_id" not in client.session
    assert blocked.context["form"].non_field_errors().as_data()[0].code == "throttled"
