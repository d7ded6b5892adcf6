"""`opiekun handover`'s contractors: the codes of ``--contractors`` (plain codes split on
commas), ``--contractor`` (one code whole, repeatable) and ``--contractors-file`` (one
code a line), so that any code can be named, a comma in it too."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from opiekun.management.import_cli import EXIT_USAGE


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def contractor_codes(options: dict[str, Any]) -> list[str] | None:
    """The codes of ``--contractors`` (split on commas), ``--contractor`` and
    ``--contractors-file`` (each taken whole), in that order; None when none was given
    (every contractor of the source). Blank lines of the file are left out."""
    given = [options.get("contractors"), options.get("contractor"), options.get("contractors_file")]
    if all(value is None for value in given):
        return None
    codes = [code for text in options.get("contractors") or [] for code in _names(text) or []]
    codes += [code.strip() for code in options.get("contractor") or [] if code.strip()]
    if options.get("contractors_file") is not None:
        codes += _codes_in(options["contractors_file"])
    if not codes:
        raise CommandError(
            _("%(option)s: no contractor code given") % {"option": contractor_options(options)},
            returncode=EXIT_USAGE,
        )
    return codes


def _codes_in(name: str) -> list[str]:
    try:
        if name == "-":
            text = sys.stdin.read()
        else:
            with open(name, encoding="utf-8-sig") as stream:  # a BOM, as Excel writes one, is not a code
                text = stream.read()
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise CommandError(
            _("--contractors-file: cannot read %(file)s: %(error)s") % {"file": name, "error": reason},
            returncode=EXIT_USAGE,
        ) from None
    # Lines end at \n (\r\n too); no other character ends a code.
    return [line.strip() for line in text.split("\n") if line.strip()]


def contractor_options(options: dict[str, Any]) -> str:
    """The options that named contractors, as an error names them."""
    names = {
        "contractors": "--contractors",
        "contractor": "--contractor",
        "contractors_file": "--contractors-file",
    }
    return (
        "/".join(option for key, option in names.items() if options.get(key) is not None) or "--contractors"
    )
