"""The filters of part two's lists through the API: an operator id that names nobody is
a 422 on its query parameter, as an unknown role or branch of /coverage-gaps is (an empty
page would read as "nothing to show"), and nothing else is answered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db

UNKNOWN = "999999"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/coverage-gaps", "last_operator_id"),
        ("/api/v1/upcoming-changes", "operator_id"),
        ("/api/v1/handovers", "operator_id"),
        ("/api/v1/absences", "operator_id"),
        ("/api/v1/caretakers/acted-for", "operator_id"),
    ],
)
def test_an_unknown_operator_is_a_field_error(api: Client, path: str, name: str) -> None:
    response = api.get(path, {name: UNKNOWN})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["query", name], "msg": f"Unknown operator {UNKNOWN}.", "type": "value_error"}]
    }
    polish = api.get(path, {name: UNKNOWN}, headers={"accept-language": "pl"})
    assert polish.json()["detail"][0]["msg"] == f"Nieznany operator {UNKNOWN}."


@pytest.mark.parametrize(
    "path",
    ["/api/v1/upcoming-changes", "/api/v1/handovers", "/api/v1/absences", "/api/v1/caretakers/acted-for"],
)
def test_a_known_operator_is_a_filter(api: Client, admin_op: Operator, path: str) -> None:
    response = api.get(path, {"operator_id": admin_op.pk})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_coverage_gaps_refuse_every_unknown_id_at_once(api: Client) -> None:
    query = {"role_id": UNKNOWN, "branch_id": UNKNOWN, "last_operator_id": UNKNOWN}
    detail = api.get("/api/v1/coverage-gaps", query).json()["detail"]
    assert sorted(item["loc"][1] for item in detail) == ["branch_id", "last_operator_id", "role_id"]


def test_an_operator_asking_for_someone_else_is_still_refused(
    client_for: Callable[[Operator], Client], make_operator: Callable[..., Operator], admin_op: Operator
) -> None:
    own_only = client_for(make_operator("jan", visibility="own"))
    assert own_only.get("/api/v1/upcoming-changes", {"operator_id": admin_op.pk}).status_code == 403
