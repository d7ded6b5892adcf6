"""The XLSX writer of the exports: one sheet named after the report, a styled, frozen
header row with an autofilter, dates as date cells, text typed as text (no formula).
The choices are explained in `exports`."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from datetime import date
from itertools import chain, islice
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from opiekun.caretakers.export_reports import Progress, Report, rows

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_SAMPLE_ROWS = 500  # rows that size the columns (the rest are streamed)
XLSX_MAX_WIDTH = 60
XLSX_HEADER_FONT = Font(bold=True)
XLSX_HEADER_FILL = PatternFill("solid", start_color="DCE6F1")
XLSX_HEADER_BORDER = Border(bottom=Side(style="thin", color="7F7F7F"))
XLSX_HEADER_ALIGNMENT = Alignment(vertical="center")
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


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


_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_SHEET = "xl/worksheets/sheet1.xml"
_WORKBOOK = "xl/workbook.xml"
_LAST_ROW = 1048576  # the autofilter's placeholder end until the rows are counted
_ROWS_PER_WRITE = 2000
# What XML text cannot hold as it is: "\r" would come back as "\n" if not escaped.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _cell_text(letter: str, number: str, value: object, date_style: str) -> str:
    """One ``<c>`` element. Text is always an inline string, never a formula."""
    if value.__class__ is str or not isinstance(value, bool | int | float | date):
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # what XML cannot hold at all
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{text.translate(_ESCAPES)}</t></is></c>'
    if isinstance(value, date):
        return f'<c r="{letter}{number}" s="{date_style}"><v>{value.toordinal() - _EXCEL_EPOCH}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{letter}{number}" t="b"><v>{1 if value else 0}</v></c>'
    return f'<c r="{letter}{number}" t="n"><v>{value!r}</v></c>'


def _rows_xml(rows: Iterable[list[object]], letters: list[str], date_style: str, out: IO[bytes]) -> int:
    """The data rows, from the sheet's second row on, written as XML text in batches;
    returns their number.

    openpyxl binds a `Cell` per value and writes it through nested XML contexts, and
    even one lxml element per row costs ~55 µs: 3 s of CPU for 53,334 rows of ten
    columns. The values' types are known here, so each row is plain text."""
    count = 0
    batch: list[str] = []
    for count, values in enumerate(rows, start=1):
        number = str(count + 1)
        cells = "".join(
            _cell_text(letter, number, value, date_style)
            for letter, value in zip(letters, values, strict=True)
            if value is not None and value != ""
        )
        batch.append(f'<row r="{number}">{cells}</row>')
        if len(batch) == _ROWS_PER_WRITE:
            out.write("".join(batch).encode("utf-8"))
            batch.clear()
    out.write("".join(batch).encode("utf-8"))
    return count


def _skeleton(report: Report, header: list[object], sample: list[list[object]]) -> tuple[bytes, str]:
    """The workbook with its header row only, as openpyxl writes it (styles, the frozen
    header, column widths, the autofilter up to a placeholder row), and the style id of
    date cells."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(report.title))
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
    date_cell = WriteOnlyCell(sheet)
    date_cell.number_format = _date_format()
    date_style = str(date_cell.style_id)  # registers the style with the workbook
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{_LAST_ROW}"
    skeleton = io.BytesIO()
    workbook.save(skeleton)
    return skeleton.getvalue(), date_style


def write_xlsx(
    queryset: QuerySet[Any], report: Report, stream: IO[bytes], *, progress: Progress | None = None
) -> None:
    """The report as one sheet named after it: a styled, frozen header row with an
    autofilter, columns sized to the header and the first rows, dates as dates.

    openpyxl writes the workbook around the data (styles, the sheet's settings, the
    header row); the data rows are streamed into the archive's sheet as XML text
    (`_rows_xml`), then the autofilter's placeholder end becomes the last row."""
    values = rows(queryset, report.columns, progress=progress)
    header = next(values)
    sample = list(islice(values, XLSX_SAMPLE_ROWS))
    skeleton, date_style = _skeleton(report, header, sample)
    last = get_column_letter(len(header))
    letters = [get_column_letter(i) for i in range(1, len(header) + 1)]
    with (
        zipfile.ZipFile(io.BytesIO(skeleton)) as source,
        zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in (_SHEET, _WORKBOOK):
                target.writestr(info, source.read(info))
        head, _, tail = source.read(_SHEET).decode("utf-8").rpartition("</sheetData>")
        with target.open(_SHEET, "w", force_zip64=True) as out:
            out.write(head.encode("utf-8"))
            count = _rows_xml(chain(sample, values), letters, date_style, out)
            ref = f'ref="A1:{last}{_LAST_ROW}"'
            if ref not in tail:
                raise RuntimeError("openpyxl wrote the sheet's autofilter in an unknown form")
            out.write(("</sheetData>" + tail.replace(ref, f'ref="A1:{last}{count + 1}"')).encode("utf-8"))
        workbook_xml = source.read(_WORKBOOK).decode("utf-8")
        target.writestr(_WORKBOOK, workbook_xml.replace(f"${last}${_LAST_ROW}<", f"${last}${count + 1}<"))
