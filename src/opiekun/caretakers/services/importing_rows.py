"""The import of assignments, reading: the columns of the file and each data row
checked on its own (cells, dates, lengths), before any name is looked up."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opiekun.caretakers.models import TYPE_LABELS
from opiekun.caretakers.rules import AssignmentType
from opiekun.dates import parse_date
from opiekun.importing import PROGRESS_EVERY, ColumnSpec, Errors, Header, Progress
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
    of data rows."""
    specs = [s for s in COLUMNS if s.name in header.positions]
    title = header.titles
    types = _type_names()
    open_words = _open_end_words()
    dates: dict[object, date] = {}  # the same few hundred dates, shared
    # Logins, roles, branches and periods repeat from row to row: one object each, so a
    # hundred thousand rows cost little more than their codes.
    shared: dict[object, Any] = {}
    parsed: list[ReadRow] = []
    count = 0

    def day(number: int, name: str, raw: object, required: bool) -> date | bool | None:
        """The date, None when empty (an open end), False when wrong (reported)."""
        if isinstance(raw, str):
            raw = raw.strip()
            if name == "date_to" and raw.lower() in open_words:
                raw = ""
        if raw is None or raw == "":
            if required:
                errors.add(number, title.get(name), str(FIELD_REQUIRED))
                return False
            return None
        key = raw if isinstance(raw, str | date) else repr(raw)
        found = dates.get(key)
        if found is None:
            try:
                found = parse_date(raw)
            except ValueError:
                errors.add(number, title.get(name), str(DATE_INVALID))
                return False
            dates[key] = found
        return found

    # Each column read: (name, position, longest text, a date column?, title).
    plan = [
        (s.name, header.positions[s.name], s.max_length, s.name.startswith("date_"), title[s.name])
        for s in specs
    ]
    date_from_at = header.positions.get("date_from")
    date_to_at = header.positions.get("date_to")
    code_column = title.get("contractor_code") or title.get("contractor_nip")
    kinds: dict[str, AssignmentType | None] = {"": AssignmentType.MAIN}
    for number, cells in table.rows:
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress("read", count, None)
        width = len(cells)
        texts: dict[str, str] = {}
        for name, at, limit, is_date, column in plan:
            raw = cells[at] if at < width else None
            if is_date:
                if isinstance(raw, str) and len(raw) > limit:
                    errors.add(number, column, _too_long(limit))
                continue
            value = text(raw)
            if len(value) > limit:
                errors.add(number, column, _too_long(limit))
            texts[name] = value
        code, nip = texts.get("contractor_code", ""), texts.get("contractor_nip", "")
        if not code and not nip:
            errors.add(number, code_column, _("Give the contractor's code or NIP."))
        login = texts.get("operator_login", "")
        if not login:
            errors.add(number, title["operator_login"], str(FIELD_REQUIRED))
        kind_text = texts.get("type", "")
        try:
            kind = kinds[kind_text]
        except KeyError:
            kind = kinds[kind_text] = types.get(kind_text.lower())
        if kind is None:
            allowed = ", ".join(sorted({*types}, key=str.lower))
            errors.add(
                number,
                title["type"],
                _("Unknown type %(value)s; allowed: %(allowed)s.") % {"value": kind_text, "allowed": allowed},
            )
        raw_from = cells[date_from_at] if date_from_at is not None and date_from_at < width else None
        start = day(number, "date_from", raw_from, True)
        if date_to_at is not None:
            end = day(number, "date_to", cells[date_to_at] if date_to_at < width else None, False)
        else:
            end = None
        period = None
        if isinstance(start, date) and (end is None or isinstance(end, date)):
            if end is not None and end < start:
                errors.add(number, title["date_to"], str(DATE_TO_BEFORE_FROM))
            else:
                period = shared.get((start, end))
                if period is None:
                    period = shared[(start, end)] = Period(start, end)
        # A row with a wrong cell is still looked up, so that all its faults are told.
        role, branch = texts.get("role", ""), texts.get("branch", "")
        login, role, branch = (
            shared.setdefault(login, login),
            shared.setdefault(role, role),
            shared.setdefault(branch, branch),
        )
        parsed.append(ReadRow(number, code, nip, login, kind, role, branch, period))
    progress("read", count, count)
    return parsed, count


def _too_long(limit: int) -> str:
    return _("Too long: at most %(max)s characters.") % {"max": limit}
