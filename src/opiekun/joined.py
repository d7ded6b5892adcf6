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
from types import SimpleNamespace
from typing import Any
from weakref import WeakKeyDictionary

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


@dataclass(frozen=True)
class Span:
    """One model's columns in a row: ``values[start:end]``, of its fields ``attnames``."""

    model: type[Model]
    start: int
    end: int
    attnames: tuple[str, ...]

    def build(self, alias: str, values: Sequence[Any]) -> Any:
        """The instance, as the ORM's ``from_db`` builds it from every concrete field.
        ``Model.__init__`` given them all only sets each attribute (and sends
        ``pre_init``/``post_init``): without receivers of those signals, the values
        go into the instance's dictionary directly, at a third of the cost."""
        model = self.model
        if pre_init.has_listeners(model) or post_init.has_listeners(model):
            return model.from_db(alias, (), values[self.start : self.end])
        new = model.__new__(model)
        new.__dict__.update(zip(self.attnames, values[self.start : self.end], strict=True))
        state = new._state = ModelState()
        state.adding = False
        state.db = alias
        return new


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
        attnames = tuple(f.attname for f in model._meta.concrete_fields)
        spans.append(Span(model, start, len(expressions), attnames))
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
    as the ORM would. On PostgreSQL the statement is prepared: planned once per
    connection (see `_prepared_cursor`)."""
    pg = connection.vendor == "postgresql"
    with _prepared_cursor(connection) if pg else connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [list(values) for values in cursor.fetchall()]
    for index, functions, expression in found.converters:
        for values in rows:
            value = values[index]
            for function in functions:
                value = function(value, expression, connection)
            values[index] = value
    return rows


# psycopg prepares only the statements asked for (execute(..., prepare=True)) unless a
# statement runs this many times: never, in practice.
_NOT_AUTOMATICALLY = 2**62


class _Preparing:
    """A psycopg cursor binding on the server whose every statement is prepared."""

    def __init__(self, cursor: Any, connection: BaseDatabaseWrapper) -> None:
        self._cursor = cursor
        self._connection = connection
        self._statement: tuple[str, Sequence[Any] | None] = ("", None)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        self._statement = (sql, params)
        return self._cursor.execute(sql, params, prepare=True)

    @property
    def _query(self) -> Any:
        """What Django's query log shows (`last_executed_query`): the statement with
        its parameters in, as for its own cursors (a prepared one keeps no text)."""
        sql, params = self._statement
        return SimpleNamespace(query=self._connection.ops.compose_sql(sql, params).encode())  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def _prepared_cursor(connection: BaseDatabaseWrapper) -> Any:
    """A cursor of Django's (its query log, execute wrappers and error translation)
    over a psycopg cursor that binds parameters on the server and prepares its
    statements, so that PostgreSQL plans each of these statements once per connection
    instead of on every request. Planning the seven-table join of caretaker-info took
    about 1 ms, seven times its execution (docs/performance.md, "caretaker-info per
    call"); Django's own cursors bind on the client and never prepare.

    Prepared statements live in the database session: behind a pooler, PgBouncer in
    session mode (docs/operations.md), or in transaction mode from version 1.21 with
    ``max_prepared_statements``."""
    import psycopg
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    client = connection.connection
    if client.prepare_threshold is None:  # Django's default: psycopg never prepares
        client.prepare_threshold = _NOT_AUTOMATICALLY
    with connection.wrap_database_errors:
        cursor = psycopg.Cursor(client)
    # As Django's own cursors: the connection's time zone for timestamptz values.
    loader = client.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)
    if connection.timezone != getattr(loader, "timezone", None):
        register_tzloader(connection.timezone, cursor)
    connection.validate_thread_sharing()
    preparing = _Preparing(cursor, connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(preparing)  # type: ignore[arg-type]  # a DB-API cursor
    return connection.make_cursor(preparing)  # type: ignore[arg-type]
