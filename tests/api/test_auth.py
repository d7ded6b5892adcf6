"""Bearer tokens: issued by POST /auth/token and the CLI, stored as SHA-256 only,
revocable, and refused for anyone who is no longer an active operator."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from opiekun.operators.models import ApiToken, Operator
from opiekun.operators.tokens import token_authenticate, token_issue


def _login(client: Client, username: str, password: str) -> Any:
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def test_token_from_password_works_and_is_stored_as_sha256_only(admin_op: Operator) -> None:
    response = _login(Client(), "boss", "secret-pass-1")
    assert response.status_code == 201
    raw = response.json()["token"]
    stored = ApiToken.objects.get(user=admin_op.user)
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.digest, stored.prefix, stored.name}
    assert raw.startswith(stored.prefix)
    assert stored.last_used_at is None

    listed = Client().get("/api/v1/operators", headers={"authorization": f"Bearer {raw}"})
    assert listed.status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None


@pytest.mark.parametrize("password", ["wrong", ""])
def test_wrong_password_is_401(admin_op: Operator, password: str) -> None:
    response = _login(Client(), "boss", password)
    assert response.status_code == 401
    assert "token" not in response.json()
    assert not ApiToken.objects.exists()


def test_inactive_operator_gets_no_token(make_operator: Callable[..., Operator]) -> None:
    make_operator("sleepy", active=False)
    assert _login(Client(), "sleepy", "secret-pass-1").status_code == 401


def test_missing_credentials_are_422(db: Any) -> None:
    response = Client().post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert {"loc": ["body", "password"], "msg": "Field required", "type": "missing"} in (
        response.json()["detail"]
    )


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer nonsense", "Token abc", "Basic Ym9zczpzZWNyZXQ=", "Bearer " + "x" * 5000],
)
def test_without_a_valid_token_is_401(admin_op: Operator, header: str | None) -> None:
    headers = {"authorization": header} if header else {}
    response = Client(headers=headers).get("/api/v1/contractors")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "A valid bearer token is required."}


def test_revoked_token_is_401(api: Client) -> None:
    assert api.delete("/api/v1/auth/token").status_code == 204
    assert api.get("/api/v1/contractors").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_revoking_one_token_keeps_the_others(
    admin_op: Operator, client_for: Callable[[Operator], Client]
) -> None:
    first, second = client_for(admin_op), client_for(admin_op)
    assert first.delete("/api/v1/auth/token").status_code == 204
    assert second.get("/api/v1/contractors").status_code == 200


@pytest.mark.parametrize("what", ["user", "operator"])
def test_token_of_deactivated_user_or_operator_is_401(
    make_operator: Callable[..., Operator], client_for: Callable[[Operator], Client], what: str
) -> None:
    operator = make_operator("leaver")
    client = client_for(operator)
    assert client.get("/api/v1/contractors").status_code == 200
    if what == "user":
        operator.user.is_active = False
        operator.user.save()
    else:
        operator.active = False
        operator.save()
    assert client.get("/api/v1/contractors").status_code == 401


def test_user_without_operator_profile_cannot_use_a_token(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("plain", password="secret-pass-1")
    _, raw = token_issue(user=user)
    assert token_authenticate(raw) is None
    assert _login(Client(), "plain", "secret-pass-1").status_code == 401


def test_cli_prints_a_working_token(admin_op: Operator) -> None:
    out = io.StringIO()
    call_command("token", "boss", stdout=out)
    raw = out.getvalue().strip()
    assert token_authenticate(raw) is not None
    assert Client(headers={"authorization": f"Bearer {raw}"}).get("/api/v1/operators").status_code == 200


def test_cli_refuses_unknown_and_inactive_users(make_operator: Callable[..., Operator]) -> None:
    make_operator("gone", active=False)
    with pytest.raises(CommandError, match="No user"):
        call_command("token", "nobody")
    with pytest.raises(CommandError, match="not an active operator"):
        call_command("token", "gone")
    assert not ApiToken.objects.exists()
