"""Import opiekunów in the browser: upload, dry run, the error report, the import,
progress read from the job's files by any web process."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from opiekun.caretakers.import_jobs import import_job_get
from opiekun.caretakers.models import CaretakerAssignment
from opiekun.operators.models import Operator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def import_dir(settings: Any, tmp_path: Path) -> Path:
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


@pytest.fixture
def web(actor: Any) -> Client:
    client = Client()
    client.force_login(actor)
    return client


@pytest.fixture
def codes(make_operator: Callable[..., Operator], make_contractors: Any, default_role: Any) -> list[str]:
    make_operator("ewa")
    return [c.code for c in make_contractors(2)]


def _upload(client: Client, body: str, policy: str = "keep") -> Any:
    data = ("Kod kontrahenta;Login;Typ;Data od;Data do\n" + body).encode("utf-8")
    upload = SimpleUploadedFile("opiekunowie.csv", data, content_type="text/csv")
    return client.post(reverse("caretakers:import"), {"file": upload, "on_overlap": policy})


def _job_id(response: Any) -> str:
    assert response.status_code == 302, response.content
    return str(response["Location"].rstrip("/").split("/")[-1])


def test_upload_dry_run_error_report_then_import_the_valid_rows(
    web: Client, codes: list[str], actor: Any
) -> None:
    assert web.get(reverse("caretakers:import")).status_code == 200
    job_id = _job_id(_upload(web, f"{codes[0]};ewa;Główny;01.01.2025;\nNOPE;ewa;Główny;01.01.2025;\n"))
    page = web.get(reverse("caretakers:import_job", args=[job_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-state="check-running"' in html and reverse("caretakers:import_run", args=[job_id]) in html

    checked = web.post(reverse("caretakers:import_run", args=[job_id]), {"mode": "check"})
    html = checked.content.decode()
    assert 'data-state="checked"' in html
    assert "Nieznany kontrahent NOPE." in html
    assert 'data-outcome="added"><strong>1</strong>' in html
    assert not CaretakerAssignment.objects.exists()

    report = web.get(reverse("caretakers:import_errors", args=[job_id]))
    rows = list(csv.reader(io.StringIO(report.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Wiersz", "Kolumna", "Komunikat"], ["3", "Kod kontrahenta", "Nieznany kontrahent NOPE."]]

    progress = web.get(reverse("caretakers:import_progress", args=[job_id]))
    assert progress.status_code == 200 and 'data-percent="100"' in progress.content.decode()

    panel = web.get(reverse("caretakers:import_panel", args=[job_id]), {"run": "apply", "skip_invalid": "1"})
    assert 'data-state="apply-running"' in panel.content.decode()
    applied = web.post(
        reverse("caretakers:import_run", args=[job_id]), {"mode": "apply", "skip_invalid": "1"}
    )
    assert 'data-state="applied"' in applied.content.decode()
    assert CaretakerAssignment.objects.get().history.get().history_user == actor
    again = web.post(reverse("caretakers:import_run", args=[job_id]), {"mode": "apply"})
    assert again.status_code == 409
    assert CaretakerAssignment.objects.count() == 1


def test_a_clean_file_imports_and_policy_can_change_between_dry_runs(web: Client, codes: list[str]) -> None:
    job_id = _job_id(_upload(web, f"{codes[0]};ewa;Główny;01.01.2025;\n"))
    panel = web.get(
        reverse("caretakers:import_panel", args=[job_id]), {"run": "check", "on_overlap": "replace"}
    )
    assert '"on_overlap": "replace"' in panel.content.decode()
    checked = web.post(
        reverse("caretakers:import_run", args=[job_id]), {"mode": "check", "on_overlap": "replace"}
    )
    job = import_job_get(user=checked.wsgi_request.user, job_id=job_id)
    assert job is not None and job.policy == "replace"
    assert 'data-testid="import-apply"' in checked.content.decode()
    applied = web.post(reverse("caretakers:import_run", args=[job_id]), {"mode": "apply"})
    assert 'data-state="applied"' in applied.content.decode()
    assert CaretakerAssignment.objects.count() == 1


def test_a_file_of_a_header_alone_says_there_is_nothing_to_import(web: Client, codes: list[str]) -> None:
    job_id = _job_id(_upload(web, ""))
    html = web.post(reverse("caretakers:import_run", args=[job_id]), {"mode": "check"}).content.decode()
    assert 'data-state="checked"' in html
    assert 'data-testid="import-empty"' in html and "Plik nie ma wierszy pod nagłówkiem" in html
    assert 'data-testid="import-apply"' not in html


def test_a_file_with_errors_is_not_imported_without_skipping(web: Client, codes: list[str]) -> None:
    job_id = _job_id(_upload(web, "NOPE;ewa;Główny;01.01.2025;\n"))
    response = web.post(reverse("caretakers:import_run", args=[job_id]), {"mode": "apply"})
    assert 'data-state="checked"' in response.content.decode()
    assert not CaretakerAssignment.objects.exists()


def test_uploads_that_are_refused(web: Client, codes: list[str], settings: Any) -> None:
    assert web.post(reverse("caretakers:import"), {}).status_code == 400
    # A zip that is no workbook is refused at upload (it was taken; its dry run failed).
    broken = SimpleUploadedFile("x.xlsx", b"PK\x03\x04 broken")
    refused = web.post(reverse("caretakers:import"), {"file": broken, "on_overlap": "keep"})
    assert refused.status_code == 400 and "to nie jest ani CSV, ani XLSX" in refused.content.decode()
    # A workbook whose sheet is broken is found by the dry run, which does read the rows.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml")
    sheet = SimpleUploadedFile("y.xlsx", buffer.getvalue())
    job_id = _job_id(web.post(reverse("caretakers:import"), {"file": sheet, "on_overlap": "keep"}))
    failed = web.post(reverse("caretakers:import_run", args=[job_id]), {"mode": "check"})
    assert 'data-testid="import-failed"' in failed.content.decode()
    settings.IMPORT_MAX_BYTES = 10
    too_large = _upload(web, f"{codes[0]};ewa;Główny;01.01.2025;\n")
    assert too_large.status_code == 400
    assert "Plik jest większy niż 1 kB" in too_large.content.decode()
    much_larger = _upload(web, "x" * 100_000)  # refused before the body is read
    assert much_larger.status_code == 413
    assert "Plik jest większy niż" in much_larger.content.decode()


def test_only_the_uploader_with_the_assign_permission(
    web: Client, codes: list[str], make_operator: Callable[..., Operator]
) -> None:
    job_id = _job_id(_upload(web, ""))
    other = Client()
    other.force_login(make_operator("other").user)
    assert other.get(reverse("caretakers:import_job", args=[job_id])).status_code == 404
    assert other.get(reverse("caretakers:import_errors", args=["not-a-job"])).status_code == 404
    reader = Client()
    reader.force_login(make_operator("reader", can_assign=False).user)
    assert reader.get(reverse("caretakers:import")).status_code == 403
    # The menu does not offer the reader what they may not open; the uploader sees it.
    import_link = f'href="{reverse("caretakers:import")}"'
    assert import_link not in reader.get(reverse("contractors:list")).content.decode()
    assert import_link in web.get(reverse("contractors:list")).content.decode()
    assert Client().get(reverse("caretakers:import")).status_code == 302
