"""404, 403 and 500 of the web UI. A page gets the app's frame (``404.html``, ``403.html``,
``500.html``);
a request of htmx gets a dialog saying so, put in the page's ``#modal`` whatever the
request aimed at: htmx would otherwise show nothing at all (a click on *Zapisz* in a
dialog whose assignment someone deleted meanwhile did nothing)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)


def _dialog(request: HttpRequest, status: int, message: str) -> HttpResponse:
    context = {"message": message, "title": _("Not possible"), "testid": "dialog-refused"}
    response = render(request, "opiekun/notice_dialog.html", context, status=status)
    response["HX-Retarget"] = "#modal"
    response["HX-Reswap"] = "innerHTML"
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        message = _(
            "What this dialog shows no longer exists, or is not visible to you. Close it and reload the page."
        )
        return _dialog(request, 404, message)
    return defaults.page_not_found(request, exception)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        return _dialog(request, 403, _("You do not have the permission for this."))
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """A fault of the server's (logged by Django before this runs): the app's frame or
    a dialog saying so, in the user's language, never a traceback. The frame reads the
    database (the user, the menu's counts), which may be what failed: then a plain page."""
    message = _("Something went wrong on the server; the error has been logged. Try again in a moment.")
    try:
        if request.headers.get("HX-Request") == "true":
            return _dialog(request, 500, message)
        return render(request, "500.html", {"message": message}, status=500)
    except Exception:  # the frame itself failed
        logger.exception("The error page could not be drawn")
        title = _("Server error")
        return HttpResponseServerError(
            f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{message}</p>",
            content_type="text/html; charset=utf-8",
        )
