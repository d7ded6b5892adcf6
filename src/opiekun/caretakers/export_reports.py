"""What an export is — its columns and reports — and reading its rows: plain tuples
from ``values_list(...).iterator()``, in chunks (a server-side cursor on PostgreSQL),
never the whole result in memory. The formats are written by `exports` (CSV) and
`export_xlsx` (XLSX)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opiekun.caretakers.models import TYPE_CHOICES
from opiekun.contractors.models import Contractor
from opiekun.contractors.services import EDITABLE_FIELDS

CHUNK_SIZE = 2000


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

# The contractor columns are the model's fields a user edits (the form's and the API's),
# so `opiekun import` reads them back.
CONTRACTOR_FIELDS = EDITABLE_FIELDS

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
