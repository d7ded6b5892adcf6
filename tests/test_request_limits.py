"""What one request may carry (src/opiekun/limits.py): bodies over the size limit are
413 with a message (JSON under /api/v1/, even unauthenticated), never a 500 or a bare
400; the largest selection fits, by POST, in the UI and the API; one more contractor is
a field error."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment, CaretakerRole
from opiekun.limits import MAX_SELECTION
from opiekun.operators.models import Operator
from opiekun.operators.tokens import token_issue

pytestmark = pytest.mark.django_db

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
ADD = "/opiekunowie/dodaj/"
TOO_BIG = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1


@pytest.fixture
def api(admin_op: Operator) -> Client:
    _, raw = token_issue(user=admin_op.user, name="test")
    return Client(headers={"authorization": f"Bearer {raw}", "accept-language": "en"})


@pytest.fixture
def boss_client(client: Client, admin_op: Operator) -> Client:
    client.force_login(admin_op.user)
    return client


def _add_body(ids: list[int], operator: Operator) -> str:
    return json.dumps({"contractor_ids": ids, "operator_id": operator.pk, "date_from": "2030-01-01"})


# --- the API -------------------------------------------------------------------------


def test_an_oversized_body_to_the_token_endpoint_is_413_json(client: Client) -> None:
    body = json.dumps({"username": "x" * TOO_BIG, "password": "y"})
    response = client.post("/api/v1/auth/token", body, content_type=JSON)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "at most 4 MB" in response.json()["detail"]


def test_a_million_contractor_ids_is_413_json(api: Client, admin_op: Operator) -> None:
    response = api.post(
        "/api/v1/caretakers/add", _add_body(list(range(1, 1_000_001)), admin_op), content_type=JSON
    )
    assert response.status_code == 413
    assert "100,000 contractors" in response.json()["detail"]
    assert not CaretakerAssignment.objects.exists()


def test_one_more_than_the_maximum_selection_is_422_on_the_field(api: Client, admin_op: Operator) -> None:
    response = api.post(
        "/api/v1/caretakers/add", _add_body(list(range(1, MAX_SELECTION + 2)), admin_op), content_type=JSON
    )
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["loc"] for e in errors] == [["body", "contractor_ids"]]
    assert "100000" in errors[0]["msg"]


def test_the_largest_selection_fits_in_one_body(api: Client, admin_op: Operator) -> None:
    """100,000 ids of the most digits an id has: read, and answered by the service."""
    ids = [10**18 + i for i in range(MAX_SELECTION)]
    body = _add_body(ids, admin_op).replace(",", ", ")
    assert len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = api.post("/api/v1/caretakers/add", body, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("Unknown contractors")


# --- the web UI ------------------------------------------------------------------------


def test_a_selection_of_1500_ticked_rows_opens_the_dialog_by_post(boss_client: Client) -> None:
    ids = list(range(1, 1501))
    response = boss_client.post(ADD, {"ids": ids, "dialog": "open"})
    assert response.status_code == 200
    assert response.context["selected"] == 1500


def test_the_largest_selection_fits_in_one_form(boss_client: Client) -> None:
    ids = "&".join(f"ids={10**18 + i}" for i in range(MAX_SELECTION))
    body = f"dialog=open&csrfmiddlewaretoken=x&{ids}"
    assert len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = boss_client.post(ADD, body, content_type=FORM)
    assert response.status_code == 200
    assert response.context["selected"] == MAX_SELECTION
    assert not response.context["selection_error"]


def test_one_more_ticked_row_than_the_maximum_is_a_dialog_error(
    boss_client: Client, admin_op: Operator, default_role: CaretakerRole
) -> None:
    ids = "&".join(f"ids={i}" for i in range(1, MAX_SELECTION + 2))
    form = f"operator_id={admin_op.pk}&date_from=01.01.2030&on_overlap=replace&type=main"
    body = f"{form}&role_id={default_role.pk}&{ids}"
    response = boss_client.post(ADD, body, content_type=FORM)
    assert response.status_code == 200
    assert response.context["selection_blocked"]
    assert "100" in response.context["selection_error"]
    assert not CaretakerAssignment.objects.exists()


def test_a_form_with_too_many_fields_is_413_with_a_message(boss_client: Client) -> None:
    body = "&".join(f"ids={i}" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = boss_client.post(ADD, body, content_type=FORM)
    assert response.status_code == 413
    page = response.content.decode()
    assert 'data-testid="too-large"' in page and "<html" in page
    assert "Zaznacz najwyżej" in page  # Polish first, and it says what to do


def test_a_dialog_request_over_the_size_limit_gets_the_message_in_the_dialog(boss_client: Client) -> None:
    body = "ids=" + "1" * TOO_BIG
    response = boss_client.post(ADD, body, content_type=FORM, headers={"HX-Request": "true"})
    assert response.status_code == 413
    page = response.content.decode()
    assert 'data-testid="too-large"' in page and "<html" not in page  # a dialog for #modal


def test_an_oversized_body_to_any_ui_path_is_413_not_400(client: Client, admin_op: Operator) -> None:
    response = client.post("/login/", "username=" + "x" * TOO_BIG, content_type=FORM)
    assert response.status_code == 413
