"""What every import shares: the report (rows, errors, outcomes), the matching of a
file's header to the import's columns, the error report as CSV, progress.

The imports themselves: `opiekun.caretakers.services.importing` (caretaker
assignments) and `opiekun.contractors.importing` (contractors). docs/import.md.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from opiekun import audit
from opiekun.tabular import FORMULA_PREFIXES, text

# phase ("read", "check", "write"), rows done, rows in all (None while unknown)
Progress = Callable[[str, int, int | None], None]
PROGRESS_EVERY = 1000
REASON_LENGTH = 100  # the audit trail's column


PHASES = {
    "read": gettext_lazy("Reading the file"),
    "plan": gettext_lazy("Checking the rows"),
    "write": gettext_lazy("Writing"),
}
OUTCOME_LABELS = {
    "added": gettext_lazy("Added"),
    "merged": gettext_lazy("Merged"),
    "unchanged": gettext_lazy("Unchanged"),
    "replaced": gettext_lazy("Replaced"),
    "skipped": gettext_lazy("Skipped"),
}
# A file of a header alone: nothing to check again and nothing to import (the screen,
# the API's 422 on `file`, the commands' exit code 1).
NO_ROWS = gettext_lazy("The file has no rows below its header: there is nothing to import.")


def no_progress(phase: str, done: int, total: int | None) -> None:
    return None


@dataclass(frozen=True)
class RowError:
    """One fault of the file: its row as a spreadsheet numbers it (the header is row
    1), the column's header as the file writes it (None: the whole row), a message
    in the user's language."""

    row: int
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    """The answer of a dry run or an import: whether anything was written, how many
    data rows the file has, every error, and how many valid rows got each outcome."""

    applied: bool
    rows: int
    errors: list[RowError]
    outcomes: dict[str, int]
    kinds: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def empty(self) -> bool:
        """A header alone: no data row, and the header itself fine."""
        return self.rows == 0 and not self.errors

    @property
    def invalid_rows(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "rows": self.rows,
            "errors": [e.as_dict() for e in self.errors],
            "outcomes": dict(self.outcomes),
        }


@dataclass
class Errors:
    """Collects row errors as they are found; sorted by row when reported."""

    items: list[RowError] = field(default_factory=list)
    rows: set[int] = field(default_factory=set)

    def add(self, row: int, column: str | None, message: str) -> None:
        self.items.append(RowError(row, column, message))
        self.rows.add(row)

    def sorted(self) -> list[RowError]:
        return sorted(self.items, key=lambda e: e.row)


SHOWN_CHARACTERS = 60


def shown(value: object) -> str:
    """A value of the file as a message quotes it: at most `SHOWN_CHARACTERS` characters,
    so that a cell of 100,000 characters gives an error message one can read (the
    too-long error of that cell says what is wrong with it)."""
    text = str(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def import_reason(kind: audit.Reason, filename: str) -> str:
    """``import:<file name>``, cut to what the audit trail's column holds."""
    return audit.reason(kind, filename)[:REASON_LENGTH]


@dataclass(frozen=True)
class ColumnSpec:
    """One column an import reads: its name (the English header, also the key of the
    parsed row), the labels it is also known by (each in Polish and English), the
    longest text it may hold."""

    name: str
    labels: tuple[str | Promise, ...] = ()
    max_length: int = 100
    ignored: bool = False  # read and checked for length only (e.g. a name beside a code)


def header_aliases(specs: Iterable[ColumnSpec]) -> dict[str, ColumnSpec]:
    """Every accepted spelling of every column, lower-case, to its column."""
    names: dict[str, ColumnSpec] = {}
    for spec in specs:
        names[spec.name.lower()] = spec
        for label in spec.labels:
            for language in ("pl", "en"):
                with translation.override(language):
                    names[str(label).strip().lower()] = spec
    return names


@dataclass(frozen=True)
class Header:
    """The file's columns: position of each known column, and the header's faults."""

    positions: dict[str, int]
    titles: dict[str, str]  # column name to the header as the file writes it
    errors: list[RowError]


def _known(spec: ColumnSpec) -> str:
    """A column as the unknown-column message lists it: its name and, if it differs,
    its header in the user's language (``contractor_code (Kod kontrahenta)``)."""
    label = str(spec.labels[0]) if spec.labels else ""
    return f"{spec.name} ({label})" if label and label.lower() != spec.name.lower() else spec.name


UNKNOWN_SHOWN = 10  # unknown columns named in the header's one error


def _unknown_columns(unknown: Sequence[str], specs: Sequence[ColumnSpec]) -> RowError:
    """One error for every unknown column of the header (a file of 20,000 of them gets
    one message, not 20,000): the first `UNKNOWN_SHOWN` named, the rest counted, the
    known columns listed once."""
    known = ", ".join(_known(s) for s in specs)
    if len(unknown) == 1:
        message = _("Unknown column %(column)s; known: %(known)s.")
        return RowError(1, unknown[0], message % {"column": shown(unknown[0]), "known": known})
    listed = ", ".join(shown(title) for title in unknown[:UNKNOWN_SHOWN])
    more = len(unknown) - UNKNOWN_SHOWN
    if more > 0:
        listed = ngettext("%(columns)s and %(n)s more", "%(columns)s and %(n)s more", more) % {
            "columns": listed,
            "n": more,
        }
    message = _("Unknown columns (%(n)s): %(columns)s; known: %(known)s.")
    return RowError(1, None, message % {"n": len(unknown), "columns": listed, "known": known})


def match_header(
    cells: Sequence[str], specs: Sequence[ColumnSpec], *, required: Sequence[Sequence[str]]
) -> Header:
    """Match the header row against ``specs``; ``required`` lists groups of which at
    least one column must be present (e.g. the contractor's code or its NIP)."""
    aliases = header_aliases(specs)
    positions: dict[str, int] = {}
    titles: dict[str, str] = {}
    errors: list[RowError] = []
    unknown: dict[str, None] = {}  # distinct, in the file's order
    repeated: set[str] = set()
    for index, title in enumerate(cells):
        if not title:
            continue
        spec = aliases.get(title.strip().lower())
        if spec is None:
            unknown[title] = None
        elif spec.name not in positions:
            positions[spec.name] = index
            titles[spec.name] = title
        elif spec.name not in repeated:  # once per column, however often it repeats
            repeated.add(spec.name)
            errors.append(
                RowError(1, title, _("The column %(column)s appears twice.") % {"column": shown(title)})
            )
    if unknown:
        errors.insert(0, _unknown_columns(list(unknown), specs))
    for group in required:
        if not any(name in positions for name in group):
            errors.append(
                RowError(
                    1,
                    None,
                    _("A required column is missing: %(columns)s.") % {"columns": _(" or ").join(group)},
                )
            )
    return Header(positions, titles, errors)


class StrayCells:
    """The cells of a file's rows that no header names: past the header's last cell, or
    under an empty one. A value there belongs to no column and was dropped unseen (a
    `date_to` typed without its header imported open-ended)."""

    def __init__(self, header: Sequence[str]) -> None:
        self.width = len(header)
        self.untitled = frozenset(i for i, title in enumerate(header) if not title)

    def error(self, number: int, cells: Sequence[object]) -> RowError | None:
        """The row's fault, naming the first such column holding a value (1 is A)."""
        if len(cells) <= self.width and not self.untitled:
            return None
        for index, cell in enumerate(cells):
            if (index >= self.width or index in self.untitled) and text(cell):
                message = _("A value in column %(n)s, which has no header: name the column or remove it.")
                return RowError(number, None, message % {"n": index + 1})
        return None


def row_values(header: Header, cells: Sequence[object]) -> dict[str, object]:
    """A row's cells by column name; a missing cell is None."""
    return {name: cells[i] if i < len(cells) else None for name, i in header.positions.items()}


def error_report_rows(errors: Iterable[RowError]) -> Iterable[list[str]]:
    yield [_("Row"), _("Column"), _("Message")]
    for error in errors:
        yield [str(error.row), _guard(error.column or ""), _guard(error.message)]


def write_error_report(errors: Iterable[RowError], stream: IO[str]) -> None:
    """The errors as CSV for Excel: a BOM, ``;``, one row per error."""
    stream.write("\ufeff")
    csv.writer(stream, delimiter=";").writerows(error_report_rows(errors))


def _guard(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def count_outcomes(kinds: Sequence[str], counts: Mapping[str, int]) -> dict[str, int]:
    return {kind: int(counts.get(kind, 0)) for kind in kinds}


@contextmanager
def upload_path(upload: Any) -> Iterator[Path]:
    """An uploaded file as a path the readers can open: Django's temporary file when
    it has one, else a copy in a temporary file, removed afterwards."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    suffix = Path(getattr(upload, "name", "") or "").suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix if suffix in (".csv", ".xlsx") else "") as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)
