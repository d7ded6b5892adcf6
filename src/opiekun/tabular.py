"""Reading tables from CSV and XLSX files, row by row: the one reader of every import.

What a user's file may be (docs/import.md):

- **CSV** separated by ``;``, ``,`` or a tab (found from the header line), in UTF-8
  with or without a BOM, UTF-16 with a BOM (Excel's "Unicode text"), or Windows-1250
  (what a Polish Excel writes as "CSV"): a file that is not valid UTF-8 from its first
  byte to its last is read as Windows-1250.
- **XLSX**, read with openpyxl's read-only mode: real date cells come back as dates,
  numbers as numbers (a NIP typed as a number reads back as its digits).
- A cell that looks like a formula (``=…``, ``+…``, ``-…``, ``@…``) is plain text, never
  evaluated; in XLSX a formula cell reads as its formula's text. The exporter's guard
  (a leading ``'`` before such a character) is removed again.

Rows are read one at a time (the CSV module reads the file as it goes; openpyxl's
read-only mode parses the sheet's XML as a stream), so memory stays flat however long
the file. A file larger than ``settings.IMPORT_MAX_BYTES`` is refused before a byte of
it is parsed.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (OLE2): not read
DELIMITERS = (";", ",", "\t")
SNIFF_BYTES = 1 << 16
# csv's default cell limit is 128 KiB; a cell longer than any field is an error
# reported by the importer, not a crash of the reader.
csv.field_size_limit(1 << 24)


class TableError(ValueError):
    """The file cannot be read as a table at all (too large, not CSV or XLSX, broken)."""


@dataclass(frozen=True)
class Table:
    """A file opened for reading: its header and a one-pass iterator of its rows.

    ``rows`` yields ``(number, cells)``: the row's number as a spreadsheet shows it
    (the header is row 1), and the cells as read — text for CSV; text, numbers, dates
    or booleans for XLSX. Rows whose every cell is empty are left out."""

    header: list[str]
    rows: Iterator[tuple[int, list[object]]]
    format: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def size_error(limit: int) -> TableError:
    shown = f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{max(1, limit // 1024)} kB"
    return TableError(
        _(
            "The file is larger than %(limit)s, the most an import reads. Split it into "
            "smaller files, or ask the administrator to raise OPIEKUN_IMPORT_MAX_MB."
        )
        % {"limit": shown}
    )


def check_size(size: int, limit: int | None = None) -> None:
    limit = max_bytes() if limit is None else limit
    if size > limit:
        raise size_error(limit)


def text(value: object) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as ``YYYY-MM-DD``,
    the exporter's formula guard removed, surrounding spaces stripped."""
    if type(value) is str:  # every cell of a CSV file: tested first
        result = value.strip()
    else:
        if value is None:
            return ""
        result = _non_text(value)
    if result[:1] == "'" and result[1:2] in FORMULA_PREFIXES:
        return result[1:]
    return result


def _non_text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def cell_date(value: object) -> object:
    """An XLSX date cell (a datetime at midnight) as a date; anything else as it is."""
    if isinstance(value, datetime) and value.time() == time():
        return value.date()
    return value


@contextmanager
def open_table(path: Path, *, limit: int | None = None) -> Iterator[Table]:
    """Open ``path`` as a table. Raises `TableError` with a message for the user when
    the file is too large, empty of a header, or not a CSV or XLSX file."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise TableError(_("Cannot read the file: %(error)s") % {"error": error.strerror}) from error
    check_size(size, limit)
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
    except OSError as error:
        raise TableError(_("Cannot read the file: %(error)s") % {"error": error.strerror}) from error
    if head.startswith(XLSX_MAGIC):
        with _xlsx(path) as table:
            yield table
    elif head.startswith(XLS_MAGIC):
        raise TableError(_("Old Excel files (.xls) are not read; save the sheet as XLSX or CSV."))
    else:
        with _csv(path, head) as table:
            yield table


def _first_row(
    rows: Iterator[tuple[int, list[object]]],
) -> tuple[list[str], Iterator[tuple[int, list[object]]]]:
    """The header and the rows below it. A file with nothing but blank lines (or blank
    cells) is empty, as a file of no bytes is: not a header of no columns."""
    for number, cells in rows:
        if number != 1:
            break
        header = [text(c) for c in cells]
        if any(title.strip() for title in header):
            return header, rows
        following = next(rows, None)  # the blank rows below are left out already
        if following is None:
            break
        return header, itertools.chain([following], rows)
    raise TableError(_("The file is empty; its first row must name the columns."))


def _numbered(source: Iterator[Any], start_cells: Any = list) -> Iterator[tuple[int, list[object]]]:
    for number, cells in enumerate(source, start=1):
        values = start_cells(cells)
        if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values) or number == 1:
            yield number, values


def _numbered_text(source: Iterator[list[str]]) -> Iterator[tuple[int, list[object]]]:
    """`_numbered` for rows of text only (CSV): a row is left out when all its cells
    are blank, i.e. when their concatenation is (one C call instead of one per cell);
    the reader's lists are the rows (not copied)."""
    for number, cells in enumerate(source, start=1):
        if number == 1 or "".join(cells).strip():
            yield number, cells  # type: ignore[misc]


# --- CSV --------------------------------------------------------------------------


def detect_encoding(path: Path, head: bytes) -> str:
    """The encoding of a CSV file: a BOM says it; else UTF-8 if every byte of the file
    is valid UTF-8 (checked as a stream, in pieces); else Windows-1250."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as stream:
            while piece := stream.read(1 << 20):
                decoder.decode(piece)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1250"
    return "utf-8"


def detect_delimiter(line: str) -> str:
    """The separator the header line uses most (outside quotes); ``;`` on a tie, as
    a Polish Excel writes it."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ";"


@contextmanager
def _csv(path: Path, head: bytes) -> Iterator[Table]:
    encoding = detect_encoding(path, head)
    try:
        stream: IO[str] = path.open(encoding=encoding, newline="", errors="strict")
    except OSError as error:
        raise TableError(_("Cannot read the file: %(error)s") % {"error": error.strerror}) from error
    with stream:
        try:
            first_line = stream.readline()
        except UnicodeError as error:
            raise TableError(_("Cannot read the file: it is neither CSV nor XLSX.")) from error
        try:
            # Text holds no NUL: an image, a PDF or an archive does, past its first line too.
            binary = "\x00" in first_line or "\x00" in stream.read(SNIFF_BYTES)
        except UnicodeError as error:
            raise TableError(_("Cannot read the file: it is neither CSV nor XLSX.")) from error
        if binary:
            raise TableError(_("Cannot read the file: it is neither CSV nor XLSX."))
        delimiter = detect_delimiter(first_line)
        stream.seek(0)
        rows = _numbered_text(_csv_records(stream, delimiter))
        header, rows = _first_row(rows)
        yield Table(header, rows, "csv", encoding=encoding, delimiter=delimiter)


def _csv_records(stream: IO[str], delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        yield from reader
    except (csv.Error, UnicodeError) as error:
        raise TableError(
            _("Cannot read the file at row %(row)s: %(error)s") % {"row": reader.line_num, "error": error}
        ) from error


# --- XLSX -------------------------------------------------------------------------


@contextmanager
def _xlsx(path: Path) -> Iterator[Table]:
    try:
        # data_only=False: a formula cell reads as its formula's text, never as a value
        # computed by whoever saved the file last.
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise TableError(_("Cannot read the file: it is neither CSV nor XLSX.")) from error
    try:
        if not workbook.worksheets:
            raise TableError(_("The file is empty; its first row must name the columns."))
        sheet = workbook.worksheets[0]
        rows = _numbered(_xlsx_records(sheet), lambda cells: [cell_date(c) for c in cells])
        header, rows = _first_row(rows)
        yield Table(header, rows, "xlsx")
    finally:
        workbook.close()


def _xlsx_records(sheet: Any) -> Iterator[tuple[object, ...]]:
    # The read-only sheet yields an empty tuple for every row the file leaves out, so
    # the count of rows is the number a spreadsheet shows.
    try:
        yield from sheet.iter_rows(values_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise TableError(_("Cannot read the file: it is neither CSV nor XLSX.")) from error
