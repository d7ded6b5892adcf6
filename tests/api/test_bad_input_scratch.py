import json
from typing import Any
import pytest
from django.test import Client

JSON = "application/json"

@pytest.mark.django_db
def test_scratch(api: Client, sellers: Any, make_contractors: Any) -> None:
    ids = [c.pk for c in make_contractors(2)]
    deep = "[" * 100000 + "]" * 100000
    long = "1" * 5000
    cases = [
        ("POST", "/api/v1/caretakers/add", '{"contractor_ids": ' + deep + '}'),
        ("POST", "/api/v1/caretakers/add", deep),
        ("POST", "/api/v1/caretakers/add", '{"contractor_ids": [1], "operator_id": ' + long + ', "date_from": "2030-01-01"}'),
        ("POST", "/api/v1/caretakers/add", '{"contractor_ids": [1], "operator_id": 1e400, "date_from": "2030-01-01"}'),
        ("POST", "/api/v1/caretakers/add", '{"contractor_ids": [1], "operator_id": NaN, "date_from": "2030-01-01"}'),
        ("POST", "/api/v1/caretakers/add", '{"contractor_ids": [1], "operator_id": 1, "priority": Infinity, "date_from": "2030-01-01"}'),
        ("POST", "/api/v1/caretakers/add", '{"contractor_ids": [1], "contractor_ids": [2], "operator_id": 1, "date_from": "2030-01-01"}'),
        ("GET", "/api/v1/caretakers?page=" + long, None),
        ("GET", "/api/v1/caretakers?operator_id=" + long, None),
        ("GET", "/api/v1/upcoming-changes?days=" + long, None),
        ("GET", "/api/v1/contractors?search=" + "%F0%9F%98%80" * 10, None),
        ("GET", "/api/v1/contractors?search=%ED%A0%80", None),
        ("POST", "/api/v1/contractors", '{"code": "\\ud800", "name": "x"}'),
        ("POST", "/api/v1/auth/token", '{"username": "\\u0000", "password": "x"}'),
        ("POST", "/api/v1/auth/token", '{"username": "' + "x" * 10000 + '", "password": "x"}'),
        ("POST", "/api/v1/caretakers/import", None),
    ]
    for method, url, body in cases:
        if body is None:
            r = api.generic(method, url)
        else:
            r = api.generic(method, url, body, content_type=JSON)
        print(method, url[:60], (body or "")[:60], r.status_code, r.content[:300])
