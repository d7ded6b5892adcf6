"""What a black-box audit of the API against its contract (docs/api.md) found: each
test here failed before its fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, Handover
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

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


def test_writes_to_what_an_own_only_reader_may_not_see_are_404_not_403(
    api: Client,
    actor: Any,
    client_for: Callable[[Operator], Client],
    make_operator: Callable[..., Operator],
    make_contractors: Callable[[int], list[Contractor]],
) -> None:
    """An own-only operator without the permission to assign got 403 for a write to an
    assignment or a handover they may not see, where the contract answers 404; a
    visible one stays 403."""
    mine, hidden = make_contractors(2)
    reader = make_operator("reader", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    reader.can_assign = False
    reader.save()
    seller, heir = make_operator("seller"), make_operator("heir")
    caretaker_add(actor=actor, contractor_ids=[mine.pk], operator_id=reader.pk, date_from="2024-01-01")
    caretaker_add(actor=actor, contractor_ids=[hidden.pk], operator_id=seller.pk, date_from="2024-01-01")
    own_row = CaretakerAssignment.objects.get(contractor=mine)
    hidden_row = CaretakerAssignment.objects.get(contractor=hidden)
    preview = api.post(
        "/api/v1/handovers",
        {"from_operator_id": seller.pk, "to_operator_ids": [heir.pk], "date": "2030-01-01"},
        content_type="application/json",
    ).json()
    handover = api.post(
        "/api/v1/handovers",
        {
            "from_operator_id": seller.pk,
            "to_operator_ids": [heir.pk],
            "date": "2030-01-01",
            "confirm_token": preview["confirm_token"],
        },
        content_type="application/json",
    ).json()["handover"]
    client = client_for(reader)
    change = {"date_to": "2031-01-01"}
    for path in (f"/api/v1/caretakers/{hidden_row.pk}", "/api/v1/caretakers/999999"):
        assert client.patch(path, change, content_type="application/json").status_code == 404
        assert client.delete(path).status_code == 404
    for path in (f"/api/v1/handovers/{handover['id']}/cancel", "/api/v1/handovers/999999/cancel"):
        assert client.post(path).status_code == 404
    mine_path = f"/api/v1/caretakers/{own_row.pk}"
    assert client.patch(mine_path, change, content_type="application/json").status_code == 403
    assert client.delete(mine_path).status_code == 403
    assert CaretakerAssignment.objects.filter(pk__in=[own_row.pk, hidden_row.pk]).count() == 2
    assert Handover.objects.get(pk=handover["id"]).cancelled_at is None


@pytest.mark.parametrize("day", ["١٢٣٤-01-01", "２０２７-01-01", "2027-٠١-01"])
def test_a_date_in_other_digits_than_ascii_is_refused(api: Client, day: str) -> None:
    """The quick path of the date parser took any Unicode digits (`١٢٣٤-01-01` was
    1234-01-01); the documented forms are ASCII digits only, as the slow path has it."""
    response = api.get("/api/v1/coverage-gaps", {"on": day})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "on"]
    body = {"items": [{"contractor_id": 1, "on": day}]}
    resolved = api.post("/api/v1/caretakers/resolve", body, content_type="application/json")
    assert resolved.status_code == 422
    assert resolved.json()["detail"][0]["loc"] == ["body", "items", 0, "on"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/upcoming-changes?days=14&operator_id=",
        "/api/v1/handovers?operator_id=&state=",
        "/api/v1/absences?operator_id=&date_from=&date_to=",
        "/api/v1/coverage-gaps?on=&date_from=&date_to=&role_id=&branch_id=&consider_absences=",
        "/api/v1/caretakers?contractor_id=&operator_id=&on=&type=&ordering=&page=&page_size=",
        "/api/v1/contractors?search=&caretaker_id=&page=",
    ],
)
def test_a_query_parameter_sent_empty_is_not_given(api: Client, path: str) -> None:
    """The contract writes `GET /upcoming-changes?days=14&operator_id=` and
    `caretaker-info?on=&role_id=&branch_id=`: a client filling that template leaves a
    parameter empty. It was a 422 (not an integer, not a date); it is the parameter
    left out, and the links to other pages do not repeat it."""
    response = api.get(path)
    assert response.status_code == 200, response.content
    assert response.json()["page"] == 1
    assert response.json()["page_size"] == 50


def test_caretaker_info_with_the_parameters_of_the_contract_left_empty(
    api: Client, make_contractors: Callable[[int], list[Contractor]], default_role: Any
) -> None:
    contractor = make_contractors(1)[0]
    response = api.get(f"/api/v1/contractors/{contractor.pk}/caretaker-info?on=&role_id=&branch_id=")
    assert response.status_code == 200, response.content
    assert response.json()["reason"] == "none" and response.json()["acting"] is None


@pytest.mark.parametrize("path", ["/api/v1/caretakers/import", "/api/v1/handovers"])
def test_a_broken_multipart_body_is_a_422_not_a_bare_400(api: Client, path: str) -> None:
    """A multipart body without its boundary answered `400 {"detail": "Bad Request"}`,
    a status the contract does not name for bad input."""
    response = api.generic("POST", path, b"garbage", content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body"], "msg": "Cannot parse request body", "type": "value_error"}]
    }
