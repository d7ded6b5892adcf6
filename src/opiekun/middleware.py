"""Request-wide behaviour: the UI's language, JSON for every error under /api/, and
503 instead of 500 when the database stays locked by another writer."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from urllib.parse import urlencode

from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

logger = logging.getLogger(__name__)

# Seconds a client is told to wait before trying a write again that found the
# database locked.
DATABASE_BUSY_RETRY_AFTER = 10

# PostgreSQL: lock_timeout / NOWAIT, deadlock, serialization failure — each a refusal
# to wait for another transaction, none a fault of the request.
_POSTGRES_BUSY = {"55P03", "40P01", "40001"}
_SQLITE_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


class PolishFirstMiddleware:
    """Drop the browser's Accept-Language for the web UI, so that LocaleMiddleware
    falls back to LANGUAGE_CODE (pl) unless the language cookie says otherwise.

    The API honours Accept-Language (integrators choose per call) and answers in
    English without it, the language of its schema and of its validation messages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            request.META["HTTP_ACCEPT_LANGUAGE"] = api_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        else:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def api_language(header: str) -> str:
    """The API's language for an Accept-Language header: the first of the project's
    languages the header accepts (q above 0), else English — also for a header naming
    only other languages (``de``), or ``*``, which fell back to LANGUAGE_CODE (Polish)."""
    for code, quality in parse_accept_lang_header(header):
        if code == "*" or quality <= 0:
            continue
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return "en"


def is_database_busy(error: BaseException) -> bool:
    """Whether a database error only means that another transaction held the lock
    longer than this one would wait (SQLite's busy timeout, PostgreSQL's lock_timeout)."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.OperationalError):
        code = getattr(cause, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in _SQLITE_BUSY
        return "locked" in str(cause)
    return getattr(cause, "sqlstate", None) in _POSTGRES_BUSY


def database_busy_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: nothing was written; the same request may be sent again."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "The database is busy with another change; nothing was written. Try again shortly."},
            status=503,
        )
    else:
        template = "opiekun/busy_modal.html" if request.headers.get("HX-Request") else "opiekun/busy.html"
        response = render(request, template, status=503)
        if request.headers.get("HX-Request"):
            response["HX-Retarget"] = "#modal"
            response["HX-Reswap"] = "innerHTML"
    response["Retry-After"] = str(DATABASE_BUSY_RETRY_AFTER)
    return response


class DatabaseBusyMiddleware:
    """A view whose write could not get the database's lock in time answers 503 with
    Retry-After, not 500: the request was sound, the database was busy (for instance a
    bulk change of 100,000 contractors on SQLite, which takes one writer at a time)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("Database busy in %s %s: %s", request.method, request.path, exception)
        return database_busy_response(request)


def _not_found() -> HttpResponse:
    return HttpResponse(json.dumps({"detail": "Not found."}), status=404, content_type="application/json")


def _drop_empty_query_parameters(request: HttpRequest) -> None:
    """``?operator_id=&days=14`` is ``?days=14``: a query parameter sent empty is not
    given (as an HTML form's empty field, or a client filling a URL template, sends it),
    never a 422 for an empty id, date or choice (docs/api.md, "Conventions")."""
    if all(value != "" for _, values in request.GET.lists() for value in values):
        return
    kept = [(name, value) for name, values in request.GET.lists() for value in values if value != ""]
    request.GET = QueryDict(urlencode(kept), encoding=request.GET.encoding)


class ApiJsonErrorsMiddleware:
    """Every answer under /api/ is JSON: Django's own 404 page for an unknown path, the
    bare 405 of a known path with a wrong method and any other error page that does not
    come from the API's handlers become ``{"detail": "…"}`` with the same status and
    headers (``Allow`` included)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            _drop_empty_query_parameters(request)
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404:  # answered here: the HTML 404 page is never rendered for the API
                return HttpResponse(
                    json.dumps({"detail": "Not found."}), status=404, content_type="application/json"
                )
        response = self.get_response(request)
        return self._as_json(request, response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A view under /api/ that raises Http404 answers JSON at once (no HTML page)."""
        if request.path.startswith("/api/") and isinstance(exception, Http404):
            return HttpResponse(
                json.dumps({"detail": "Not found."}), status=404, content_type="application/json"
            )
        return None

    def _as_json(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (
            response.status_code < 400
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        messages = {404: "Not found.", 405: "Method not allowed."}
        detail = messages.get(response.status_code, response.reason_phrase)
        replacement = HttpResponse(
            json.dumps({"detail": detail}), status=response.status_code, content_type="application/json"
        )
        for header, value in response.items():
            if header.lower() not in {"content-type", "content-length"}:
                replacement[header] = value
        replacement.cookies = response.cookies
        return replacement
