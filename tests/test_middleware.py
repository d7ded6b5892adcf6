"""The web UI is Polish first; the API follows Accept-Language, English without it.
A database that stays locked by another writer answers 503, not 500."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import OperationalError
from django.test import Client

from opiekun.middleware import is_database_busy
from opiekun.operators.models import Operator
from opiekun.operators.tokens import token_issue


@pytest.mark.django_db
def test_ui_is_polish_for_an_english_browser_until_the_user_switches() -> None:
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'lang="pl"' in page.content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'lang="en"' in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_api_honours_accept_language() -> None:
    english = Client(headers={"accept-language": "en"}).get("/api/v1/contractors")
    polish = Client(headers={"accept-language": "pl"}).get("/api/v1/contractors")
    assert english.status_code == polish.status_code == 401
    assert english.headers.get("Content-Language") == "en"
    assert polish.headers.get("Content-Language") == "pl"


@pytest.mark.django_db
def test_api_speaks_english_without_accept_language() -> None:
    response = Client().get("/api/v1/contractors")
    assert response.headers.get("Content-Language") == "en"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("de", "en"),  # was Polish: LANGUAGE_CODE, not the API's English
        ("*", "en"),
        ("pl;q=0", "en"),  # q=0: not acceptable
        ("de, pl;q=0.5", "pl"),
        ("pl-PL,pl;q=0.9,en;q=0.8", "pl"),
        ("en-US", "en"),
        ("fr;q=abc", "en"),
        ("en;q=0.4, pl;q=0.7", "pl"),  # the most preferred, not the first written
        ("*;q=1, en;q=0.2", "en"),
        ("x" * 300, "en"),  # too long a header: none accepted
    ],
)
def test_api_speaks_english_unless_a_language_of_its_own_is_accepted(header: str, language: str) -> None:
    response = Client(headers={"accept-language": header}).get("/api/v1/contractors")
    assert response.headers.get("Content-Language") == language


def _wrapped(cause: BaseException) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("cause", "busy"),
    [
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("database table is locked"), True),
        (sqlite3.OperationalError("no such table: x"), False),
        (psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"), True),
        (psycopg.errors.DeadlockDetected("deadlock detected"), True),
        (psycopg.errors.SerializationFailure("could not serialize access"), True),
        (psycopg.errors.UndefinedTable("relation does not exist"), False),
    ],
)
def test_a_database_busy_error_is_told_from_a_fault(cause: BaseException, busy: bool) -> None:
    assert is_database_busy(_wrapped(cause)) is busy
    assert is_database_busy(cause) is False  # not through Django: not ours to judge


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/operatorzy/tokeny/", "/api/v1/auth/tokens"])
def test_a_busy_database_answers_503_with_retry_after(path: str, monkeypatch: Any) -> None:
    busy = _wrapped(sqlite3.OperationalError("database is locked"))

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise busy

    monkeypatch.setattr("opiekun.operators.views.token_list", locked)
    monkeypatch.setattr("opiekun.operators.api.token_list", locked)
    admin = User.objects.create_superuser("root", password="x")
    Operator.objects.create(user=admin)
    client = Client(headers={"authorization": f"Bearer {token_issue(user=admin)[1]}"})
    client.force_login(admin)
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
