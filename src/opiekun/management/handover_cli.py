"""`opiekun handover`'s choice of what to hand over: the codes of ``--contractors`` (plain
codes split on commas), ``--contractor`` (one code whole, repeatable) and
``--contractors-file`` (one code a line), so that any code can be named, a comma in it
too; roles and branches by ``--roles``/``--branches`` (split on commas) and
``--role``/``--branch`` (one name whole, repeatable)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from opiekun.management.import_cli import EXIT_USAGE


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def add_which_arguments(parser: CommandParser) -> None:
    """The options that choose the roles, branches and contractors handed over."""
    parser.add_argument(
        "--roles", action="append", help="role names, comma-separated, any case (default: every role)"
    )
    parser.add_argument(
        "--role", action="append", metavar="NAME", help="one role name taken whole, any case; may be repeated"
    )
    parser.add_argument(
        "--branches",
        action="append",
        help="branch codes or names, comma-separated, any case (default: every branch and none)",
    )
    parser.add_argument(
        "--branch",
        action="append",
        metavar="CODE|NAME",
        help="one branch code or name taken whole, any case; may be repeated",
    )
    parser.add_argument(
        "--contractors",
        action="append",
        help="contractor codes, comma-separated; may be repeated (default: all of the source's)",
    )
    parser.add_argument(
        "--contractor",
        action="append",
        metavar="CODE",
        help="one contractor code taken whole, a comma in it too; may be repeated",
    )
    parser.add_argument(
        "--contractors-file",
        metavar="FILE",
        help="a file of contractor codes, one a line, taken whole (-: standard input)",
    )


def named(options: dict[str, Any], plural: str, single: str) -> tuple[list[str] | None, str]:
    """The names of ``--<plural>`` (split on commas) and ``--<single>`` (each whole), and
    the options as a message names them; None when neither was given (every one)."""
    given = [f"--{key}" for key in (plural, single) if options.get(key) is not None]
    if not given:
        return None, f"--{plural}"
    names = [name for text in options.get(plural) or [] for name in _names(text) or []]
    names += [name.strip() for name in options.get(single) or [] if name.strip()]
    return names, "/".join(given)


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
