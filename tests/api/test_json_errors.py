"""Every answer under /api/ is JSON: unknown paths (404) and wrong methods (405)
included, with or without a token; the web UI keeps its HTML pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["tests.api.urls", "opiekun.urls"])
def urlconf(request: Any, settings: Any) -> str:
    settings.ROOT_URLCONF = request.param
    return str(request.param)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here",
        "/api/v1/contractors/1/nothing-here",
        "/api/v1/contractors/",
        "/api/v1/",
        "/api/v2/contractors",
        "/api/",
    ],
)
@pytest.mark.parametrize("authenticated", [False, True])
def test_unknown_paths_are_json_404(urlconf: str, api: Client, path: str, authenticated: bool) -> None:
    client = api if authenticated else Client()
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "/api/v1/contractors", {"GET", "POST"}),
        ("delete", "/api/v1/roles", {"GET", "POST"}),
        ("post", "/api/v1/operators", {"GET"}),
        ("get", "/api/v1/auth/token", {"POST", "DELETE"}),
        ("patch", "/api/v1/auth/tokens", {"GET"}),
    ],
)
def test_wrong_methods_are_json_405_with_allow(
    urlconf: str, api: Client, method: str, path: str, allowed: set[str]
) -> None:
    response = getattr(api, method)(path)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Method not allowed."}
    assert {m.strip() for m in response["Allow"].split(",")} == allowed


def test_the_web_ui_keeps_its_html_404(settings: Any, client: Client) -> None:
    settings.ROOT_URLCONF = "opiekun.urls"
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
