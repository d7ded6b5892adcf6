"""What one request may carry, and a clear answer when it carries more.

- ``MAX_SELECTION``: the most contractors one bulk action takes (ids ticked, ids in
  ``POST /api/v1/caretakers/add``, or every contractor a list's filter finds). More is
  a field error (UI) or 422 (API) naming the limit.
- ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (settings): the largest request body. The largest
  selection fits: 100,000 ids of up to 19 digits as JSON (``, `` between them) or as
  a form (``ids=…&``) stay under 2.5 MB; the limit is 4 MiB.
- ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` (settings): the most fields in a form; the largest
  selection as ``ids=…`` fields plus the dialog's own.

A body over the limit, or a form with more fields, is answered here, before any view
or CSRF check reads it: 413 with a JSON ``{"detail": …}`` under ``/api/``, a message
in the dialog for htmx requests, a page otherwise. Django itself would raise while
reading the body: a bare "Bad Request (400)" in the UI, a 500 in the API.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from opiekun.api_messages import localized

MAX_SELECTION = 100_000

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def too_large_message(*, fields: bool) -> str:
    """Why the request was refused, with the limit, in the user's language."""
    if fields:
        return _(
            "The request has too many fields (at most %(limit)s). Select at most "
            "%(selection)s contractors at once, or use “Select all … matching the filter”."
        ) % {
            "limit": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, force_grouping=True),
            "selection": number_format(MAX_SELECTION, force_grouping=True),
        }
    return _(
        "The request is too large (at most %(limit)s MB). Select at most %(selection)s "
        "contractors at once, or use “Select all … matching the filter”."
    ) % {
        "limit": number_format(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024, decimal_pos=0),
        "selection": number_format(MAX_SELECTION, force_grouping=True),
    }


class RequestLimitsMiddleware:
    """Answer a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` or a form with more than
    ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields with 413 and a message, never a 400 or a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.content_type == "multipart/form-data":
            # Uploaded files do not count towards DATA_UPLOAD_MAX_MEMORY_SIZE (Django streams
            # them to disk): a file up to twice the import limit reaches the import, which
            # refuses one over its limit with its own message (docs/import.md).
            limit += 2 * getattr(settings, "IMPORT_MAX_BYTES", 0)
        try:
            if limit is not None and _content_length(request) > limit:
                raise RequestDataTooBig
            if request.method == "POST" and request.content_type in FORM_TYPES:
                request.POST  # noqa: B018 -- parse now: counts the fields
        except RequestDataTooBig:
            return self.refuse(request, too_large_message(fields=False))
        except TooManyFieldsSent:
            return self.refuse(request, too_large_message(fields=True))
        except MultiPartParserError:
            if not request.path.startswith("/api/"):
                raise  # Django's own 400 page
            # A form that is not one (no boundary, a broken part): as any body that
            # cannot be read, 422 (docs/api.md, "Status codes"), not a bare 400.
            message = localized("json_invalid", "Cannot parse request body", None)
            item = {"loc": ["body"], "msg": message, "type": "value_error"}
            return JsonResponse({"detail": [item]}, status=422)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, message: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        dialog = bool(request.headers.get("HX-Request"))
        if dialog:
            context = {"message": message, "title": _("Request too large"), "testid": "too-large"}
            return render(request, "opiekun/notice_dialog.html", context, status=413)
        return render(request, "opiekun/too_large.html", {"message": message}, status=413)
