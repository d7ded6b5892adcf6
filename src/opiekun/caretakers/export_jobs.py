"""Exports too large for one request: written by a separate process, followed on a page.

A web request that asks for more than ``EXPORT_BACKGROUND_ROWS`` rows (per format) starts a job
instead of answering with the file: an ``opiekun export_job`` process (its own session,
so it outlives the request and the web worker that started it) writes the file while
the browser shows the progress and then offers the download. Web processes stay
stateless: a job is two files in ``EXPORT_DIR`` (``var/exports/``), its description and
progress ``<id>.json`` (written atomically, so any web process reads a whole one) and,
once done, the export ``<id>.csv`` or ``<id>.xlsx``. A job whose progress has not moved
for ``STALLED_AFTER`` seconds is reported as failed (its process died). Files older than
``EXPORT_KEEP_HOURS`` are removed whenever a new job starts.

The job reads the report again from the query string of the request, through the same
form and selector as the screen, as the user who asked: what the file holds is
exactly what the screen shows that user.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import translation

from opiekun.caretakers.exports import ASSIGNMENTS_REPORT, ExportFormat, Report, write
from opiekun.caretakers.report_forms import ReportFilterForm
from opiekun.caretakers.selectors import assignment_list

logger = logging.getLogger(__name__)

STALLED_AFTER = 120  # seconds without progress; a running job reports every 2,000 rows
JOB_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


class InvalidExport(ValueError):
    """The report's filters are no longer valid (e.g. an operator was removed)."""


def by_caretaker_rows(viewer: Any, query: QueryDict) -> QuerySet[Any]:
    """Kontrahenci wg opiekuna with the screen's filters and sorting, over all pages."""
    form = ReportFilterForm(query, viewer=viewer)
    if not form.is_valid():
        raise InvalidExport(form.errors.as_text())
    return assignment_list(viewer=viewer, filters=form.filters())


# The reports a web request may hand over: their file and how to read their rows.
REPORTS: dict[str, tuple[Report, Callable[[Any, QueryDict], QuerySet[Any]]]] = {
    "by_caretaker": (ASSIGNMENTS_REPORT, by_caretaker_rows),
}


@dataclass
class ExportJob:
    id: str
    user_id: int
    report: str
    query: str
    format: str
    language: str
    filename: str
    state: str = "queued"  # queued, running, done, failed
    rows: int = 0
    total: int | None = None
    created: float = 0.0
    updated: float = 0.0
    error: str = ""

    @property
    def file(self) -> Path:
        return export_dir() / f"{self.id}.{self.format}"

    @property
    def done(self) -> bool:
        return self.state == "done" and self.file.exists()

    @property
    def failed(self) -> bool:
        stalled = self.state in ("queued", "running") and time.time() - self.updated > STALLED_AFTER
        return self.state == "failed" or stalled or (self.state == "done" and not self.file.exists())

    @property
    def percent(self) -> int:
        if self.done:
            return 100
        return min(99, self.rows * 100 // self.total) if self.total else 0

    @property
    def download_name(self) -> str:
        return f"{self.filename}.{self.format}"


def export_dir() -> Path:
    path = Path(settings.EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _state_file(job_id: str) -> Path:
    return export_dir() / f"{job_id}.json"


def _save(job: ExportJob) -> None:
    job.updated = time.time()
    temporary = _state_file(job.id).with_suffix(".json.tmp")
    temporary.write_text(json.dumps(asdict(job)), encoding="utf-8")
    os.replace(temporary, _state_file(job.id))


def _load(job_id: str) -> ExportJob | None:
    if not JOB_ID.match(job_id):
        return None
    try:
        return ExportJob(**json.loads(_state_file(job_id).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _sweep() -> None:
    """Remove the files of jobs older than EXPORT_KEEP_HOURS."""
    oldest = time.time() - settings.EXPORT_KEEP_HOURS * 3600
    for path in export_dir().iterdir():
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except OSError:
            continue  # removed meanwhile by another process


def _spawn(job_id: str) -> None:
    """Run the job in its own process and session: it survives the request and the
    web worker, and nobody waits for it."""
    log = (export_dir() / f"{job_id}.log").open("ab")
    with log:
        subprocess.Popen(
            # "--": an id may start with "-" (one in 64 does), which the command's
            # argument parser would otherwise take for an option, and the job would
            # never start.
            [sys.executable, "-m", "opiekun.cli", "export_job", "--", job_id],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "opiekun.settings"),
            },
        )


def export_job_start(
    *, user: Any, report: str, query: QueryDict, fmt: ExportFormat, filename: str
) -> ExportJob:
    """Describe the export, start its process, and return the job to follow."""
    if report not in REPORTS:
        raise ValueError(f"unknown report {report!r}")
    _sweep()
    job = ExportJob(
        id=secrets.token_urlsafe(16),
        user_id=user.pk,
        report=report,
        query=query.urlencode(),
        format=fmt.value,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        filename=filename,
        created=time.time(),
    )
    _save(job)
    try:
        _spawn(job.id)
    except OSError as error:  # no process could be started: the page says it failed
        logger.exception("export job %s could not start", job.id)
        job.state, job.error = "failed", str(error)[:500]
        _save(job)
    return job


def export_job_get(*, user: Any, job_id: str) -> ExportJob | None:
    """The job if it exists and ``user`` started it; None otherwise."""
    job = _load(job_id)
    if job is None or job.user_id != getattr(user, "pk", None):
        return None
    return job


def export_job_run(job_id: str) -> ExportJob:
    """Write the job's file, reporting progress; what the background process runs."""
    job = _load(job_id)
    if job is None:
        raise LookupError(f"no export job {job_id!r}")
    partial = job.file.with_suffix(".part")
    try:
        with translation.override(job.language):
            user = get_user_model().objects.get(pk=job.user_id, is_active=True)
            report, read_rows = REPORTS[job.report]
            queryset = read_rows(user, QueryDict(job.query))
            job.state, job.total = "running", queryset.count()
            _save(job)

            def progress(rows: int) -> None:
                job.rows = rows
                _save(job)

            with partial.open("wb") as stream:
                write(ExportFormat(job.format), queryset, report, stream, progress=progress)
        os.replace(partial, job.file)
        job.state = "done"
    except Exception as error:
        logger.exception("export job %s failed", job_id)
        partial.unlink(missing_ok=True)
        job.state, job.error = "failed", str(error)[:500]
    _save(job)
    return job
