"""Names given on the command line, as the ids the services take: operators by login,
contractors by code, roles and branches by name (or code) in any letter case. An
unknown name is bad usage (exit code 2), named with the option that gave it. And the
services' refusals, named by the options (`option_messages`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from opiekun.management.import_cli import EXIT_ERRORS, EXIT_USAGE
from opiekun.operators.models import Operator


def operator_ids(logins: list[str], option: str) -> list[int]:
    """The operators of ``logins``, in their order."""
    found = dict(Operator.objects.filter(user__username__in=logins).values_list("user__username", "pk"))
    unknown = [login for login in logins if login not in found]
    if unknown:
        raise CommandError(
            _("%(option)s: no operator %(names)s") % {"option": option, "names": ", ".join(unknown)},
            returncode=EXIT_USAGE,
        )
    return [found[login] for login in logins]


def ids_by(model: Any, field: str, names: list[str] | None, option: str) -> list[int] | None:
    """The rows of ``model`` whose ``field`` is each of ``names`` (None: none given)."""
    if names is None:
        return None
    found = dict(model.objects.filter(**{f"{field}__in": names}).values_list(field, "pk"))
    refuse_unknown(option, [name for name in names if name not in found])
    return [found[name] for name in names]


def named_ids(model: Any, fields: tuple[str, ...], names: list[str] | None, option: str) -> list[int] | None:
    """Roles and branches (small tables) by any of ``fields``, in any letter case, as
    the import of assignments finds them (None: none given)."""
    if names is None:
        return None
    found: dict[str, int] = {}
    for pk, *values in model.objects.values_list("pk", *fields):
        for value in values:
            found.setdefault(value.strip().casefold(), pk)
    refuse_unknown(option, [name for name in names if name.strip().casefold() not in found])
    return [found[name.strip().casefold()] for name in names]


def refuse_unknown(option: str, unknown: list[str]) -> None:
    if unknown:
        raise CommandError(
            _("%(option)s: unknown %(names)s") % {"option": option, "names": ", ".join(unknown)},
            returncode=EXIT_USAGE,
        )


def option_messages(error: ValidationError, options: Mapping[str, str]) -> str:
    """A service's refusal as one line, each field's messages under the option that
    gave it (``options``: the option of each of the service's fields)."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(
        " ".join(messages)
        if field == NON_FIELD_ERRORS
        else f"{options.get(field, field)}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )


@contextmanager
def refusals(
    missing: type[Exception], gone: str, options: Mapping[str, str], *, fields: int
) -> Iterator[None]:
    """A service's refusals inside as the command's errors: ``missing`` (what the
    command names is unknown or not visible: ``gone``) and no permission are bad usage;
    a `ValidationError` is worded by `option_messages`, with the exit code ``fields``
    when it names a field (an option given), else 1 (refused by the data)."""
    try:
        yield
    except missing:
        raise CommandError(gone, returncode=EXIT_USAGE) from None
    except PermissionDenied as error:
        raise CommandError(str(error) or _("Permission denied."), returncode=EXIT_USAGE) from None
    except ValidationError as error:
        named = hasattr(error, "error_dict") and bool(set(error.message_dict) - {NON_FIELD_ERRORS})
        code = fields if named else EXIT_ERRORS
        raise CommandError(option_messages(error, options), returncode=code) from None
