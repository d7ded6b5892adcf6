"""API: the import of caretaker assignments (`POST /caretakers/import`, docs/api.md)."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from opiekun.caretakers.services import assignments_import
from opiekun.importing import NO_ROWS, upload_path
from opiekun.schemas import ValidationErrors, responses
from opiekun.tabular import TableError, check_size

router = Router(tags=["caretakers"])

Policy = Literal["keep", "replace"]


class ImportFields(Schema):
    """`on_overlap` and `dry_run`: fields of the multipart body, or of the query string."""

    on_overlap: Policy | None = Field(None, description='"keep" (default) or "replace".')
    dry_run: bool | None = Field(None, description="Default true: check every row, write nothing.")


IN_FORM = ImportFields(on_overlap=None, dry_run=None)
TWICE = _("Given both in the form and in the query string, with different values; send it once.")


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
    in_form: Form[ImportFields] = IN_FORM,
    in_query: Query[ImportFields] = IN_FORM,
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
    permission to assign; contractors the caller may not change are unknown.

    `on_overlap` and `dry_run` are fields of the multipart body, or parameters of the
    query string (`?dry_run=false`); the same field given in both with different
    values is a 422 on it."""
    policy = _one_of("on_overlap", in_form.on_overlap, in_query.on_overlap, "keep")
    dry_run = _one_of("dry_run", in_form.dry_run, in_query.dry_run, True)
    try:
        check_size(file.size or 0)
        with upload_path(file) as path:
            report = assignments_import(
                actor=request.user,
                path=path,
                filename=file.name or "upload",
                on_overlap=policy,
                dry_run=dry_run,
            )
    except TableError as error:
        raise ValidationError({"file": [str(error)]}) from error
    if report.empty:
        raise ValidationError({"file": [str(NO_ROWS)]})
    status = 422 if report.errors and not dry_run else 200
    return Status(status, report.as_dict())


def _one_of(name: str, in_form: Any, in_query: Any, default: Any) -> Any:
    """A field of the import from the multipart body or the query string, whichever
    carries it (an integrator may put `?dry_run=false` in the URL: ignored before, the
    import stayed a dry run); both, disagreeing, is a field error."""
    if in_form is not None and in_query is not None and in_form != in_query:
        raise ValidationError({name: [str(TWICE)]})
    chosen = in_form if in_form is not None else in_query
    return default if chosen is None else chosen
