"""Dialogs opened without htmx: a dialog's address typed, bookmarked or reloaded.

htmx asks for a dialog and puts it in the page's ``#modal``; the same address asked
for by the browser itself gets the whole page (top bar, styles, scripts) with the
dialog open in it, and closing it goes back where the user came from (the home page
when that is not this site). Every dialog template extends ``opiekun/modal.html``,
which chooses its frame by ``dialog_frame`` (set here, for every request)."""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

FRAGMENT = "opiekun/modal_fragment.html"
PAGE = "opiekun/modal_page.html"


def dialog_frame(request: HttpRequest) -> dict[str, object]:
    """Template context: the frame of a dialog, and (for a whole page) where closing
    goes, worked out only if a dialog's page asks for it (templates call a callable)."""
    # The header itself, as django-htmx reads it: a middleware that answers before
    # django-htmx's has run (opiekun/limits.py) renders dialogs too.
    if request.headers.get("HX-Request") == "true":
        return {"dialog_frame": FRAGMENT}
    return {"dialog_frame": PAGE, "dialog_return": partial(_back, request)}


def _back(request: HttpRequest) -> str:
    """The page the user came from, when it is this site's and not this dialog; else home."""
    back = request.headers.get("referer", "")
    if (
        back
        and back != request.build_absolute_uri()
        and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return back
    return reverse("home")
