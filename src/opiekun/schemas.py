"""Shapes shared by every API module: input types that refuse what the database
cannot hold, error bodies, pagination and the assignment as JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar, get_args

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import ValidationError as RequestValidationError
from pydantic import AfterValidator, BeforeValidator, ConfigDict, ValidationInfo, field_validator

from opiekun.dates import parse_date
from opiekun.messages import DATE_INVALID, DATE_TO_BEFORE_FROM, FIELD_REQUIRED
from opiekun.operators.models import Operator
from opiekun.paging import page_rows

MAX_ID = 2**63 - 1  # the largest bigint primary key; a larger id names nothing
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_PAGE = 2**31 - 1


def _day(value: object) -> object:
    """Dates go through the project's one parser (YYYY-MM-DD or dd.mm.rrrr). A null
    reaches this only where the date is required (``Day | None`` takes null before it):
    the field's message, not pydantic's "Input should be a valid date"."""
    if value is None:
        raise ValueError(str(FIELD_REQUIRED))
    try:
        return parse_date(value)
    except ValueError as error:
        raise ValueError(str(DATE_INVALID)) from error


def _storable_text(value: str) -> str:
    """No NUL characters or lone surrogates: neither PostgreSQL nor UTF-8 can hold them."""
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(_("Text must be valid Unicode.")) from error
    return value


def _aware(value: datetime) -> datetime:
    """A naive moment is read in the configured time zone; a moment outside what the
    database can compare is refused rather than overflowing."""
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise ValueError(_("The moment is out of range.")) from error


def _iso_moment(value: object) -> object:
    """A moment is written as ISO 8601 (a date alone is its midnight). Pydantic would
    also read a number, or a string of digits, as seconds — or, past 2e10, as
    milliseconds — since 1970: ``at=20250101`` would be a day of 1970, silently."""
    if isinstance(value, datetime):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not text or text.lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError(_("Enter a date and time as YYYY-MM-DDTHH:MM:SS (a time zone may follow)."))
    return value


def _not_boolean(value: object) -> object:
    """JSON's true and false are not the ids 1 and 0 (pydantic would take them so)."""
    if isinstance(value, bool):
        raise ValueError(_("Input should be a valid integer, not a boolean."))
    return value


Id = Annotated[int, BeforeValidator(_not_boolean), Field(ge=1, le=MAX_ID)]
Day = Annotated[date, BeforeValidator(_day)]
Text = Annotated[str, AfterValidator(_storable_text)]
Moment = Annotated[datetime, BeforeValidator(_iso_moment), AfterValidator(_aware)]
Page = Annotated[int, Field(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]


def omissible(**constraints: Any) -> Any:
    """A PATCH field: it may be left out (unchanged), but not sent as null."""
    return Field(None, **constraints)


class Input(Schema):
    """Request bodies: an unknown field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Patch(Input):
    """A PATCH body: a field left out is unchanged. Null, where the field has no empty
    value, is refused with a message that says so (pydantic would say "Input should be
    a valid integer" of a null id, as of a list sent instead)."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        field = cls.model_fields.get(info.field_name or "")
        if value is None and field is not None and type(None) not in get_args(field.annotation):
            raise ValueError(_("This field may not be null; leave it out to keep its value."))
        return value


class Message(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrors(Schema):
    detail: list[FieldError]


T = TypeVar("T")


class Paged(Schema, Generic[T]):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[T]


def check_query_period(date_from: date | None, date_to: date | None) -> None:
    """A list's query for the days from ``date_from`` to ``date_to`` (either end open):
    a 422 naming ``date_to`` when it is before ``date_from``."""
    if date_from and date_to and date_to < date_from:
        raise RequestValidationError(
            [{"loc": ["query", "date_to"], "type": "value_error", "msg": str(DATE_TO_BEFORE_FROM)}]
        )


def check_query_operator(name: str, operator_id: int | None) -> None:
    """A list filtered by an operator: a 422 on the query parameter ``name`` when
    ``operator_id`` names no operator (an empty list would read as "nothing to show")."""
    if operator_id is not None and not Operator.objects.filter(pk=operator_id).exists():
        message = _("Unknown operator %(id)s.") % {"id": operator_id}
        raise RequestValidationError([{"loc": ["query", name], "type": "value_error", "msg": message}])


def paginate(
    request: HttpRequest,
    items: QuerySet[Any] | list[Any],
    *,
    page: int,
    page_size: int,
    count: int | None = None,
    ids_first_from: int | None = None,
) -> dict[str, Any]:
    """One page of ``items`` (a queryset, or a list already read). A page past the end
    is empty (with the true count), not an error: a client paging while others delete
    rows should not crash. ``count``, if given, is the number of ``items``, read in a
    cheaper way than counting them; ``ids_first_from`` as `paging.page_rows` takes it."""
    if count is None:
        count = len(items) if isinstance(items, list) else items.count()
    offset = (page - 1) * page_size
    if offset >= count:
        results: list[Any] = []
    elif isinstance(items, QuerySet):
        results = page_rows(items, offset, offset + page_size, ids_first_from=ids_first_from)
    else:  # a list, or rows that read only the slice asked for (upcoming changes, acted-for)
        results = list(items[offset : offset + page_size])

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        query["page_size"] = str(page_size)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    last = max(1, -(-count // page_size))
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "next": link(page + 1) if page < last else None,
        "previous": link(min(page - 1, last)) if page > 1 else None,
        "results": results,
    }


class AssignmentFields(Schema):
    """The fields of an assignment in JSON, as docs/api.md names them."""

    id: int
    contractor_id: int
    operator_id: int
    type: str
    role_id: int
    branch_id: int | None
    date_from: date
    date_to: date | None


class AssignmentOut(AssignmentFields):
    """A caretaker assignment (docs/api.md), with the names a reader needs beside the ids."""

    priority: int = Field(description="Deputies: lower stands in first for an absent main caretaker.")
    contractor_code: str
    contractor_name: str
    operator_name: str
    role_name: str
    branch_name: str | None

    @staticmethod
    def resolve_contractor_code(obj: Any) -> str:
        return str(obj.contractor.code)

    @staticmethod
    def resolve_contractor_name(obj: Any) -> str:
        return str(obj.contractor.name)

    @staticmethod
    def resolve_operator_name(obj: Any) -> str:
        return str(obj.operator.display_name)

    @staticmethod
    def resolve_role_name(obj: Any) -> str:
        return str(obj.role.name)

    @staticmethod
    def resolve_branch_name(obj: Any) -> str | None:
        return obj.branch.name if obj.branch_id else None


def responses(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    """The documented responses of an operation: its own, then the error bodies."""
    shapes: dict[int, Any] = {
        400: Message,
        401: Message,
        403: Message,
        404: Message,
        422: ValidationErrors,
        429: Message,
    }
    return {**ok, **{code: shapes[code] for code in codes}}
