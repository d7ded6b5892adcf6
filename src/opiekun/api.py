"""REST API v1 (docs/api.md): the NinjaAPI object, bearer authentication, and the
translation of every exception into a JSON answer — no input ever yields a
traceback, and the services' field-level errors become HTTP 422."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.security import HttpBearer

from opiekun.api_messages import localized
from opiekun.api_parser import REPEATED, BodyErrors, StrictJsonParser
from opiekun.caretakers.api import router as caretakers
from opiekun.caretakers.handover_api import router as handovers
from opiekun.caretakers.import_api import router as caretaker_import
from opiekun.contractors.api import router as contractors
from opiekun.coverage.api import router as coverage
from opiekun.messages import COLLISION
from opiekun.middleware import database_busy_response, is_database_busy
from opiekun.notices.api import router as notices
from opiekun.operators.absence_api import router as absences
from opiekun.operators.api import router as operators
from opiekun.operators.tokens import token_authenticate

logger = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; the token row is kept on the request so that
    ``DELETE /auth/token`` can revoke the very token it was called with."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_authenticate(token.strip())
        if found is None:
            return None
        request.api_token = found  # type: ignore[attr-defined]
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="Opiekun API",
    version="1",
    urls_namespace="api-v1",
    auth=BearerToken(),
    parser=StrictJsonParser(),
    description=(
        "Caretakers (opiekunowie) of contractors (kontrahenci). Authenticate with "
        "`Authorization: Bearer <token>` (POST /auth/token or `opiekun token USERNAME`). "
        "Errors: 401 without a valid token, 403 without a permission, 404 for what does "
        "not exist or is not visible, 422 with per-field messages for invalid input."
    ),
)


def _field_errors(error: ValidationError, source: str = "body") -> list[dict[str, Any]]:
    """A service's ``{field: [messages]}`` as the 422 body's items, under ``source``
    (``body``; ``query`` for a GET, whose fields are its query parameters)."""
    items: list[dict[str, Any]] = []
    for field, errors in error.error_dict.items():
        loc = [source] if field == NON_FIELD_ERRORS else [source, field]
        for each in errors:
            for message in each:
                item: dict[str, Any] = {"loc": loc, "msg": str(message), "type": "value_error"}
                if each.code == COLLISION and each.params:  # the other assignment, by id
                    item["ctx"] = {"assignment_id": each.params["assignment_id"]}
                items.append(item)
    return items


def _request_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """django-ninja's items with ``loc`` as ``[source, field, …]``: the name of the
    view's body argument (always ``payload``) is an implementation detail, and so is
    ninja's split of a multipart body into ``form`` and ``file`` sources: every field
    sent in the body is ``["body", name]``, as the import's own file errors are."""
    items = []
    for item in errors:
        loc = list(item.get("loc", ()))
        if loc[:2] == ["body", "payload"]:
            loc = ["body", *loc[2:]]
        elif loc[:1] in (["form"], ["file"]):
            loc = ["body", *loc[1:]]
        message = str(item.get("msg", ""))
        kind = str(item.get("type"))
        if kind == "value_error":  # our own validators' message, without pydantic's prefix
            message = message.removeprefix("Value error, ")
        else:  # pydantic's own, in the caller's language
            message = localized(kind, message, item.get("ctx"))
        items.append({"loc": loc, "msg": message, "type": kind})
    return items


def detail(request: HttpRequest, message: str, status: int) -> HttpResponse:
    response = api.create_response(request, {"detail": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(RequestValidationError)
def _invalid_request(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    # An id in the path that is not a valid id names nothing: 404, like an unknown one.
    if any(list(e.get("loc", ()))[:1] == ["path"] for e in exc.errors):
        return detail(request, "Not found.", 404)
    return api.create_response(request, {"detail": _request_errors(exc.errors)}, status=422)


@api.exception_handler(ValidationError)
def _invalid_data(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    source = "query" if request.method in ("GET", "HEAD") else "body"
    return api.create_response(request, {"detail": _field_errors(exc, source)}, status=422)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return detail(request, str(exc) or "Forbidden.", 403)


@api.exception_handler(ObjectDoesNotExist)
def _missing(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return detail(request, "Not found.", 404)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return detail(request, "Not found.", 404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return detail(request, "A valid bearer token is required.", 401)
    if exc.status_code == 400 and isinstance(exc.__cause__, BodyErrors):  # a repeated key, a long number
        return _body_errors(request, exc.__cause__)
    if exc.status_code == 400:  # the body is not JSON: as invalid as a wrong field
        return _not_json(request, str(exc))
    return detail(request, str(exc), exc.status_code)


@api.exception_handler(RawPostDataException)
def _form_for_json(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    """A form (multipart) sent where a JSON body is expected: the request limits read
    it as a form before the view, so its raw bytes are gone — it is not JSON either,
    and answers as any body that is not JSON does."""
    return _not_json(request, "Cannot parse request body")


def _not_json(request: HttpRequest, message: str) -> HttpResponse:
    items = [{"loc": ["body"], "msg": localized("json_invalid", message, None), "type": "json_invalid"}]
    return api.create_response(request, {"detail": items}, status=422)


# pydantic's words for a number of too many digits in a query string, and ours for a key
# sent twice (the API's own check: translated, ``value_error``).
TOO_LONG_MESSAGE = "Unable to parse input string as an integer, exceeded maximum size"


def _body_errors(request: HttpRequest, exc: BodyErrors) -> HttpResponse:
    """The JSON reader's findings (`opiekun.api_parser`), each on its field."""
    items = []
    for loc, kind in exc.problems:
        if kind == REPEATED:
            message, kind = _("This field is sent more than once in one object; send it once."), "value_error"
        else:
            message = localized(kind, TOO_LONG_MESSAGE, None)
        items.append({"loc": loc, "msg": message, "type": kind})
    return api.create_response(request, {"detail": items}, status=422)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The last resort: log the bug, answer JSON without a traceback — except when the
    database only stayed locked by another writer: 503 with Retry-After."""
    if is_database_busy(exc):
        logger.warning("Database busy in %s %s: %s", request.method, request.path, exc)
        return database_busy_response(request)
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    return detail(request, "Internal error; it has been logged.", 500)


api.add_router("", operators)
api.add_router("", contractors)
api.add_router("", caretaker_import)  # before /caretakers/{id}, which would take "import"
api.add_router("", caretakers)
api.add_router("", absences)
api.add_router("", handovers)
api.add_router("", coverage)
api.add_router("", notices)
