"""OpenAPI 3 at /api/v1/openapi.json and the interactive docs, served offline."""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib.staticfiles import finders
from django.test import Client

from opiekun.api import api


def test_openapi_schema_holds_the_contract(db: Any) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    expected = {
        "/api/v1/contractors": {"get", "post"},
        "/api/v1/contractors/{id}": {"get", "patch", "delete"},
        "/api/v1/operators": {"get"},
        "/api/v1/roles": {"get", "post"},
        "/api/v1/branches": {"get", "post"},
        "/api/v1/caretakers/add": {"post"},
        "/api/v1/caretakers/add/preview": {"post"},
        "/api/v1/caretakers/import": {"post"},
        "/api/v1/caretakers": {"get"},
        "/api/v1/caretakers/{id}": {"get", "patch", "delete"},
        "/api/v1/contractors/{id}/caretaker-info": {"get"},
        "/api/v1/contractors/{id}/caretaker-audit": {"get"},
        "/api/v1/auth/token": {"post", "delete"},
        "/api/v1/absences": {"get", "post"},
        "/api/v1/absences/{id}": {"get", "patch", "delete"},
        "/api/v1/caretakers/resolve": {"post"},
        "/api/v1/caretakers/acted-for": {"get"},
        "/api/v1/auth/tokens": {"get"},
        "/api/v1/auth/tokens/{id}": {"delete"},
        "/api/v1/handovers": {"get", "post"},
        "/api/v1/handovers/{id}": {"get"},
        "/api/v1/handovers/{id}/cancel": {"post"},
        "/api/v1/coverage-gaps": {"get"},
        "/api/v1/upcoming-changes": {"get"},
    }
    assert {path: set(ops) for path, ops in schema["paths"].items()} == expected
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    add = schema["paths"]["/api/v1/caretakers/add"]["post"]
    assert {"200", "409", "422", "403", "401"} <= set(add["responses"])
    assert "security" not in schema["paths"]["/api/v1/auth/token"]["post"]
    # test_schemathesis fuzzes the schema built in-process: it must be the served one.
    assert schema == json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))


def test_docs_page_uses_only_local_assets(db: Any) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    for asset in assets:
        assert not re.match(r"(?i)^(https?:)?//", asset), asset
        assert asset.startswith("/static/")
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "cdn" not in html.lower()
