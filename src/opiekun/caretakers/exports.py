"""The one export writer: CSV and XLSX, for the web UI and the `opiekun export` command.

Rows are read with ``QuerySet.iterator()`` and written as they come, so an export of
a million assignments never holds them all in memory: CSV streams straight into the
HTTP response or the file; XLSX uses openpyxl's write-only workbook, which spools
rows to a temporary file.

Choices, made for the people who open these files in a Polish Excel:

- CSV is UTF-8 **with a BOM** and uses ``;`` as the separator. Excel guesses the
  encoding from the BOM (without it Polish letters come out garbled) and, in the
  Polish locale where ``,`` is the decimal separator, splits columns on ``;`` only.
- Dates are ISO 8601 (``YYYY-MM-DD``) in CSV — unambiguous, read back by
  ``opiekun.dates.parse_date`` and recognised as dates by Excel in every locale; in
  XLSX they are real date cells.
- A CSV cell starting with ``=``, ``+``, ``-`` or ``@`` would be run by Excel as a
  formula (CSV injection), so it gets a leading ``'``; the importer strips it again.
  XLSX cells are typed as text explicitly, which needs no such prefix.
- Headers are the column labels in the active language.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import IO, Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.contractors.models import Contractor

M = TypeVar("M", bound=Model)

CSV_DELIMITER = ";"
CHUNK_SIZE = 2000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Column(Generic[M]):
    header: str | Promise
    value: Callable[[M], object]


def _type_label(row: CaretakerAssignment) -> str:
    return str(row.get_type_display())


ASSIGNMENT_COLUMNS: tuple[Column[CaretakerAssignment], ...] = (
    Column(_("Contractor code"), lambda a: a.contractor.code),
    Column(_("Contractor name"), lambda a: a.contractor.name),
    Column(_("NIP"), lambda a: a.contractor.nip),
    Column(_("Operator"), lambda a: a.operator.display_name),
    Column(_("Login"), lambda a: a.operator.user.get_username()),
    Column(_("Type"), _type_label),
    Column(_("Role"), lambda a: a.role.name),
    Column(_("Branch"), lambda a: a.branch.name if a.branch else ""),
    Column(_("Date from"), lambda a: a.date_from),
    Column(_("Date to"), lambda a: a.date_to),
)

# The contractor columns are the model's fields, so `opiekun import` reads them back.
CONTRACTOR_FIELDS = (
    "code",
    "name",
    "nip",
    "regon",
    "street",
    "postal_code",
    "city",
    "email",
    "phone",
    "active",
)


def _field_column(name: str) -> Column[Contractor]:
    field = Contractor._meta.get_field(name)
    return Column(field.verbose_name, lambda c: getattr(c, name))  # type: ignore[union-attr]


CONTRACTOR_COLUMNS: tuple[Column[Contractor], ...] = tuple(_field_column(name) for name in CONTRACTOR_FIELDS)


def rows(queryset: QuerySet[M], columns: Iterable[Column[M]]) -> Iterator[list[object]]:
    """The header, then one list of values per object, read in chunks."""
    columns = tuple(columns)
    yield [str(c.header) for c in columns]
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [c.value(obj) for c in columns]


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(queryset: QuerySet[M], columns: Iterable[Column[M]]) -> Iterator[str]:
    """The CSV file as text lines, the first starting with the BOM."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    first = True
    for values in rows(queryset, columns):
        line = writer.writerow([_csv_text(v) for v in values])
        yield ("\ufeff" + line) if first else line
        first = False


def write_csv(queryset: QuerySet[M], columns: Iterable[Column[M]], stream: IO[bytes]) -> None:
    for chunk in csv_chunks(queryset, columns):
        stream.write(chunk.encode("utf-8"))


def _xlsx_cell(sheet: Any, value: object) -> Cell:
    if isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=datetime.combine(value, time()))
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def write_xlsx(queryset: QuerySet[M], columns: Iterable[Column[M]], stream: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for values in rows(queryset, columns):
        sheet.append([_xlsx_cell(sheet, v) for v in values])
    workbook.save(stream)


def export_response(
    queryset: QuerySet[M], columns: Iterable[Column[M]], *, fmt: ExportFormat, filename: str
) -> StreamingHttpResponse | FileResponse:
    """An HTTP download of the queryset: CSV streamed row by row, XLSX from a
    temporary file (a zip archive cannot be streamed before it is complete)."""
    if fmt is ExportFormat.CSV:
        response = StreamingHttpResponse(
            csv_chunks(queryset, columns), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    write_xlsx(queryset, columns, spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
    )
