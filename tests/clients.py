"""Test clients as a user sees the screens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client


def logged_in(operator: Any, language: str) -> Client:
    """A client logged in as ``operator``'s user, its UI in ``language`` (the cookie)."""
    client = Client()
    client.force_login(operator.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client
