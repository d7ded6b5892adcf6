"""Import opiekunów in the browser: an uploaded file and its runs, kept in files.

Web processes stay stateless: a job is a folder ``IMPORT_DIR/<id>/`` (``var/imports/``)
holding the upload, ``job.json`` (its state and progress, replaced atomically, so any
web process reads a whole one) and, after a run, ``errors.csv`` (the full error
report). A run — the dry run or the import — works inside the request that asks for
it and writes its progress into ``job.json`` as it goes; the page asks another web
process (or thread) for that progress every half second. One run at a time per job,
held by an exclusive lock file; a run whose progress has not moved for
``STALLED_AFTER`` seconds ended with its process (an import then wrote nothing: its
transaction was never committed). Folders older than ``IMPORT_KEEP_HOURS`` are
removed when a new file is uploaded.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from opiekun.caretakers.services import assignments_import
from opiekun.importing import ImportReport, write_error_report
from opiekun.tabular import XLSX_MAGIC, TableError, check_size, open_table

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
STALLED_AFTER = 120
FIRST_ERRORS = 20
SAVE_EVERY = 0.3  # seconds between two writes of the progress


class JobBusy(Exception):
    """Another run of the same job is in progress, or the file was imported already."""


@dataclass
class ImportJob:
    id: str
    user_id: int | None
    filename: str
    suffix: str
    policy: str = "keep"
    state: str = "uploaded"  # uploaded, checking, checked, applying, applied, failed
    phase: str = ""
    done: int = 0
    total: int | None = None
    skip_invalid: bool = False
    report: dict[str, Any] = field(default_factory=dict)
    error_count: int = 0
    message: str = ""
    created: float = 0.0
    updated: float = 0.0

    @property
    def folder(self) -> Path:
        return import_dir() / self.id

    @property
    def upload(self) -> Path:
        return self.folder / f"upload{self.suffix}"

    @property
    def errors_file(self) -> Path:
        return self.folder / "errors.csv"

    @property
    def running(self) -> bool:
        return self.state in ("checking", "applying") and not self.stalled

    @property
    def stalled(self) -> bool:
        return self.state in ("checking", "applying") and time.time() - self.updated > STALLED_AFTER

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def checked(self) -> bool:
        return self.state == "checked"


def import_dir() -> Path:
    path = Path(settings.IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(job: ImportJob) -> None:
    job.updated = time.time()
    state = job.folder / "job.json"
    temporary = state.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(job)), encoding="utf-8")
    os.replace(temporary, state)


def _load(job_id: str) -> ImportJob | None:
    if not JOB_ID.match(job_id):
        return None
    try:
        data = json.loads((import_dir() / job_id / "job.json").read_text(encoding="utf-8"))
        return ImportJob(**data)
    except (OSError, ValueError, TypeError):
        return None


def import_job_get(*, user: Any, job_id: str) -> ImportJob | None:
    """The job if it exists and ``user`` uploaded it; None otherwise."""
    job = _load(job_id)
    if job is None or job.user_id != getattr(user, "pk", None):
        return None
    return job


def _sweep() -> None:
    oldest = time.time() - settings.IMPORT_KEEP_HOURS * 3600
    for folder in import_dir().iterdir():
        try:
            if folder.stat().st_mtime < oldest:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # removed meanwhile by another process


def _readable(path: Path) -> None:
    """What the reader would refuse, found without reading the rows (docs/import.md, "The
    screen"): an empty file or one of blank lines, an old .xls, a binary file, text in
    no encoding the reader takes, a CSV without a header — `open_table` opens a CSV that
    far and no further; of an XLSX only that it is a zip holding a workbook (opening
    it would read its shared strings, the dry run's work). Raises `TableError`."""
    with path.open("rb") as stream:
        head = stream.read(len(XLSX_MAGIC))
    if not head.startswith(XLSX_MAGIC):
        with open_table(path):
            return
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise TableError(_("Cannot read the file: it is neither CSV nor XLSX.")) from error
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise TableError(_("Cannot read the file: it is neither CSV nor XLSX."))


def import_job_create(*, user: Any, upload: UploadedFile, policy: str) -> ImportJob:
    """Keep the uploaded file for its runs. Raises `opiekun.tabular.TableError`, and
    keeps nothing, when it is larger than the import reads or `_readable` refuses it."""
    check_size(upload.size or 0)
    _sweep()
    name = Path(upload.name or "import").name
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".csv", ".xlsx", ".txt") else ""
    job = ImportJob(
        id=secrets.token_urlsafe(16),
        user_id=getattr(user, "pk", None),
        filename=name,
        suffix=suffix,
        policy=policy,
        created=time.time(),
    )
    job.folder.mkdir(parents=True)
    try:
        with job.upload.open("wb") as stream:
            for chunk in upload.chunks():
                stream.write(chunk)
        _readable(job.upload)
    except TableError:
        shutil.rmtree(job.folder, ignore_errors=True)
        raise
    save(job)
    return job


@contextmanager
def _exclusive(job: ImportJob) -> Iterator[None]:
    lock = job.folder / "run.lock"
    try:
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        if time.time() - lock.stat().st_mtime < STALLED_AFTER:
            raise JobBusy from None
        lock.unlink(missing_ok=True)  # left by a run whose process ended
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    os.close(descriptor)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def import_job_run(*, user: Any, job: ImportJob, apply: bool, skip_invalid: bool = False) -> ImportJob:
    """Run the dry run (``apply=False``) or the import of the job's file, saving the
    progress as it goes; the report is kept in the job and ``errors.csv``."""
    with _exclusive(job):
        current = _load(job.id) or job
        if current.state == "applied":
            raise JobBusy
        current.policy = job.policy
        job = current
        job.state = "applying" if apply else "checking"
        job.skip_invalid = skip_invalid
        job.phase, job.done, job.total, job.message = "", 0, None, ""
        save(job)
        last = [0.0]

        def progress(phase: str, done: int, total: int | None) -> None:
            job.phase, job.done, job.total = phase, done, total
            now = time.monotonic()
            if now - last[0] >= SAVE_EVERY or (total is not None and done >= total):
                last[0] = now
                save(job)

        try:
            report = assignments_import(
                actor=user,
                path=job.upload,
                filename=job.filename,
                on_overlap=job.policy,
                dry_run=not apply,
                skip_invalid=skip_invalid,
                progress=progress,
            )
        except Exception:
            job.state = "failed"
            save(job)
            raise
        _keep_report(job, report)
        job.state = "applied" if report.applied else "checked"
        save(job)
        return job


def import_job_fail(job: ImportJob, message: str) -> ImportJob:
    job.state, job.message = "failed", message
    save(job)
    return job


def _keep_report(job: ImportJob, report: ImportReport) -> None:
    with job.errors_file.open("w", encoding="utf-8", newline="") as stream:
        write_error_report(report.errors, stream)
    job.error_count = len(report.errors)
    job.report = {
        "applied": report.applied,
        "rows": report.rows,
        "invalid_rows": report.invalid_rows,
        "outcomes": report.outcomes,
        "errors": [e.as_dict() for e in report.errors[:FIRST_ERRORS]],
    }
