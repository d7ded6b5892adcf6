"""pydantic's own validation messages in the caller's language (docs/api.md, "Language").

The API's own checks (dates, NUL characters, ``true`` for an id) are translated where
they are raised; what pydantic says itself (a field left out, a number out of range, a
value not among the allowed ones, a list too long, a body that is not JSON) was English
whatever ``Accept-Language`` asked for. In English pydantic's words are kept exactly, so
an integrator who matches on them sees no change; another language gets the message
below, built from the error's ``ctx``; an error type not listed keeps pydantic's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from opiekun.messages import FIELD_REQUIRED

Context = Mapping[str, Any]

_QUOTED = re.compile(r"'([^']*)'")


def _allowed(ctx: Context) -> str:
    values = _QUOTED.findall(str(ctx.get("expected", "")))
    return _("Allowed values: %(values)s.") % {"values": ", ".join(f"'{v}'" for v in values)}


def _whole(ctx: Context) -> str:
    return _("Enter a whole number.")


def _too_many_digits(ctx: Context) -> str:
    n = 4300  # pydantic's limit, and Python's (sys.get_int_max_str_digits)
    return ngettext(
        "Enter a number of at most %(n)s digit.", "Enter a number of at most %(n)s digits.", n
    ) % {"n": n}


def _boolean(ctx: Context) -> str:
    return _("Enter true or false.")


def _object(ctx: Context) -> str:
    return _("Send a JSON object.")


def _at_least(ctx: Context) -> str:
    return _("Enter a value greater than or equal to %(limit)s.") % {"limit": ctx["ge"]}


def _above(ctx: Context) -> str:
    return _("Enter a value greater than %(limit)s.") % {"limit": ctx["gt"]}


def _at_most(ctx: Context) -> str:
    return _("Enter a value less than or equal to %(limit)s.") % {"limit": ctx["le"]}


def _below(ctx: Context) -> str:
    return _("Enter a value less than %(limit)s.") % {"limit": ctx["lt"]}


def _long_text(ctx: Context) -> str:
    n = ctx["max_length"]
    return ngettext("Enter at most %(n)s character.", "Enter at most %(n)s characters.", n) % {"n": n}


def _short_text(ctx: Context) -> str:
    n = ctx["min_length"]
    if n == 1:  # an empty text where one is required: what the web forms say
        return str(FIELD_REQUIRED)
    return ngettext("Enter at least %(n)s character.", "Enter at least %(n)s characters.", n) % {"n": n}


def _short_list(ctx: Context) -> str:
    n = ctx["min_length"]
    message = ngettext(
        "Send at least %(n)s item (sent: %(sent)s).", "Send at least %(n)s items (sent: %(sent)s).", n
    )
    return message % {"n": n, "sent": ctx["actual_length"]}


def _long_list(ctx: Context) -> str:
    n = ctx["max_length"]
    message = ngettext(
        "Send at most %(n)s item (sent: %(sent)s).", "Send at most %(n)s items (sent: %(sent)s).", n
    )
    return message % {"n": n, "sent": ctx["actual_length"]}


MESSAGES: dict[str, Callable[[Context], str]] = {
    "missing": lambda ctx: str(FIELD_REQUIRED),
    "int_parsing": _whole,
    "int_type": _whole,
    "int_from_float": _whole,
    "int_parsing_size": _too_many_digits,
    "bool_parsing": _boolean,
    "bool_type": _boolean,
    "greater_than_equal": _at_least,
    "greater_than": _above,
    "less_than_equal": _at_most,
    "less_than": _below,
    "enum": _allowed,
    "literal_error": _allowed,
    "string_type": lambda ctx: _("Enter text."),
    "string_too_long": _long_text,
    "string_too_short": _short_text,
    "list_type": lambda ctx: _("Send a list."),
    "too_short": _short_list,
    "too_long": _long_list,
    "extra_forbidden": lambda ctx: _("Unknown field."),
    "json_invalid": lambda ctx: _("The request's body is not valid JSON."),
    "model_attributes_type": _object,
    "model_type": _object,
    "dict_type": _object,
}


def localized(kind: str, message: str, ctx: Context | None) -> str:
    """pydantic's ``message`` of an error of type ``kind``, in the active language."""
    if (get_language() or "en").startswith("en"):
        return message
    build = MESSAGES.get(kind)
    if build is None:
        return message
    try:
        return build(ctx or {})
    except (KeyError, TypeError, ValueError):  # a context of another shape: pydantic's words
        return message
