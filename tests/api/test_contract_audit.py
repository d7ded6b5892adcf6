"""What a black-box audit of the API against its contract (docs/api.md) found: each
test here failed before its fix."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db

JSON_BODY_POSTS = [
    "/api/v1/auth/token",
    "/api/v1/contractors",
    "/api/v1/roles",
    "/api/v1/branches",
    "/api/v1/caretakers/add",
    "/api/v1/caretakers/add/preview",
    "/api/v1/caretakers/resolve",
    "/api/v1/handovers",
    "/api/v1/absences",
]


@pytest.mark.parametrize("path", JSON_BODY_POSTS)
def test_a_multipart_form_where_json_is_expected_is_a_422_not_a_500(
    api: Client, admin_op: Operator, path: str
) -> None:
    """The request limits parse a multipart body as a form before the view; reading
    it again as JSON raised, and the answer was a 500."""
    response = api.post(path, {"from_operator_id": str(admin_op.pk), "note": "x"})
    assert response.status_code == 422, response.content
    assert response.json() == {
        "detail": [{"loc": ["body"], "msg": "Cannot parse request body", "type": "json_invalid"}]
    }


def test_import_form_errors_name_the_field_in_the_body(api: Client, admin_op: Operator) -> None:
    """Every field of the multipart body is `["body", name]`, as the import's own
    file errors are — not ninja's `["file", "file"]` and `["form", …]`."""
    url = "/api/v1/caretakers/import"
    missing = api.post(url, {"dry_run": "true"})
    assert missing.status_code == 422
    assert missing.json()["detail"] == [{"loc": ["body", "file"], "msg": "Field required", "type": "missing"}]
    upload = SimpleUploadedFile(
        "a.csv", b"contractor_code;operator_login;date_from\n", content_type="text/csv"
    )
    wrong = api.post(url, {"file": upload, "on_overlap": "sometimes", "dry_run": "maybe"})
    assert wrong.status_code == 422
    assert sorted(tuple(item["loc"]) for item in wrong.json()["detail"]) == [
        ("body", "dry_run"),
        ("body", "on_overlap"),
    ]


def test_the_audit_does_not_touch_ordinary_answers(api: Client) -> None:
    """A JSON body still reaches the view; query errors keep `query`."""
    response = api.post("/api/v1/caretakers/resolve", {"items": []}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "items"]
    listed = api.get("/api/v1/handovers?page_size=0")
    assert listed.json()["detail"][0]["loc"] == ["query", "page_size"]
