"""The frame of the web UI: login, logout, the home page.

The language is switched by Django's own ``set_language`` (routed at ``/i18n/``);
LocaleMiddleware then keeps it in a cookie.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


class LoginView(auth_views.LoginView):
    """Django's login. It already refuses a ``next`` that is not a local URL
    (``url_has_allowed_host_and_scheme``), so there is no open redirect."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out by POST only (a GET cannot end a session: no CSRF-able logout)."""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("contractors:list")
