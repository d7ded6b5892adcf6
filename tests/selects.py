"""The operator selects drawn by `opiekun.widgets.LongSelect` draw the page Django's
`Select` drew: render a page with the form's fields as they are, then with each named
field's widget swapped back to Django's `Select`, and compare the two pages."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django import forms

from opiekun.widgets import LongSelect

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*(")')


def normalized(html: str) -> str:
    """The page without its blank lines and its per-request CSRF tokens (the form's
    field, htmx's header)."""
    return "\n".join(line for line in _CSRF.sub(r"\1…\2", html).splitlines() if line.strip())


@contextmanager
def django_selects(form: type[forms.Form], *names: str) -> Iterator[None]:
    """``form``'s fields ``names`` drawn by Django's `Select` meanwhile (as before
    `LongSelect`), each field otherwise the same."""
    saved = {name: form.base_fields[name] for name in names}
    try:
        for name, field in saved.items():
            assert isinstance(field.widget, LongSelect), name
            swapped = copy.deepcopy(field)
            swapped.widget = forms.Select(attrs=dict(field.widget.attrs))
            swapped.widget.is_required = field.required
            form.base_fields[name] = swapped
        yield
    finally:
        form.base_fields.update(saved)


def same_page(fetch: Callable[[], Any], form: type[forms.Form], *names: str) -> str:
    """The page ``fetch`` answers, after checking it is the one Django's `Select` drew
    (same status, same HTML); returns it, for the caller's own checks."""
    ours = fetch()
    with django_selects(form, *names):
        django_s = fetch()
    assert ours.status_code == django_s.status_code
    page = normalized(ours.content.decode())
    assert page == normalized(django_s.content.decode())
    return page
