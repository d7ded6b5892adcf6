"""`opiekun import`: contractors from CSV or XLSX, all or nothing.

Every row goes through `contractor_create`, so NIP, REGON and uniqueness are checked
exactly as in the UI and the API. One transaction holds the whole file: if any row
is refused, every row's field errors are reported and nothing is written.

The file is what `opiekun export contractors` writes: a header row naming the columns
(field names such as ``code``, or their labels in Polish or English), then one row
per contractor; CSV in UTF-8 (a BOM is fine) separated by ``;`` or ``,``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from opiekun.caretakers.exports import CONTRACTOR_FIELDS, FORMULA_PREFIXES
from opiekun.contractors.models import Contractor
from opiekun.contractors.services import contractor_create
from opiekun.sqlite import analyze

TRUE = {"1", "true", "tak", "yes", "t", "y"}
FALSE = {"0", "false", "nie", "no", "f", "n"}


class _Refused(Exception):
    """Raised inside the transaction to roll the whole import back."""


def _header_names() -> dict[str, str]:
    """Every accepted spelling of a column header, lower-case, to its field name."""
    names: dict[str, str] = {}
    for name in CONTRACTOR_FIELDS:
        names[name] = name
        for language in ("pl", "en"):
            with translation.override(language):
                label = str(Contractor._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
            names[label.strip().lower()] = name
    return names


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel turns a NIP typed as a number into a float
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_PREFIXES:
        return text[1:]  # the exporter's guard against CSV injection
    return text


def _read_rows(path: Path) -> Iterator[list[object]]:
    if path.suffix.lower() == ".xlsx":
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                yield list(values)
        finally:
            workbook.close()
        return
    text = path.read_bytes().decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _fields(header: list[str], values: list[object]) -> tuple[dict[str, Any], list[str]]:
    """The keyword arguments of `contractor_create` for one row, or its errors."""
    data: dict[str, Any] = {}
    errors: list[str] = []
    if len(values) > len(header) and any(_cell_text(v) for v in values[len(header) :]):
        errors.append("more cells than columns")
    for name, raw in zip(header, values, strict=False):
        text = _cell_text(raw)
        if name != "active":
            if text:
                data[name] = text
        elif isinstance(raw, bool):
            data[name] = raw
        elif text.lower() in TRUE:
            data[name] = True
        elif text.lower() in FALSE:
            data[name] = False
        elif text:
            errors.append(f"active: not a yes/no value: {text!r}")
    return data, errors


class Command(BaseCommand):
    help = "Import contractors from CSV or XLSX: all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["contractors"])
        parser.add_argument("file", help=".csv or .xlsx")
        parser.add_argument(
            "--user",
            required=True,
            help="the operator recorded as creator (and, if so configured, made the main caretaker)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = get_user_model().objects.filter(username=options["user"]).first()
        if actor is None:
            raise CommandError(f"--user: no user {options['user']!r}")
        path = Path(options["file"])
        try:
            rows = list(_read_rows(path))
        except (
            OSError,
            UnicodeDecodeError,
            csv.Error,
            ValueError,
            KeyError,
            zipfile.BadZipFile,
            InvalidFileException,
        ) as error:
            raise CommandError(f"{path}: cannot read the file: {error}") from None
        header = self._header(rows[0] if rows else [])
        errors: list[str] = []
        created = 0
        try:
            with transaction.atomic():
                for number, values in enumerate(rows[1:], start=2):
                    if not any(_cell_text(v) for v in values):
                        continue
                    row_errors = self._create(actor, header, values)
                    errors.extend(f"row {number}: {message}" for message in row_errors)
                    created += not row_errors
                if errors:
                    raise _Refused
        except _Refused:
            raise CommandError("nothing imported; fix these rows:\n" + "\n".join(errors)) from None
        analyze()  # SQLite: statistics for the new rows (opiekun.sqlite)
        self.stdout.write(f"imported {created} contractors")

    @staticmethod
    def _header(cells: list[object]) -> list[str]:
        known = _header_names()
        header: list[str] = []
        unknown: list[str] = []
        for cell in cells:
            text = _cell_text(cell)
            name = known.get(text.lower())
            if name is None:
                unknown.append(repr(text))
            header.append(name or "")
        if unknown:
            raise CommandError(
                "unknown columns: "
                + ", ".join(unknown)
                + "; expected some of: "
                + ", ".join(CONTRACTOR_FIELDS)
            )
        if len(set(header)) != len(header):
            raise CommandError("a column appears twice in the header")
        if not header:
            raise CommandError("the file is empty; the first row must name the columns")
        return header

    @staticmethod
    def _create(actor: Any, header: list[str], values: list[object]) -> list[str]:
        data, errors = _fields(header, values)
        if errors:
            return errors
        try:
            contractor_create(actor=actor, **data)
        except ValidationError as error:
            return [f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()]
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        return []
