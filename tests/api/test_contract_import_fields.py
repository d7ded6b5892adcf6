"""§12a: `POST /api/v1/caretakers/import` — multipart `file`, `on_overlap`, `dry_run`
(default true). An integrator who puts `dry_run` and `on_overlap` in the query string
(`…/caretakers/import?dry_run=false`) was answered 200 with `applied: false`, the
policy `keep`: both were ignored. They are taken from either place now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db

URL = "/api/v1/caretakers/import"


@pytest.fixture
def firm(make_contractors: Callable[[int], list[Contractor]], default_role: Any) -> Contractor:
    return make_contractors(1)[0]


def _file(code: str, login: str) -> SimpleUploadedFile:
    body = f"contractor_code;operator_login;type;date_from\n{code};{login};main;2030-01-01\n"
    return SimpleUploadedFile("a.csv", body.encode(), content_type="text/csv")


def test_dry_run_and_on_overlap_in_the_query_string_are_taken(
    api: Client, actor: Any, firm: Contractor, make_operator: Callable[..., Operator]
) -> None:
    ewa, ola = make_operator("ewa"), make_operator("ola")
    caretaker_add(actor=actor, contractor_ids=[firm.pk], operator_id=ola.pk, date_from="2029-01-01")
    response = api.post(f"{URL}?dry_run=false&on_overlap=replace", {"file": _file(firm.code, "ewa")})
    assert response.status_code == 200, response.content
    assert response.json()["applied"] is True
    assert response.json()["outcomes"]["replaced"] == 1
    rows = CaretakerAssignment.objects.filter(contractor=firm).order_by("date_from")
    assert [(r.operator_id, str(r.date_from), r.date_to) for r in rows] == [
        (ola.pk, "2029-01-01", date(2029, 12, 31)),
        (ewa.pk, "2030-01-01", None),
    ]


def test_the_form_still_works_and_the_default_is_a_dry_run_under_keep(
    api: Client, firm: Contractor, make_operator: Callable[..., Operator]
) -> None:
    make_operator("ewa")
    dry = api.post(URL, {"file": _file(firm.code, "ewa")})
    assert dry.status_code == 200 and dry.json()["applied"] is False
    assert not CaretakerAssignment.objects.exists()
    applied = api.post(URL, {"file": _file(firm.code, "ewa"), "dry_run": "false"})
    assert applied.status_code == 200 and applied.json()["applied"] is True
    assert CaretakerAssignment.objects.count() == 1


@pytest.mark.parametrize(
    ("query", "form", "field"),
    [
        ("dry_run=false", {"dry_run": "true"}, "dry_run"),
        ("on_overlap=keep", {"on_overlap": "replace"}, "on_overlap"),
    ],
)
def test_the_same_field_twice_with_different_values_is_a_field_error(
    api: Client,
    firm: Contractor,
    make_operator: Callable[..., Operator],
    query: str,
    form: dict[str, str],
    field: str,
) -> None:
    make_operator("ewa")
    response = api.post(f"{URL}?{query}", {"file": _file(firm.code, "ewa"), **form})
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["body", field]]
    assert not CaretakerAssignment.objects.exists()


def test_the_same_value_in_both_places_is_fine_and_a_bad_query_value_names_the_query(
    api: Client, firm: Contractor, make_operator: Callable[..., Operator]
) -> None:
    make_operator("ewa")
    same = api.post(f"{URL}?dry_run=false", {"file": _file(firm.code, "ewa"), "dry_run": "0"})
    assert same.status_code == 200 and same.json()["applied"] is True
    bad = api.post(f"{URL}?on_overlap=warn", {"file": _file(firm.code, "ewa")})
    assert bad.status_code == 422
    assert [item["loc"] for item in bad.json()["detail"]] == [["query", "on_overlap"]]


def test_the_refusal_speaks_polish_when_asked(
    api: Client, firm: Contractor, make_operator: Callable[..., Operator]
) -> None:
    make_operator("ewa")
    response = api.post(
        f"{URL}?dry_run=true",
        {"file": _file(firm.code, "ewa"), "dry_run": "false"},
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        "Podano w formularzu i w adresie zapytania, z różnymi wartościami; podaj je raz."
    )
