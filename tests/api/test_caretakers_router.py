"""The caretakers API is one router joined from several modules (caretakers/api.py): the
paths keep their order, so that a fixed path comes before ``/caretakers/{id}``, and the
operations keep the OpenAPI ids clients generated code from."""

from __future__ import annotations

from opiekun.api import api

PREFIX = "/api/v1"
# (path, method, operation id, tags), in the order of the paths
EXPECTED = [
    ("/roles", "get", "opiekun_caretakers_api_roles", ["dictionaries"]),
    ("/roles", "post", "opiekun_caretakers_api_role_new", ["dictionaries"]),
    ("/branches", "get", "opiekun_caretakers_api_branches", ["dictionaries"]),
    ("/branches", "post", "opiekun_caretakers_api_branch_new", ["dictionaries"]),
    ("/caretakers/add", "post", "opiekun_caretakers_api_caretakers_add", ["caretakers"]),
    ("/caretakers/add/preview", "post", "opiekun_caretakers_api_caretakers_add_preview", ["caretakers"]),
    ("/caretakers/resolve", "post", "opiekun_caretakers_api_caretakers_resolve", ["caretakers"]),
    ("/caretakers/acted-for", "get", "opiekun_caretakers_api_caretakers_acted_for", ["caretakers"]),
    ("/caretakers", "get", "opiekun_caretakers_api_caretakers", ["caretakers"]),
    ("/caretakers/{id}", "get", "opiekun_caretakers_api_caretaker_detail", ["caretakers"]),
    ("/caretakers/{id}", "patch", "opiekun_caretakers_api_caretaker_change", ["caretakers"]),
    ("/caretakers/{id}", "delete", "opiekun_caretakers_api_caretaker_remove", ["caretakers"]),
    (
        "/contractors/{id}/caretaker-info",
        "get",
        "opiekun_caretakers_api_contractor_caretaker_info",
        ["contractors"],
    ),
    (
        "/contractors/{id}/caretaker-audit",
        "get",
        "opiekun_caretakers_api_contractor_caretaker_audit",
        ["contractors"],
    ),
]


def test_the_caretakers_router_keeps_its_paths_order_and_operation_ids() -> None:
    paths = api.get_openapi_schema(path_prefix=f"{PREFIX}/")["paths"]
    found = [
        (path.removeprefix(PREFIX), method, operation["operationId"], operation["tags"])
        for path, operations in paths.items()
        for method, operation in operations.items()
        if operation["operationId"].startswith("opiekun_caretakers_api_")
    ]
    assert found == EXPECTED
