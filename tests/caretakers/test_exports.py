"""The one export writer: CSV for a Polish Excel and XLSX, read back and checked."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from opiekun.caretakers.exports import (
    ASSIGNMENT_COLUMNS,
    ASSIGNMENTS_REPORT,
    CONTRACTOR_COLUMNS,
    CONTRACTORS_REPORT,
    ExportFormat,
    csv_chunks,
    export_response,
    sheet_title,
    write_csv,
    write_xlsx,
)
from opiekun.caretakers.selectors import AssignmentFilters, assignment_list
from opiekun.caretakers.services import caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.dates import parse_date
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignments(
    actor: Any, make_operator: Callable[..., Operator], make_contractors: Callable[..., list[Contractor]]
) -> dict[str, Any]:
    ewa = make_operator("ewa")
    first, second = make_contractors(2)
    first.name = 'Łódzka Spółka "Ząb"; oddział'
    first.save()
    second.name = '=HYPERLINK("http://evil")'
    second.save()
    caretaker_add(
        actor=actor,
        contractor_ids=[first.pk],
        operator_id=ewa.pk,
        date_from="2024-01-01",
        date_to="2024-06-30",
        on_overlap="replace",
    )
    caretaker_add(
        actor=actor,
        contractor_ids=[second.pk],
        operator_id=ewa.pk,
        date_from="2024-03-01",
        on_overlap="replace",
        type="deputy",
    )
    return {"ewa": ewa, "first": first, "second": second}


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "a Polish Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _queryset(actor: Any, operator: Operator) -> Any:
    return assignment_list(
        viewer=actor, filters=AssignmentFilters(operator_id=operator.pk, ordering="date_from")
    )


def test_csv_has_bom_semicolons_and_the_assignments_own_dates(actor: Any, assignments: Any) -> None:
    stream = io.BytesIO()
    write_csv(_queryset(actor, assignments["ewa"]), ASSIGNMENT_COLUMNS, stream)
    header, *body = _csv_rows(stream.getvalue())
    assert len(header) == len(ASSIGNMENT_COLUMNS)
    assert [(r[0], r[1], r[3], r[4], r[5], r[8], r[9]) for r in body] == [
        (
            assignments["first"].code,
            'Łódzka Spółka "Ząb"; oddział',
            "Ewa Tester",
            "ewa",
            "Główny",
            "01.01.2024",
            "30.06.2024",
        ),
        (
            assignments["second"].code,
            '\'=HYPERLINK("http://evil")',
            "Ewa Tester",
            "ewa",
            "Zastępca",
            "01.03.2024",
            "",
        ),
    ]


@pytest.mark.parametrize(
    ("language", "start", "end"), [("pl", "01.01.2024", "30.06.2024"), ("en", "2024-01-01", "2024-06-30")]
)
def test_csv_dates_are_in_the_users_format_and_read_back(
    actor: Any, assignments: Any, language: str, start: str, end: str
) -> None:
    with translation.override(language):
        stream = io.BytesIO()
        write_csv(_queryset(actor, assignments["ewa"]), ASSIGNMENT_COLUMNS, stream)
    first, second = _csv_rows(stream.getvalue())[1:]
    assert (first[8], first[9]) == (start, end)
    assert parse_date(first[8]) == date(2024, 1, 1)
    assert parse_date(first[9]) == date(2024, 6, 30)
    assert second[9] == "", "an open end is an empty cell in every language"


def test_csv_headers_follow_the_active_language(actor: Any, assignments: Any) -> None:
    with translation.override("en"):
        first_chunk = next(csv_chunks(_queryset(actor, assignments["ewa"]), ASSIGNMENT_COLUMNS))
        header = next(csv.reader(io.StringIO(first_chunk.decode("utf-8-sig")), delimiter=";"))
    assert header[0] == "Contractor code"
    assert header[-2:] == ["Date from", "Date to"]


def test_xlsx_has_date_cells_and_text_that_is_never_a_formula(actor: Any, assignments: Any) -> None:
    stream = io.BytesIO()
    write_xlsx(_queryset(actor, assignments["ewa"]), ASSIGNMENTS_REPORT, stream)
    stream.seek(0)
    sheet = load_workbook(stream).worksheets[0]
    header, *body = list(sheet.iter_rows(values_only=True))
    assert len(header) == len(ASSIGNMENT_COLUMNS)
    assert [(r[0], r[1], r[8], r[9]) for r in body] == [
        (
            assignments["first"].code,
            'Łódzka Spółka "Ząb"; oddział',
            datetime(2024, 1, 1),
            datetime(2024, 6, 30),
        ),
        (assignments["second"].code, '=HYPERLINK("http://evil")', datetime(2024, 3, 1), None),
    ]
    assert sheet.cell(row=3, column=2).data_type == "s"
    assert sheet.cell(row=2, column=9).data_type == "d"
    assert sheet.cell(row=2, column=9).number_format == "dd.mm.yyyy"


@pytest.mark.parametrize(
    ("language", "title", "date_format"),
    [("pl", "Kontrahenci wg opiekuna", "dd.mm.yyyy"), ("en", "Contractors by caretaker", "yyyy-mm-dd")],
)
def test_xlsx_sheet_is_named_after_the_report_with_a_frozen_styled_filtered_header(
    actor: Any, assignments: Any, language: str, title: str, date_format: str
) -> None:
    stream = io.BytesIO()
    with translation.override(language):
        write_xlsx(_queryset(actor, assignments["ewa"]), ASSIGNMENTS_REPORT, stream)
    stream.seek(0)
    workbook = load_workbook(stream)
    assert workbook.sheetnames == [title]
    sheet = workbook[title]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J3"
    header = sheet[1]
    assert all(cell.font.b for cell in header)
    assert all(cell.fill.fgColor.rgb.endswith("DCE6F1") for cell in header)
    assert sheet.cell(row=2, column=9).number_format == date_format
    widths = {letter: dim.width for letter, dim in sheet.column_dimensions.items()}
    # Sized to what they hold: the name column fits the longest name, the dates fit a date.
    assert widths["B"] >= len('Łódzka Spółka "Ząb"; oddział')
    assert 10 <= widths["I"] < widths["B"]
    assert all(width <= 60 for width in widths.values())


def test_xlsx_sheet_title_is_valid_for_excel() -> None:
    assert sheet_title("Raport: a/b [c]*?") == "Raport  a b  c"
    assert len(sheet_title("x" * 40)) == 31


def test_an_empty_export_still_has_its_header_and_filter(
    actor: Any, make_operator: Callable[..., Operator]
) -> None:
    stream = io.BytesIO()
    write_xlsx(_queryset(actor, make_operator("nobody")), ASSIGNMENTS_REPORT, stream)
    stream.seek(0)
    sheet = load_workbook(stream).worksheets[0]
    assert sheet.max_row == 1
    assert sheet.auto_filter.ref == "A1:J1"


def test_export_leaves_out_contractors_the_viewer_may_not_see(
    actor: Any, assignments: Any, make_operator: Callable[..., Operator]
) -> None:
    own = make_operator("own", visibility=Visibility.OWN, unassigned_access=UnassignedAccess.DENIED)
    caretaker_add(
        actor=actor,
        contractor_ids=[assignments["first"].pk],
        operator_id=own.pk,
        date_from="2020-01-01",
        on_overlap="replace",
        type="deputy",
    )
    stream = io.BytesIO()
    write_csv(assignment_list(viewer=own.user, filters=AssignmentFilters()), ASSIGNMENT_COLUMNS, stream)
    codes = {row[0] for row in _csv_rows(stream.getvalue())[1:]}
    assert codes == {assignments["first"].code}


def test_contractor_export_round_trips_field_values(
    actor: Any, make_contractors: Callable[..., list[Contractor]]
) -> None:
    (one,) = make_contractors(1)
    one.nip, one.phone, one.active = "5260250274", "+48 22 123 45 67", False
    one.save()
    stream = io.BytesIO()
    write_csv(Contractor.objects.filter(pk=one.pk), CONTRACTOR_COLUMNS, stream)
    (row,) = _csv_rows(stream.getvalue())[1:]
    assert row[0] == one.code
    assert row[2] == "5260250274"
    assert row[8] == "'+48 22 123 45 67"
    assert row[9] == "0"


@pytest.mark.parametrize(
    ("fmt", "content_type", "suffix"),
    [
        (ExportFormat.CSV, "text/csv; charset=utf-8", ".csv"),
        (ExportFormat.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    ],
)
def test_export_response_is_a_download(
    actor: Any, assignments: Any, fmt: ExportFormat, content_type: str, suffix: str
) -> None:
    response = export_response(
        _queryset(actor, assignments["ewa"]), ASSIGNMENTS_REPORT, fmt=fmt, filename="opiekunowie"
    )
    assert response["Content-Type"] == content_type
    assert f'filename="opiekunowie{suffix}"' in response["Content-Disposition"]
    assert len(response.getvalue()) > 100


def test_xlsx_keeps_spaces_drops_control_characters_and_types_booleans(
    make_contractors: Callable[..., list[Contractor]],
) -> None:
    first, second = make_contractors(2)
    first.name, first.active = "  Spacja  ", False
    first.save()
    second.name = "Dzwonek\x07 sp. z o.o."
    second.save()
    stream = io.BytesIO()
    write_xlsx(
        Contractor.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"), CONTRACTORS_REPORT, stream
    )
    stream.seek(0)
    sheet = load_workbook(stream).worksheets[0]
    body = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[9]) for r in body] == [("  Spacja  ", False), ("Dzwonek sp. z o.o.", True)]
    assert sheet.title == "Kontrahenci"


def test_xlsx_text_with_markup_line_breaks_and_many_rows_reads_back_exactly(
    make_contractors: Callable[..., list[Contractor]],
) -> None:
    # The data rows are written as XML text: what XML gives a meaning (&, <, >, a
    # carriage return, "]]>") must come back as it was, in every row, and the
    # autofilter (on the sheet and in the workbook's filter range) must end at the
    # last row.
    contractors = make_contractors(2_105)
    tricky = "A & B <sp. z o.o.> \"x\" ]]> 'y'\r\nlinia 2"
    contractors[0].name, contractors[1].name = tricky, "=SUM(A1:A2)"
    Contractor.objects.bulk_update(contractors[:2], ["name"])
    stream = io.BytesIO()
    write_xlsx(Contractor.objects.order_by("pk"), CONTRACTORS_REPORT, stream)
    stream.seek(0)
    workbook = load_workbook(stream)
    sheet = workbook.worksheets[0]
    body = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in body] == [c.code for c in Contractor.objects.order_by("pk")]
    assert body[0][1] == tricky
    assert body[1][1] == "=SUM(A1:A2)" and sheet.cell(row=3, column=2).data_type == "s"
    assert sheet.auto_filter.ref == f"A1:J{len(body) + 1}"
    with zipfile.ZipFile(stream) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode()
    assert f"!$A$1:$J${len(body) + 1}</definedName>" in workbook_xml
