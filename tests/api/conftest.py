"""API test fixtures: the API's own URLs, and clients holding a bearer token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from opiekun.operators.models import Operator
from opiekun.operators.tokens import token_issue


@pytest.fixture(autouse=True)
def _api_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.api.urls"


@pytest.fixture
def client_for(db: Any) -> Callable[[Operator], Client]:
    """A client sending a fresh bearer token of the operator's user."""

    def make(operator: Operator) -> Client:
        _, raw = token_issue(user=operator.user, name="test")
        # Service messages follow Accept-Language (Polish by default); tests read English.
        return Client(headers={"authorization": f"Bearer {raw}", "accept-language": "en"})

    return make


@pytest.fixture
def api(client_for: Callable[[Operator], Client], admin_op: Operator) -> Client:
    """A client of an operator who sees everything and holds every permission."""
    return client_for(admin_op)
