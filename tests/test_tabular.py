"""The one reader of every import: CSV in any of the encodings and separators a
Polish office produces, XLSX with real dates and numbers, formulas as text, a size limit."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook

from opiekun.tabular import TableError, detect_delimiter, open_table, size_error, text

ROWS = [["Kod kontrahenta", "Nazwa kontrahenta", "Data od"], ["K1", "Żółć sp. z o.o.", "01.02.2024"]]


def _csv(path: Path, content: str, encoding: str, *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + content.encode(encoding))
    return path


def _read(path: Path, **kwargs: Any) -> tuple[list[str], list[tuple[int, list[object]]], Any]:
    with translation.override("en"), open_table(path, **kwargs) as table:
        return table.header, list(table.rows), table


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [("utf-8", True, "utf-8-sig"), ("utf-8", False, "utf-8"), ("cp1250", False, "cp1250")],
)
@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_in_every_encoding_and_separator(
    tmp_path: Path, encoding: str, bom: bool, expected: str, delimiter: str
) -> None:
    content = "\r\n".join(delimiter.join(row) for row in ROWS) + "\r\n"
    header, rows, table = _read(_csv(tmp_path / "in.csv", content, encoding, bom=bom))
    assert (table.encoding, table.delimiter) == (expected, delimiter)
    assert header == ROWS[0]
    assert rows == [(2, ROWS[1])]


def test_windows_1250_found_even_when_the_first_rows_are_plain_ascii(tmp_path: Path) -> None:
    lines = ["code;name"] + [f"K{i};Firma" for i in range(5000)] + ["K9;Łódź"]
    _, rows, table = _read(_csv(tmp_path / "in.csv", "\n".join(lines), "cp1250"))
    assert table.encoding == "cp1250"
    assert rows[-1] == (5002, ["K9", "Łódź"])


def test_excel_unicode_text_utf16_with_tabs(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes("code\tname\r\nK1\tŁódź\r\n".encode("utf-16"))
    header, rows, table = _read(path)
    assert (table.encoding, table.delimiter, header, rows) == (
        "utf-16",
        "\t",
        ["code", "name"],
        [(2, ["K1", "Łódź"])],
    )


def test_a_quoted_separator_does_not_count_and_blank_rows_keep_their_numbers(tmp_path: Path) -> None:
    assert detect_delimiter('"a;b",c,d') == ","
    content = 'code,name\n\nK1,"Alfa; Beta"\n,\nK2,Gamma\n'
    _, rows, _ = _read(_csv(tmp_path / "in.csv", content, "utf-8"))
    assert rows == [(3, ["K1", "Alfa; Beta"]), (5, ["K2", "Gamma"])]


def test_xlsx_gives_real_dates_and_numbers(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["NIP", "Data od", "Data do", "Kwota"])
    sheet.append([5260250274, datetime(2024, 3, 1), None, 5260250274.0])
    sheet.append([])
    sheet.append(["x", "2024-03-01", date(2024, 4, 1), 1.5])
    path = tmp_path / "in.xlsx"
    workbook.save(path)
    header, rows, table = _read(path)
    assert table.format == "xlsx"
    assert header == ["NIP", "Data od", "Data do", "Kwota"]
    assert rows[0] == (2, [5260250274, date(2024, 3, 1), None, 5260250274])
    assert rows[1][0] == 4
    assert [text(v) for v in rows[0][1]] == ["5260250274", "2024-03-01", "", "5260250274"]


def test_formula_looking_cells_are_plain_text(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["code", "name"])
    sheet.append(["=1+1", '=HYPERLINK("http://example.com")'])
    path = tmp_path / "in.xlsx"
    workbook.save(path)
    _, rows, _ = _read(path)
    assert rows == [(2, ["=1+1", '=HYPERLINK("http://example.com")'])]
    csv_path = _csv(tmp_path / "in.csv", "code;name\n=1+1;'=SUM(A1)\n", "utf-8")
    _, rows, _ = _read(csv_path)
    assert [text(v) for v in rows[0][1]] == ["=1+1", "=SUM(A1)"]  # the exporter's guard removed


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path, settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 1024  # the configured limit (OPIEKUN_IMPORT_MAX_MB), made small
    path = _csv(tmp_path / "big.csv", "code;name\n" + "K1;Firma\n" * 200, "utf-8")
    with pytest.raises(TableError, match="larger than 1 kB"):
        _read(path)
    assert _read(path, limit=10_000)[0] == ["code", "name"]
    with translation.override("en"):
        assert "larger than 50 MB" in str(size_error(50 * 1024 * 1024))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 not really a zip", "neither CSV nor XLSX"),
        # an image: its first line is text, its NULs come after
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "neither CSV nor XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "xls"),
    ],
)
def test_a_file_that_is_not_a_table_is_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(TableError, match=message):
        _read(path)
