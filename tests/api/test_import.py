"""POST /api/v1/caretakers/import: the contract of §12a — a multipart file, on_overlap,
dry_run (default true) → {applied, rows, errors: [{row, column, message}], outcomes}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.contractors.importing import contractors_import
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator

URL = "/api/v1/caretakers/import"
HEADER = "contractor_code;operator_login;type;date_from;date_to\n"

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(make_operator: Callable[..., Operator], make_contractors: Any, default_role: Any) -> dict[str, Any]:
    return {"ewa": make_operator("ewa"), "c": make_contractors(2)}


def _file(body: str, name: str = "opiekunowie.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\ufeff" + HEADER + body).encode("utf-8"), content_type="text/csv")


def test_a_dry_run_by_default_writes_nothing(api: Client, setup: dict[str, Any]) -> None:
    code = setup["c"][0].code
    response = api.post(URL, {"file": _file(f"{code};ewa;main;2025-01-01;\n")})
    assert response.status_code == 200
    assert response.json() == {
        "applied": False,
        "rows": 1,
        "errors": [],
        "outcomes": {"added": 1, "merged": 0, "unchanged": 0, "replaced": 0, "skipped": 0},
    }
    assert not CaretakerAssignment.objects.exists()


def test_an_import_writes_and_says_so(api: Client, setup: dict[str, Any]) -> None:
    c = setup["c"]
    body = f"{c[0].code};ewa;Główny;01.01.2025;\n{c[1].code};ewa;deputy;2025-01-01;2025-12-31\n"
    response = api.post(URL, {"file": _file(body), "dry_run": "false", "on_overlap": "replace"})
    assert response.status_code == 200, response.content
    assert response.json()["applied"] is True
    assert response.json()["outcomes"]["added"] == 2
    assert CaretakerAssignment.objects.count() == 2


def test_errors_with_dry_run_false_are_a_422_with_the_same_body(api: Client, setup: dict[str, Any]) -> None:
    code = setup["c"][0].code
    body = f"{code};ewa;main;2025-01-01;\nNOPE;ewa;main;2025-13-01;\n"
    response = api.post(URL, {"file": _file(body), "dry_run": "false"})
    assert response.status_code == 422
    data = response.json()
    assert data["applied"] is False and data["rows"] == 2
    assert data["errors"] == [
        {"row": 3, "column": "date_from", "message": "Enter a valid date (YYYY-MM-DD or dd.mm.yyyy)."},
        {"row": 3, "column": "contractor_code", "message": "Unknown contractor NOPE."},
    ]
    assert data["outcomes"]["added"] == 1
    assert not CaretakerAssignment.objects.exists()
    dry = api.post(URL, {"file": _file(body)})
    assert dry.status_code == 200 and dry.json()["errors"] == data["errors"]


def test_messages_in_polish_when_asked(
    client_for: Callable[[Operator], Client], admin_op: Operator, setup: Any
) -> None:
    client = client_for(admin_op)
    response = client.post(
        URL, {"file": _file("NOPE;ewa;main;2025-01-01;\n")}, headers={"accept-language": "pl"}
    )
    assert response.json()["errors"][0]["message"] == "Nieznany kontrahent NOPE."


def test_a_file_that_cannot_be_read_or_is_too_large(api: Client, setup: Any, settings: Any) -> None:
    broken = SimpleUploadedFile("x.xlsx", b"PK\x03\x04 broken", content_type="application/octet-stream")
    response = api.post(URL, {"file": broken})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    settings.IMPORT_MAX_BYTES = 100
    response = api.post(URL, {"file": _file("x" * 200)})
    assert response.status_code == 422
    assert "larger than" in response.json()["detail"][0]["msg"]
    assert api.post(URL, {}).status_code == 422
    assert api.post(URL, {"file": _file(""), "on_overlap": "warn"}).status_code == 422


def test_needs_the_assign_permission_and_sees_only_changeable_contractors(
    client_for: Callable[[Operator], Client], make_operator: Callable[..., Operator], setup: Any
) -> None:
    reader = client_for(make_operator("reader", can_assign=False))
    assert reader.post(URL, {"file": _file("")}).status_code == 403
    assert Client().post(URL, {"file": _file("")}).status_code == 401
    own = client_for(make_operator("own", visibility="own", unassigned_access="denied"))
    code = Contractor.objects.first().code  # type: ignore[union-attr]
    data = own.post(URL, {"file": _file(f"{code};ewa;main;2025-01-01;\n")}).json()
    assert data["errors"][0]["message"] == f"Unknown contractor {code}."


START = {"en": "Unknown columns (20000): ", "pl": "Nieznane kolumny (20000): "}
MORE = {"en": "extra9 and 19990 more; known: ", "pl": "extra9 i 19990 innych; znane: "}
UNKNOWN = [f"extra{i}" for i in range(20_000)]


@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_api_answers_one_header_error_in_the_callers_language(
    api: Client, admin_op: Operator, language: str
) -> None:
    body = ";".join(["contractor_code", "operator_login", "date_from", *UNKNOWN]) + "\nK1;ewa;2030-01-01\n"
    upload = SimpleUploadedFile("a.csv", body.encode(), content_type="text/csv")
    response = api.post("/api/v1/caretakers/import", {"file": upload}, headers={"accept-language": language})
    assert response.status_code == 200, response.content
    header = [e for e in response.json()["errors"] if e["row"] == 1]
    assert len(header) == 1 and header[0]["column"] is None
    assert header[0]["message"].startswith(START[language] + "extra0, extra1, ")
    assert MORE[language] in header[0]["message"]


def test_a_value_in_a_column_without_a_header_is_an_error_not_dropped(
    api: Client, setup: dict[str, Any], actor: Any, tmp_path: Any
) -> None:
    """A date_to typed in a sixth column without its header was dropped: the row
    imported open-ended. Now it is an error of the row naming the column; empty cells
    there, and an empty untitled column, are fine. The contractors' import the same."""
    code = setup["c"][0].code
    body = f"{code};ewa;main;2025-01-01;2025-06-30;2025-12-31\n"
    refused = api.post(URL, {"file": _file(body), "dry_run": "false"}, headers={"accept-language": "pl"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "row": 2,
            "column": None,
            "message": "Wartość w kolumnie 6, która nie ma nagłówka: nazwij kolumnę albo usuń wartość.",
        }
    ]
    assert not CaretakerAssignment.objects.exists()
    untitled = SimpleUploadedFile(
        "a.csv", f"contractor_code;;operator_login;date_from\n{code};x;ewa;2025-01-01\n".encode(), "text/csv"
    )
    [error] = api.post(URL, {"file": untitled}).json()["errors"]
    assert (error["row"], error["column"], error["message"][:27]) == (2, None, "A value in column 2, which ")
    fine = f"{code};ewa;main;2025-01-01;;\n{setup['c'][1].code};ewa;main;2025-01-01;\n"
    assert api.post(URL, {"file": _file(fine)}).json()["errors"] == []
    firms = tmp_path / "c.csv"
    firms.write_text("code;name\nZ1;Zet;Kraków\nZ2;Zed;\n", encoding="utf-8")
    report = contractors_import(actor=actor, path=firms, filename="c.csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, None)]
