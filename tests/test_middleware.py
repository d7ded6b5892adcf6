"""The web UI is Polish first; the API follows Accept-Language, English without it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client


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
