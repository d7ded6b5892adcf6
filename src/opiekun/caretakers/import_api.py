"""API: the import of caretaker assignments (`POST /caretakers/import`, docs/api.md)."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from opiekun.caretakers.services import assignments_import
from opiekun.importing import NO_ROWS, upload_path
from opiekun.schemas import ValidationErrors, responses
from opiekun.tabular import TableError, check_size

router = Router(tags=["caretakers"])


class ImportErrorOut(Schema):
    row: int
    column: str | None
    message: str


class ImportOutcomesOut(Schema):
    added: int
    merged: int
    unchanged: int
    replaced: int
    skipped: int


class ImportOut(Schema):
    applied: bool
    rows: int
    errors: list[ImportErrorOut]
    outcomes: ImportOutcomesOut


@router.post(
    "/caretakers/import",
    response=responses({200: ImportOut, 422: ImportOut | ValidationErrors}, 401, 403),
)
def caretakers_import(
    request: HttpRequest,
    file: File[UploadedFile],
    on_overlap: Form[Literal["keep", "replace"]] = "keep",
    dry_run: Form[bool] = True,
) -> Status[dict[str, Any]]:
    """Import caretaker assignments from a CSV or XLSX file (multipart `file`), the
    columns as Kontrahenci wg opiekuna exports them (docs/import.md).

    `dry_run` (default true) checks every row and writes nothing: 200 with the errors
    (`row` as a spreadsheet numbers it, the header being row 1; `column` as the file's
    header writes it) and how many valid rows would be added, merged, unchanged,
    replaced or skipped under `on_overlap`. With `dry_run=false` the file is imported
    in one transaction, all or nothing: 200 with `applied: true`, or, if any row has
    an error, 422 with the same body and nothing written. A file that cannot be read
    at all (too large, neither CSV nor XLSX, empty or blank) and a file of a header
    alone, with no row to import, are a 422 with `detail` on `file`. Needs the
    permission to assign; contractors the caller may not change are unknown."""
    try:
        check_size(file.size or 0)
        with upload_path(file) as path:
            report = assignments_import(
                actor=request.user,
                path=path,
                filename=file.name or "upload",
                on_overlap=on_overlap,
                dry_run=dry_run,
            )
    except TableError as error:
        raise ValidationError({"file": [str(error)]}) from error
    if report.empty:
        raise ValidationError({"file": [str(NO_ROWS)]})
    status = 422 if report.errors and not dry_run else 200
    return Status(status, report.as_dict())
