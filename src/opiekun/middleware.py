"""Languages: the web UI is Polish first; the API is English unless asked otherwise."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class PolishFirstMiddleware:
    """Drop the browser's Accept-Language for the web UI, so that LocaleMiddleware
    falls back to LANGUAGE_CODE (pl) unless the language cookie says otherwise.

    The API honours Accept-Language (integrators choose per call) and answers in
    English without it, the language of its schema and of its validation messages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            request.META.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        else:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
