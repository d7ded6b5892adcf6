"""Bearer tokens: issued by POST /auth/token and the CLI, stored as SHA-256 only,
revocable, and refused for anyone who is no longer an active operator."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from opiekun.operators.models import ApiToken, Operator
from opiekun.operators.tokens import token_authenticate, token_issue, token_revoke


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
    with pytest.raises(CommandError, match="Nie ma użytkownika 'nobody'") as unknown:
        call_command("token", "nobody")
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("token", "nobody", "--language", "en")
    with pytest.raises(CommandError, match="nie jest aktywnym operatorem") as inactive:
        call_command("token", "gone")
    assert unknown.value.returncode == inactive.value.returncode == 2  # bad usage, as every command
    assert not ApiToken.objects.exists()


def test_a_token_expires_after_the_configured_lifetime(admin_op: Operator, settings: Any) -> None:
    settings.API_TOKEN_LIFETIME = timedelta(days=90)
    response = _login(Client(), "boss", "secret-pass-1")
    body = response.json()
    issued = datetime.fromisoformat(body["created_at"])
    lifetime = datetime.fromisoformat(body["expires_at"]) - issued
    assert lifetime == pytest.approx(timedelta(days=90), abs=timedelta(seconds=1))
    api = Client(headers={"authorization": f"Bearer {body['token']}"})
    assert api.get("/api/v1/operators").status_code == 200

    ApiToken.objects.filter(pk=body["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/operators").status_code == 401

    settings.API_TOKEN_LIFETIME = timedelta(days=7)
    token, _ = token_issue(user=admin_op.user)
    assert token.expires_at - token.created_at == pytest.approx(timedelta(days=7), abs=timedelta(seconds=1))


def test_the_token_list_shows_only_the_callers_own_tokens(
    admin_op: Operator, make_operator: Callable[..., Operator], client_for: Callable[[Operator], Client]
) -> None:
    api = client_for(admin_op)
    old, _ = token_issue(user=admin_op.user, name="laptop")
    token_revoke(token=old)
    token_issue(user=make_operator("someone").user, name="not mine")

    listed = api.get("/api/v1/auth/tokens").json()
    assert listed["count"] == 2
    rows = {row["name"]: row for row in listed["results"]}
    assert set(rows) == {"test", "laptop"}
    assert rows["test"]["current"] is True and rows["test"]["live"] is True
    assert rows["laptop"]["current"] is False and rows["laptop"]["live"] is False
    assert rows["laptop"]["revoked_at"] is not None
    assert set(rows["test"]) == {
        "id",
        "prefix",
        "name",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "live",
        "current",
    }
    assert [r["name"] for r in api.get("/api/v1/auth/tokens?live=true").json()["results"]] == ["test"]


def test_a_user_revokes_one_of_their_tokens_by_id_and_nobody_elses(
    admin_op: Operator, make_operator: Callable[..., Operator], client_for: Callable[[Operator], Client]
) -> None:
    api = client_for(admin_op)
    other = client_for(admin_op)
    other_id = ApiToken.objects.filter(user=admin_op.user).order_by("-id").first().pk  # type: ignore[union-attr]
    foreign, _ = token_issue(user=make_operator("someone").user)

    assert api.delete(f"/api/v1/auth/tokens/{foreign.pk}").status_code == 404
    assert api.delete(f"/api/v1/auth/tokens/{other_id}").status_code == 204
    assert other.get("/api/v1/operators").status_code == 401
    assert api.get("/api/v1/operators").status_code == 200
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_a_password_change_revokes_the_users_tokens(
    admin_op: Operator, make_operator: Callable[..., Operator], client_for: Callable[[Operator], Client]
) -> None:
    mine, theirs = client_for(admin_op), client_for(make_operator("someone"))
    user = admin_op.user
    user.set_password("a-new-password-2")
    user.save()
    assert mine.get("/api/v1/operators").status_code == 401
    assert theirs.get("/api/v1/operators").status_code == 200
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()


def test_a_password_change_in_the_admin_revokes_the_users_tokens(
    admin_op: Operator,
    make_operator: Callable[..., Operator],
    client_for: Callable[[Operator], Client],
    settings: Any,
) -> None:
    settings.ROOT_URLCONF = "opiekun.urls"
    api = client_for(admin_op)
    browser = Client()
    browser.force_login(make_operator("root", superuser=True).user)
    url = f"/admin/auth/user/{admin_op.user.pk}/password/"
    changed = browser.post(
        url, {"password1": "a-new-password-2", "password2": "a-new-password-2", "usable_password": "true"}
    )
    assert changed.status_code == 302
    assert changed["Location"] != url
    assert api.get("/api/v1/operators").status_code == 401


def test_rehashing_the_same_password_at_login_keeps_the_tokens(
    admin_op: Operator, client_for: Callable[[Operator], Client], settings: Any
) -> None:
    api = client_for(admin_op)
    # A newer preferred hasher: the next login re-hashes the (unchanged) password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert _login(Client(), "boss", "secret-pass-1").status_code == 201
    admin_op.user.refresh_from_db()
    assert admin_op.user.password.startswith("scrypt$")
    assert api.get("/api/v1/operators").status_code == 200


def test_cli_issues_a_token_for_the_days_asked(admin_op: Operator) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "boss", "--days", "7", stdout=out, stderr=err)
    token = token_authenticate(out.getvalue().strip())
    assert token is not None
    assert token.expires_at - token.created_at == pytest.approx(timedelta(days=7), abs=timedelta(seconds=1))
    assert err.getvalue().startswith(f"Wygasa {token.expires_at:%Y-%m-%d %H:%M} UTC.")
    for days in ("0", "36501", "99999999"):  # 99999999 days was an OverflowError's traceback
        with pytest.raises(CommandError, match="musi wynosić od 1 do 36500") as raised:
            call_command("token", "boss", "--days", days)
        assert raised.value.returncode == 2
    call_command("token", "boss", "--days", "36500", stdout=io.StringIO(), stderr=io.StringIO())


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_token_is_checked_in_one_query_with_its_user_and_operator(
    admin_op: Operator, django_user_model: Any, django_assert_num_queries: Any
) -> None:
    """The token, its user and the user's operator profile, read as the ORM reads
    them (aware times included), in one query; a superuser without a profile has
    none cached, so nothing asks again."""
    token, raw = token_issue(user=admin_op.user)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())  # no bookkeeping write
    with django_assert_num_queries(1):
        found = token_authenticate(raw)
        assert found is not None
        assert found.user.operator.visibility == admin_op.visibility
    stored = ApiToken.objects.select_related("user__operator").get(pk=token.pk)
    assert _fields(found) == _fields(stored)
    assert _fields(found.user) == _fields(stored.user)
    assert _fields(found.user.operator) == _fields(stored.user.operator)
    assert found.user.operator.user is found.user

    root = django_user_model.objects.create_superuser("root", password="secret-pass-1")
    token, raw = token_issue(user=root)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    with django_assert_num_queries(1):
        found = token_authenticate(raw)
        assert found is not None and found.user == root
        with pytest.raises(Operator.DoesNotExist):
            found.user.operator  # noqa: B018


def test_a_token_works_until_the_moment_it_expires(admin_op: Operator) -> None:
    token, raw = token_issue(user=admin_op.user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(seconds=2))
    assert token_authenticate(raw) is not None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(milliseconds=5))
    assert token_authenticate(raw) is None
