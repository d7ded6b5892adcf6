"""Exports too large for one request: written by a background process into
EXPORT_DIR, followed on a progress page, then downloaded; never cut off, never a 500."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from opiekun.caretakers import export_jobs, exports
from opiekun.caretakers.export_jobs import export_job_run
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator
from tests.served import migrated_sqlite_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def spawned(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Jobs are recorded instead of started; a test runs one with `export_job_run`,
    as the background process would (the test database lives in this process)."""
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.EXPORT_BACKGROUND_ROWS = {"csv": 3, "xlsx": 3}
    started: list[str] = []
    monkeypatch.setattr(export_jobs, "_spawn", started.append)
    return started


@pytest.fixture
def ewa_rows(
    actor: Any, make_operator: Callable[..., Operator], make_contractors: Callable[..., list[Contractor]]
) -> Operator:
    ewa = make_operator("ewa")
    caretaker_add(
        actor=actor,
        contractor_ids=[c.pk for c in make_contractors(5)],
        operator_id=ewa.pk,
        date_from="2024-01-01",
        on_overlap="replace",
    )
    return ewa


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _export(client: Client, fmt: str, ewa: Operator) -> Any:
    url = reverse("reports:by_caretaker_export", args=[fmt])
    return client.get(url, {"operator": str(ewa.pk), "sort": "contractor"})


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_an_export_within_the_limit_is_answered_at_once(
    actor: Any, ewa_rows: Operator, spawned: list[str], settings: Any
) -> None:
    settings.EXPORT_BACKGROUND_ROWS = {"csv": 5, "xlsx": 5}
    response = _export(_client(actor), "csv", ewa_rows)
    assert response.status_code == 200
    assert len(_csv(response.getvalue())) == 6
    assert spawned == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_export_runs_in_the_background_and_offers_the_download(
    actor: Any, ewa_rows: Operator, spawned: list[str], settings: Any, fmt: str
) -> None:
    client = _client(actor)
    response = _export(client, fmt, ewa_rows)
    assert response.status_code == 302
    (job_id,) = spawned
    progress_url = reverse("reports:export_job", args=[job_id])
    assert response["Location"] == progress_url

    waiting = client.get(progress_url)
    assert waiting.status_code == 200
    html = waiting.content.decode()
    assert 'data-state="running"' in html
    assert 'http-equiv="refresh"' in html, "the page follows the progress by itself"
    assert "export-download" not in html

    assert export_job_run(job_id).state == "done"
    done = client.get(progress_url).content.decode()
    assert 'data-state="done"' in done
    assert 'http-equiv="refresh"' not in done
    assert "5 wierszy" in done
    download = client.get(reverse("reports:export_job_download", args=[job_id]))
    assert download.status_code == 200
    assert "kontrahenci-wg-opiekuna-" in download["Content-Disposition"]
    assert download["Content-Disposition"].endswith(f'.{fmt}"')
    data = download.getvalue()

    # The very file a request within the limit would have answered with.
    settings.EXPORT_BACKGROUND_ROWS = {"csv": 100, "xlsx": 100}
    direct = b"".join(_export(client, fmt, ewa_rows).streaming_content)
    if fmt == "csv":
        assert data == direct
        assert len(_csv(data)) == 6
    else:
        background_rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
        direct_rows = list(load_workbook(io.BytesIO(direct)).worksheets[0].iter_rows(values_only=True))
        assert background_rows == direct_rows
        assert len(background_rows) == 6


def test_the_job_keeps_the_language_it_was_asked_in(
    actor: Any, ewa_rows: Operator, spawned: list[str]
) -> None:
    client = _client(actor)
    client.cookies["django_language"] = "en"
    _export(client, "csv", ewa_rows)
    (job_id,) = spawned
    export_job_run(job_id)
    data = client.get(reverse("reports:export_job_download", args=[job_id])).getvalue()
    header, first, *_ = _csv(data)
    assert header[0] == "Contractor code"
    assert first[8] == "2024-01-01"


def test_only_who_started_a_job_sees_it(
    actor: Any, ewa_rows: Operator, spawned: list[str], make_operator: Callable[..., Operator]
) -> None:
    _export(_client(actor), "csv", ewa_rows)
    (job_id,) = spawned
    export_job_run(job_id)
    other = _client(make_operator("other").user)
    assert other.get(reverse("reports:export_job", args=[job_id])).status_code == 404
    assert other.get(reverse("reports:export_job_download", args=[job_id])).status_code == 404
    assert Client().get(reverse("reports:export_job", args=[job_id])).status_code == 302  # to the login


def test_an_unknown_job_is_404(actor: Any, spawned: list[str]) -> None:
    client = _client(actor)
    assert client.get(reverse("reports:export_job", args=["A" * 22])).status_code == 404
    assert client.get(reverse("reports:export_job_download", args=["A" * 22])).status_code == 404


def test_a_job_not_done_has_no_download(actor: Any, ewa_rows: Operator, spawned: list[str]) -> None:
    client = _client(actor)
    _export(client, "csv", ewa_rows)
    (job_id,) = spawned
    assert client.get(reverse("reports:export_job_download", args=[job_id])).status_code == 404


def test_a_job_whose_process_died_is_reported_failed(
    actor: Any, ewa_rows: Operator, spawned: list[str], settings: Any
) -> None:
    client = _client(actor)
    _export(client, "csv", ewa_rows)
    (job_id,) = spawned
    state = Path(settings.EXPORT_DIR) / f"{job_id}.json"
    job = json.loads(state.read_text())
    job["updated"] = time.time() - export_jobs.STALLED_AFTER - 1
    state.write_text(json.dumps(job))
    html = client.get(reverse("reports:export_job", args=[job_id])).content.decode()
    assert 'data-state="failed"' in html
    assert 'role="alert"' in html


def test_a_job_that_cannot_be_written_fails_cleanly(
    actor: Any, ewa_rows: Operator, spawned: list[str], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    client = _client(actor)
    _export(client, "xlsx", ewa_rows)
    (job_id,) = spawned

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(export_jobs, "write", broken)
    assert export_job_run(job_id).state == "failed"
    assert not list(Path(settings.EXPORT_DIR).glob("*.part"))
    assert 'data-state="failed"' in client.get(reverse("reports:export_job", args=[job_id])).content.decode()


def test_old_export_files_are_removed_when_a_job_starts(
    actor: Any, ewa_rows: Operator, spawned: list[str], settings: Any
) -> None:
    folder = Path(settings.EXPORT_DIR)
    folder.mkdir(parents=True)
    old, recent = folder / "old.csv", folder / "recent.csv"
    old.write_text("x")
    recent.write_text("x")
    a_day_ago = time.time() - settings.EXPORT_KEEP_HOURS * 3600 - 60
    os.utime(old, (a_day_ago, a_day_ago))
    _export(_client(actor), "csv", ewa_rows)
    assert not old.exists()
    assert recent.exists()


def test_csv_is_streamed_in_pieces(
    actor: Any, ewa_rows: Operator, spawned: list[str], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.EXPORT_BACKGROUND_ROWS = {"csv": 100, "xlsx": 100}
    monkeypatch.setattr(exports, "STREAM_BYTES", 100)
    response = _export(_client(actor), "csv", ewa_rows)
    assert response.streaming
    pieces = list(response.streaming_content)
    assert len(pieces) > 2
    assert len(_csv(b"".join(pieces))) == 6


SETUP = """
import django; django.setup()
from django.contrib.auth.models import User
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.operators.models import Operator
boss = User.objects.create_superuser("boss", password="x")
ewa = Operator.objects.create(user=User.objects.create_user("ewa"), can_assign=True)
ids = [c.pk for c in Contractor.objects.bulk_create(
    Contractor(code=f"K{i:05d}", name=f"Firma {i}") for i in range(250))]
caretaker_add(
    actor=boss, contractor_ids=ids, operator_id=ewa.pk, date_from="2024-01-01", on_overlap="replace"
)
print(ewa.pk)
"""

REQUEST = """
import sys, time
import django; django.setup()
from django.contrib.auth.models import User
from django.test import Client
client = Client()
client.force_login(User.objects.get(username="boss"))
response = client.get(f"/raporty/kontrahenci-wg-opiekuna/eksport.{sys.argv[1]}?operator={sys.argv[2]}")
assert response.status_code == 302, response.status_code
progress = response["Location"]
for _ in range(600):
    page = client.get(progress).content.decode()
    if 'data-state="running"' not in page:
        break
    time.sleep(0.1)
assert 'data-state="done"' in page, page
download = client.get(progress + "plik")
sys.stdout.buffer.write(b"".join(download.streaming_content))
"""


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="a database file the processes share: SQLite"
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_real_background_process_writes_the_whole_export(tmp_path: Path, fmt: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "OPIEKUN_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "opiekun.settings",
        "OPIEKUN_ALLOWED_HOSTS": "testserver",
        "OPIEKUN_EXPORT_BACKGROUND_ROWS_CSV": "100",
        "OPIEKUN_EXPORT_BACKGROUND_ROWS_XLSX": "100",
    }
    migrated_sqlite_home(tmp_path)  # as `opiekun migrate` leaves it
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert setup.returncode == 0, setup.stderr
    operator_id = setup.stdout.strip().splitlines()[-1]
    request = subprocess.run(
        [sys.executable, "-c", REQUEST, fmt, operator_id],
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert request.returncode == 0, request.stderr.decode()
    if fmt == "csv":
        rows = _csv(request.stdout)
    else:
        rows = list(load_workbook(io.BytesIO(request.stdout)).worksheets[0].iter_rows(values_only=True))  # type: ignore[arg-type]
    assert len(rows) == 251
    assert {r[0] for r in rows[1:]} == {f"K{i:05d}" for i in range(250)}
    assert sorted(p.suffix for p in (tmp_path / "exports").iterdir()) == sorted([".json", ".log", f".{fmt}"])


def test_a_job_whose_process_cannot_start_is_reported_failed_not_a_500(
    actor: Any, ewa_rows: Operator, spawned: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot(job_id: str) -> None:
        raise OSError("no more processes")

    monkeypatch.setattr(export_jobs, "_spawn", cannot)
    client = _client(actor)
    response = _export(client, "csv", ewa_rows)
    assert response.status_code == 302
    assert 'data-state="failed"' in client.get(response["Location"]).content.decode()


def test_a_job_id_starting_with_a_dash_reaches_the_command(
    actor: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids are random URL-safe text, so one in 64 starts with "-": the process must
    still get it as the job's id, not as an unknown option (the job never started)."""
    from django.http import QueryDict

    from opiekun.caretakers.exports import ExportFormat
    from opiekun.management.commands.export_job import Command

    settings.EXPORT_DIR = tmp_path / "exports"
    started: list[list[str]] = []
    monkeypatch.setattr(subprocess, "Popen", lambda args, **kwargs: started.append(args))
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: "-Y2yxdKvhjEO2VibelfVQQ")
    job = export_jobs.export_job_start(
        user=actor, report="by_caretaker", query=QueryDict(""), fmt=ExportFormat.CSV, filename="x"
    )
    assert job.id == "-Y2yxdKvhjEO2VibelfVQQ" and job.state == "queued"
    (args,) = started
    assert args[:4] == [sys.executable, "-m", "opiekun.cli", "export_job"]
    parsed = Command().create_parser("opiekun", "export_job").parse_args(args[4:])
    assert parsed.job_id == job.id
