"""The import of assignments, reading: the columns of the file and each data row
checked on its own (cells, dates, lengths), before any name is looked up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from operator import itemgetter
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opiekun.caretakers.models import TYPE_LABELS
from opiekun.caretakers.rules import AssignmentType
from opiekun.dates import parse_date
from opiekun.importing import PROGRESS_EVERY, ColumnSpec, Errors, Header, Progress, StrayCells, shown
from opiekun.messages import DATE_INVALID, DATE_TO_BEFORE_FROM, FIELD_REQUIRED
from opiekun.periods import Period
from opiekun.tabular import Table, text

COLUMNS = (
    ColumnSpec("contractor_code", (gettext_lazy("Contractor code"),), max_length=40),
    ColumnSpec("contractor_nip", (gettext_lazy("NIP"),), max_length=20),
    ColumnSpec("contractor_name", (gettext_lazy("Contractor name"),), max_length=250, ignored=True),
    ColumnSpec("operator_name", (gettext_lazy("Operator"),), max_length=300, ignored=True),
    ColumnSpec("operator_login", (gettext_lazy("Login"),), max_length=150),
    ColumnSpec("type", (gettext_lazy("Type"),), max_length=20),
    ColumnSpec("role", (gettext_lazy("Role"),), max_length=100),
    ColumnSpec("branch", (gettext_lazy("Branch"),), max_length=100),
    ColumnSpec("date_from", (gettext_lazy("Date from"),), max_length=30),
    ColumnSpec("date_to", (gettext_lazy("Date to"),), max_length=30),
)
REQUIRED = (("contractor_code", "contractor_nip"), ("operator_login",), ("date_from",))
# An open end: an empty cell, or the word the screens and exports write for it.
OPEN_END_WORDS = ("open-ended", "open ended", "bezterminowo", "…")
# The contractor's cells, different on every row; the others repeat (`_Checks`).
OWN_COLUMNS = ("contractor_code", "contractor_nip", "contractor_name")


class ReadRow(NamedTuple):
    """A row as read, its names still to be looked up."""

    number: int
    code: str
    nip: str
    login: str
    type: AssignmentType | None  # None: wrong (reported)
    role: str
    branch: str
    period: Period | None  # None: wrong (reported)


def _type_names() -> dict[str, AssignmentType]:
    from django.utils import translation

    names: dict[str, AssignmentType] = {}
    for kind, label in TYPE_LABELS.items():
        names[kind.value] = kind
        for language in ("pl", "en"):
            with translation.override(language):
                names[str(label).lower()] = kind
    return names


def _open_end_words() -> set[str]:
    from django.utils import translation

    words = set(OPEN_END_WORDS)
    for language in ("pl", "en"):
        with translation.override(language):
            words.add(str(gettext_lazy("open-ended")).lower())
    return words


def read_rows(table: Table, header: Header, errors: Errors, progress: Progress) -> tuple[list[ReadRow], int]:
    """Every data row checked on its own; returns the well-formed ones and the number
    of data rows.

    A row's contractor (code, NIP, name) is read from each row; its other cells —
    login, type, role, branch, dates — repeat from row to row, so each distinct
    combination of them is checked once (`_Checks`) and its outcome (values, faults in
    the order a row reports them) reused: one look-up per row instead of a dozen calls,
    and one object per login, role, branch and period for a hundred thousand rows."""
    positions = header.positions
    need = max(positions.values(), default=-1) + 1
    own = [
        (s.name, positions[s.name], s.max_length, header.titles[s.name])
        for s in COLUMNS
        if s.name in OWN_COLUMNS and s.name in positions
    ]
    code_column = header.titles.get("contractor_code") or header.titles.get("contractor_nip")
    checks = _Checks(header)
    at = checks.positions
    pick = itemgetter(*at) if len(at) > 1 else (lambda cells: tuple(cells[i] for i in at))
    typed = table.format != "csv"  # XLSX: 1, 1.0 and True are equal keys; keep them apart
    known: dict[object, _Checked] = {}
    parsed: list[ReadRow] = []
    add = errors.add
    count = 0
    stray = StrayCells(table.header)
    for number, cells in table.rows:
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress("read", count, None)
        if (stray_fault := stray.error(number, cells)) is not None:
            add(stray_fault.row, stray_fault.column, stray_fault.message)
        if len(cells) < need:
            cells = [*cells, *([None] * (need - len(cells)))]
        code = nip = ""
        for name, position, limit, column in own:  # in the order of COLUMNS
            value = text(cells[position])
            if len(value) > limit:
                add(number, column, _too_long(limit))
            if name == "contractor_code":
                code = value
            elif name == "contractor_nip":
                nip = value
        key = pick(cells)
        if typed:
            key = (key, tuple(map(type, key)))
        checked = known.get(key)
        if checked is None:
            checked = known[key] = checks.check(cells)
        too_long, login, kind, role, branch, period, faults = checked
        for fault in too_long:
            add(number, *fault)
        if not code and not nip:
            add(number, code_column, _("Give the contractor's code or NIP."))
        for fault in faults:
            add(number, *fault)
        parsed.append(ReadRow(number, code, nip, login, kind, role, branch, period))
    progress("read", count, count)
    return parsed, count


# What a combination of the repeating cells gives: the too-long faults (reported before
# the missing contractor's), the values, then the other faults.
_Checked = tuple[
    list[tuple[str | None, str]],
    str,
    AssignmentType | None,
    str,
    str,
    Period | None,
    list[tuple[str | None, str]],
]


class _Checks:
    """The checks of the cells other than the contractor's, for one file."""

    def __init__(self, header: Header) -> None:
        title = self.title = header.titles
        specs = [s for s in COLUMNS if s.name not in OWN_COLUMNS and s.name in header.positions]
        self.positions = [header.positions[s.name] for s in specs]
        # Each column read: (name, position, longest text, a date column?, title).
        self.plan = [
            (s.name, header.positions[s.name], s.max_length, s.name.startswith("date_"), title[s.name])
            for s in specs
        ]
        self.date_from_at = header.positions.get("date_from")
        self.date_to_at = header.positions.get("date_to")
        self.types = _type_names()
        self.open_words = _open_end_words()
        self.dates: dict[object, date] = {}  # the same few hundred dates, shared
        self.periods: dict[tuple[date, date | None], Period] = {}

    def check(self, cells: Sequence[object]) -> _Checked:
        title = self.title
        too_long: list[tuple[str | None, str]] = []
        faults: list[tuple[str | None, str]] = []
        texts: dict[str, str] = {}
        for name, at, limit, is_date, column in self.plan:
            raw = cells[at]
            if is_date:
                if isinstance(raw, str) and len(raw) > limit:
                    too_long.append((column, _too_long(limit)))
                continue
            value = text(raw)
            if len(value) > limit:
                too_long.append((column, _too_long(limit)))
            texts[name] = value
        login = texts.get("operator_login", "")
        if not login:
            faults.append((title["operator_login"], str(FIELD_REQUIRED)))
        kind_text = texts.get("type", "")
        kind = self.types.get(kind_text.lower()) if kind_text else AssignmentType.MAIN
        if kind is None:
            allowed = ", ".join(sorted({*self.types}, key=str.lower))
            faults.append(
                (
                    title["type"],
                    _("Unknown type %(value)s; allowed: %(allowed)s.")
                    % {"value": shown(kind_text), "allowed": allowed},
                )
            )
        raw_from = cells[self.date_from_at] if self.date_from_at is not None else None
        start = self._day("date_from", raw_from, True, faults)
        end = (
            self._day("date_to", cells[self.date_to_at], False, faults)
            if self.date_to_at is not None
            else None
        )
        period = None
        if isinstance(start, date) and (end is None or isinstance(end, date)):
            if end is not None and end < start:
                faults.append((title["date_to"], str(DATE_TO_BEFORE_FROM)))
            else:
                period = self.periods.get((start, end))
                if period is None:
                    period = self.periods[(start, end)] = Period(start, end)
        # A row with a wrong cell is still looked up, so that all its faults are told.
        return too_long, login, kind, texts.get("role", ""), texts.get("branch", ""), period, faults

    def _day(
        self, name: str, raw: object, required: bool, faults: list[tuple[str | None, str]]
    ) -> date | bool | None:
        """The date, None when empty (an open end), False when wrong (reported)."""
        if isinstance(raw, str):
            raw = raw.strip()
            if name == "date_to" and raw.lower() in self.open_words:
                raw = ""
        if raw is None or raw == "":
            if required:
                faults.append((self.title.get(name), str(FIELD_REQUIRED)))
                return False
            return None
        key = raw if isinstance(raw, str | date) else repr(raw)
        found = self.dates.get(key)
        if found is None:
            try:
                found = parse_date(raw)
            except ValueError:
                faults.append((self.title.get(name), str(DATE_INVALID)))
                return False
            self.dates[key] = found
        return found


def _too_long(limit: int) -> str:
    return _("Too long: at most %(max)s characters.") % {"max": limit}
