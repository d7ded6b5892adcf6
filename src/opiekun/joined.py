"""Hand-written SELECTs over joined tables, read into model instances as the ORM's
`select_related` would read them — for the few reads called once per API request
(the bearer token, caretaker-info), where compiling the ORM's query each time cost
more than running it (docs/performance.md, "caretaker-info per call").

The column list is generated from the models' fields and built once per connection,
with the ORM's own converters for those columns (on SQLite, aware date-times and
dates, as the ORM gives them); the SQL around it is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model


@dataclass(frozen=True)
class Span:
    """One model's columns in a row: ``values[start:end]``."""

    model: type[Model]
    start: int
    end: int

    def build(self, alias: str, values: Sequence[Any]) -> Any:
        """The instance, as the ORM builds it (every concrete field: nothing deferred)."""
        return self.model.from_db(alias, (), values[self.start : self.end])


@dataclass(frozen=True)
class Columns:
    """The SELECT list of some tables' concrete fields and single extra fields."""

    sql: str
    spans: tuple[Span, ...]  # one per table, in the order given
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # column, converters, expression


def columns(
    connection: BaseDatabaseWrapper,
    tables: Sequence[tuple[type[Model], str]],
    extra: Sequence[tuple[Field[Any, Any], str]] = (),
) -> Columns:
    """Every concrete field of each ``(model, table alias)``, in the model's field
    order, then each ``(field, table alias)`` of ``extra``."""
    quote = connection.ops.quote_name
    names: list[str] = []
    expressions: list[Any] = []
    spans: list[Span] = []
    for model, alias in tables:
        start = len(expressions)
        for f in model._meta.concrete_fields:
            names.append(f"{alias}.{quote(f.column)}")
            expressions.append(f.get_col(alias))
        spans.append(Span(model, start, len(expressions)))
    for f, alias in extra:
        names.append(f"{alias}.{quote(f.column)}")
        expressions.append(f.get_col(alias))
    model = spans[0].model if spans else extra[0][0].model
    compiler = model._default_manager.none().query.get_compiler(connection=connection)
    found = compiler.get_converters(expressions)
    converters = tuple((i, tuple(functions), expression) for i, (functions, expression) in found.items())
    return Columns(", ".join(names), tuple(spans), converters)


class PerConnection:
    """A value built once for each database connection (its vendor's quoting and
    converters), e.g. ``PerConnection(lambda c: columns(c, …))``."""

    def __init__(self, make: Callable[[BaseDatabaseWrapper], Any]) -> None:
        self._make = make
        self._built: WeakKeyDictionary[BaseDatabaseWrapper, Any] = WeakKeyDictionary()

    def __call__(self, connection: BaseDatabaseWrapper) -> Any:
        built = self._built.get(connection)
        if built is None:
            built = self._built[connection] = self._make(connection)
        return built


def fetch(
    connection: BaseDatabaseWrapper, found: Columns, sql: str, params: Sequence[Any]
) -> list[list[Any]]:
    """The rows of ``sql`` (whose SELECT list is ``found.sql``), each value converted
    as the ORM would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [list(values) for values in cursor.fetchall()]
    for index, functions, expression in found.converters:
        for values in rows:
            value = values[index]
            for function in functions:
                value = function(value, expression, connection)
            values[index] = value
    return rows
