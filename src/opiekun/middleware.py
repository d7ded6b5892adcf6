"""Polish first: the web UI speaks Polish until the user picks another language."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class PolishFirstMiddleware:
    """Drop the browser's Accept-Language for the web UI, so that LocaleMiddleware
    falls back to LANGUAGE_CODE (pl) unless the language cookie says otherwise. The
    API keeps honouring Accept-Language: integrators choose their language per call."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
