"""The frame of the web UI: login, logout, the home page.

The language is switched by Django's own ``set_language`` (routed at ``/i18n/``);
LocaleMiddleware then keeps it in a cookie.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, saying so when django-axes refused the attempt because this
    username has failed too often from this address (`operators/throttle.py`)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed attempts. Try again in a quarter of an hour."),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(self.error_messages["throttled"], code="throttled") from None
            raise


class LoginView(auth_views.LoginView):
    """Django's login. It already refuses a ``next`` that is not a local URL
    (``url_has_allowed_host_and_scheme``), so there is no open redirect."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm


class LogoutView(auth_views.LogoutView):
    """Log out by POST only (a GET cannot end a session: no CSRF-able logout)."""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("contractors:list")
