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
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import chain, islice
from operator import itemgetter
from typing import IO, Any

from django.db import connections, transaction
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.xml import functions as openpyxl_xml

from opiekun.caretakers.models import TYPE_CHOICES
from opiekun.contractors.models import Contractor
from opiekun.templatetags.opiekun import day

CSV_DELIMITER = ";"
CHUNK_SIZE = 2000
STREAM_BYTES = 64 * 1024  # CSV goes out in pieces of about this size
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_SAMPLE_ROWS = 500  # rows that size the columns (the rest are streamed)
XLSX_MAX_WIDTH = 60
XLSX_HEADER_FONT = Font(bold=True)
XLSX_HEADER_FILL = PatternFill("solid", start_color="DCE6F1")
XLSX_HEADER_BORDER = Border(bottom=Side(style="thin", color="7F7F7F"))
XLSX_HEADER_ALIGNMENT = Alignment(vertical="center")
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def _first(value: object) -> object:
    return value


@dataclass(frozen=True)
class Column:
    """One column: its header, the database values it reads (``values_list`` names)
    and how they become the cell's value."""

    header: str | Promise
    fields: tuple[str, ...]
    value: Callable[..., object] = _first
    # Or: the value's label from these (translated once per export, not per row).
    labels: tuple[tuple[str, str | Promise], ...] = ()


@dataclass(frozen=True)
class Report:
    """What an export is: its title (the XLSX sheet's name), the file name's stem
    and the columns."""

    title: str | Promise
    filename: str
    columns: tuple[Column, ...]


def _person(first_name: str, last_name: str, username: str) -> str:
    """As `Operator.display_name`: the full name, else the login."""
    return f"{first_name} {last_name}".strip() or username


ASSIGNMENT_COLUMNS: tuple[Column, ...] = (
    Column(_("Contractor code"), ("contractor__code",)),
    Column(_("Contractor name"), ("contractor__name",)),
    Column(_("NIP"), ("contractor__nip",)),
    Column(
        _("Operator"),
        ("operator__user__first_name", "operator__user__last_name", "operator__user__username"),
        _person,
    ),
    Column(_("Login"), ("operator__user__username",)),
    Column(_("Type"), ("type",), labels=tuple(TYPE_CHOICES)),
    Column(_("Role"), ("role__name",)),
    Column(_("Branch"), ("branch__name",), lambda value: value or ""),
    Column(_("Date from"), ("date_from",)),
    Column(_("Date to"), ("date_to",)),
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

CONTRACTOR_COLUMNS: tuple[Column, ...] = tuple(
    Column(Contractor._meta.get_field(name).verbose_name, (name,))  # type: ignore[union-attr]
    for name in CONTRACTOR_FIELDS
)

ASSIGNMENTS_REPORT = Report(_("Contractors by caretaker"), "kontrahenci-wg-opiekuna", ASSIGNMENT_COLUMNS)
CONTRACTORS_REPORT = Report(_("Contractors"), "kontrahenci", CONTRACTOR_COLUMNS)

Progress = Callable[[int], None]


def _getter(column: Column, positions: list[int]) -> Callable[[tuple[Any, ...]], object]:
    """Reads the column's cell from a row tuple; the common cases without a call more."""
    if column.labels:
        (position,) = positions
        labels = {key: str(label) for key, label in column.labels}
        return lambda record: labels.get(record[position], record[position])
    if len(positions) == 1:
        (position,) = positions
        if column.value is _first:
            return itemgetter(position)
        value = column.value
        return lambda record: value(record[position])
    pick, value = itemgetter(*positions), column.value
    return lambda record: value(*pick(record))


def _fetch(queryset: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows in chunks. On PostgreSQL through a server-side cursor inside a
    transaction, planned for reading every row: a cursor is otherwise planned for its
    first 10 % (``cursor_tuple_fraction``), which for a sorted export picks a plan that
    walks an index row by row, 3x slower in all; and outside a transaction it is
    declared WITH HOLD, which copies the whole result first."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=CHUNK_SIZE)
        return
    with transaction.atomic(using=queryset.db):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        yield from queryset.iterator(chunk_size=CHUNK_SIZE)


def rows(
    queryset: QuerySet[Any], columns: Iterable[Column], *, progress: Progress | None = None
) -> Iterator[list[object]]:
    """The header, then one list of values per row, read in chunks as plain tuples.
    ``progress`` is told the number of rows written so far after every chunk and at
    the end."""
    columns = tuple(columns)
    fields: list[str] = []
    for column in columns:
        fields += [f for f in column.fields if f not in fields]
    getters = [_getter(c, [fields.index(f) for f in c.fields]) for c in columns]
    yield [str(c.header) for c in columns]
    count = 0
    for count, record in enumerate(_fetch(queryset.values_list(*fields)), start=1):
        yield [get(record) for get in getters]
        if progress is not None and count % CHUNK_SIZE == 0:
            progress(count)
    if progress is not None:
        progress(count)


_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)


def _csv_text(value: object, date_format: str | None = None) -> str:
    """A cell as CSV text: formula-safe, dates as the user writes them (``date_format``
    for ``strftime``; the active language's if not given)."""
    text: str
    if value.__class__ is str:
        text = value  # type: ignore[assignment]
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "1" if value else "0"
    elif isinstance(value, date):
        return value.strftime(date_format) if date_format else day(value)
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
    date_format = "%d.%m.%Y" if (get_language() or "pl").startswith("pl") else "%Y-%m-%d"  # as `day`
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


def sheet_title(title: str | Promise) -> str:
    """A valid Excel sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    return SHEET_TITLE_FORBIDDEN.sub(" ", str(title)).strip()[:31] or "Sheet1"


def _date_format() -> str:
    return "dd.mm.yyyy" if (get_language() or "pl").startswith("pl") else "yyyy-mm-dd"


def _width(value: object) -> int:
    if isinstance(value, date):
        return 10
    if isinstance(value, bool):
        return 1
    return max((len(line) for line in str(value).splitlines()), default=0)


# lxml's, as openpyxl uses it to write (the stubs type them as the standard library's)
Element: Any = openpyxl_xml.Element
SubElement: Any = openpyxl_xml.SubElement
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


class _RowSerializer:
    """Writes the data rows of a write-only sheet as lxml elements, one per row.

    openpyxl's own path binds a `Cell` per value and writes each through nested XML
    contexts, ~15 µs a cell: 8 s of CPU for 53,334 rows of ten columns. The values'
    types are known here, so each row becomes one ``<row>`` element built in lxml and
    handed to the sheet's XML stream, about six times faster. It takes the place of
    the sheet writer's ``write_row`` (openpyxl 3.1, pinned; the tests read every file
    back with openpyxl): `append` an empty row after setting `values`."""

    def __init__(self, sheet: Any, width: int) -> None:
        date_cell = WriteOnlyCell(sheet)
        date_cell.number_format = "dd.mm.yyyy" if (get_language() or "pl").startswith("pl") else "yyyy-mm-dd"
        self.date_style = str(date_cell.style_id)
        self.letters = [get_column_letter(i) for i in range(1, width + 1)]
        self.values: list[object] = []
        sheet._writer.write_row = self.write_row

    def write_row(self, xf: Any, cells: Any, row_idx: int) -> None:
        """`WorksheetWriter.write_row`'s place: ``cells`` (openpyxl's, of an empty row)
        is not read."""
        number = str(row_idx)
        row = Element("row", {"r": number})
        for letter, value in zip(self.letters, self.values, strict=True):
            if value is None or value == "":
                continue
            if value.__class__ is str or not isinstance(value, bool | int | float | date):
                text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # what XML cannot hold
                cell = SubElement(row, "c", {"r": letter + number, "t": "inlineStr"})
                keep = {_XML_SPACE: "preserve"} if text != text.strip() else {}
                SubElement(SubElement(cell, "is"), "t", keep).text = text  # text, never a formula
            elif isinstance(value, date):
                cell = SubElement(row, "c", {"r": letter + number, "s": self.date_style})
                SubElement(cell, "v").text = str(value.toordinal() - _EXCEL_EPOCH)
            elif isinstance(value, bool):
                cell = SubElement(row, "c", {"r": letter + number, "t": "b"})
                SubElement(cell, "v").text = "1" if value else "0"
            else:
                cell = SubElement(row, "c", {"r": letter + number, "t": "n"})
                SubElement(cell, "v").text = repr(value)
        xf.write(row)


def write_xlsx(
    queryset: QuerySet[Any], report: Report, stream: IO[bytes], *, progress: Progress | None = None
) -> None:
    """The report as one sheet named after it: a styled, frozen header row with an
    autofilter, columns sized to the header and the first rows, dates as dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(report.title))
    values = rows(queryset, report.columns, progress=progress)
    header = next(values)
    sample = list(islice(values, XLSX_SAMPLE_ROWS))
    for index, label in enumerate(header, start=1):
        widest = max([_width(label) + 3, *(_width(row[index - 1]) for row in sample)])
        sheet.column_dimensions[get_column_letter(index)].width = min(widest + 2, XLSX_MAX_WIDTH)
    sheet.freeze_panes = "A2"
    header_cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(label)))
        cell.data_type = "s"
        cell.font, cell.fill = XLSX_HEADER_FONT, XLSX_HEADER_FILL
        cell.border, cell.alignment = XLSX_HEADER_BORDER, XLSX_HEADER_ALIGNMENT
        header_cells.append(cell)
    sheet.append(header_cells)
    serializer = _RowSerializer(sheet, len(header))
    count = 0
    for row in chain(sample, values):
        serializer.values = row
        sheet.append(())
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    workbook.save(stream)


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
