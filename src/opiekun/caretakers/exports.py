"""The one export writer: CSV and XLSX, for the web UI and the `opiekun export` command.

Rows are read with ``values_list(...).iterator()`` (a server-side cursor on
PostgreSQL) and written as they come, so an export of a million assignments never
holds them in memory: CSV streams straight into the HTTP response or the file; XLSX
uses openpyxl's write-only workbook, which writes each row to a temporary file at once.
Reading plain tuples instead of model instances is what keeps an export near the
database's own speed (docs/performance.md).

Choices, made for the people who open these files in a Polish Excel (docs/semantics.md):

- CSV is UTF-8 **with a BOM** and uses ``;`` as the separator. Excel guesses the
  encoding from the BOM (without it Polish letters come out garbled) and, in the
  Polish locale where ``,`` is the decimal separator, splits columns on ``;`` only.
- Dates in CSV are written as the user writes them: ``dd.mm.rrrr`` in Polish,
  ``YYYY-MM-DD`` in English (`opiekun.dates.parse_date` reads both back). In XLSX
  they are real date cells, shown in the same format.
- An open end ("until further notice") is an empty cell in both formats: a date
  column holds dates only, so Excel sorts and filters it as dates.
- A CSV cell starting with ``=``, ``+``, ``-`` or ``@`` would be run by Excel as a
  formula (CSV injection), so it gets a leading ``'``; the importer strips it again.
  XLSX cells are typed as text explicitly, which needs no such prefix.
- Headers are the column labels in the active language. The XLSX sheet is named
  after the report; its header row is styled, frozen and carries an autofilter, and
  the columns are sized to the header and the first rows.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from enum import StrEnum
from typing import IO, Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import get_language

from opiekun.caretakers.export_reports import (
    ASSIGNMENT_COLUMNS,
    ASSIGNMENTS_REPORT,
    CHUNK_SIZE,
    CONTRACTOR_COLUMNS,
    CONTRACTOR_FIELDS,
    CONTRACTORS_REPORT,
    Column,
    Progress,
    Report,
    rows,
)
from opiekun.caretakers.export_xlsx import XLSX_CONTENT_TYPE, sheet_title, write_xlsx
from opiekun.dates import polish_date
from opiekun.templatetags.opiekun import day

# The names the rest of the project reads here: the writer's, and its parts'.
__all__ = [
    "ASSIGNMENTS_REPORT",
    "ASSIGNMENT_COLUMNS",
    "CHUNK_SIZE",
    "CONTRACTORS_REPORT",
    "CONTRACTOR_COLUMNS",
    "CONTRACTOR_FIELDS",
    "CSV_DELIMITER",
    "FORMULA_PREFIXES",
    "STREAM_BYTES",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ExportFormat",
    "Progress",
    "Report",
    "csv_chunks",
    "csv_pieces",
    "export_response",
    "rows",
    "sheet_title",
    "write",
    "write_csv",
    "write_xlsx",
]

CSV_DELIMITER = ";"
STREAM_BYTES = 64 * 1024  # CSV goes out in pieces of about this size
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)
POLISH, ISO = "dd.mm.rrrr", "YYYY-MM-DD"  # the two date formats of `_csv_text`


def _csv_text(value: object, date_format: str | None = None) -> str:
    """A cell as CSV text: formula-safe, dates as the user writes them (``date_format``
    `POLISH` or `ISO`; the active language's if not given), years in four digits."""
    text: str
    if value.__class__ is str:
        text = value  # type: ignore[assignment]
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "1" if value else "0"
    elif isinstance(value, date):
        if date_format is None:
            return day(value)
        return polish_date(value) if date_format == POLISH else value.isoformat()
    else:
        text = str(value)
    return "'" + text if text[:1] in _FORMULA_FIRST else text


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(
    queryset: QuerySet[Any], columns: Iterable[Column], *, progress: Progress | None = None
) -> Iterator[bytes]:
    """The CSV file in pieces of about `STREAM_BYTES`, the first starting with the BOM."""
    return csv_pieces(rows(queryset, columns, progress=progress))


def csv_pieces(values_rows: Iterable[list[object]]) -> Iterator[bytes]:
    """Rows of values (the header first) as CSV in pieces of about `STREAM_BYTES`."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    date_format = POLISH if (get_language() or "pl").startswith("pl") else ISO  # as `day`
    lines: list[str] = ["\ufeff"]
    size = 0
    for values in values_rows:
        line = writer.writerow([_csv_text(v, date_format) for v in values])
        lines.append(line)
        size += len(line)
        if size >= STREAM_BYTES:
            yield "".join(lines).encode("utf-8")
            lines, size = [], 0
    if lines:
        yield "".join(lines).encode("utf-8")


def write_csv(
    queryset: QuerySet[Any], columns: Iterable[Column], stream: IO[bytes], *, progress: Progress | None = None
) -> None:
    for chunk in csv_chunks(queryset, columns, progress=progress):
        stream.write(chunk)


def write(
    fmt: ExportFormat,
    queryset: QuerySet[Any],
    report: Report,
    stream: IO[bytes],
    *,
    progress: Progress | None = None,
) -> None:
    if fmt is ExportFormat.XLSX:
        write_xlsx(queryset, report, stream, progress=progress)
    else:
        write_csv(queryset, report.columns, stream, progress=progress)


def export_response(
    queryset: QuerySet[Any], report: Report, *, fmt: ExportFormat, filename: str
) -> StreamingHttpResponse | FileResponse:
    """An HTTP download of the queryset: CSV streamed as it is read, XLSX from a
    temporary file (a zip archive cannot be streamed before it is complete)."""
    if fmt is ExportFormat.CSV:
        response = StreamingHttpResponse(
            csv_chunks(queryset, report.columns), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    write_xlsx(queryset, report, spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
    )
