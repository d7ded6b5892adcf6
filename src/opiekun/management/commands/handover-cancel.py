"""`opiekun handover-cancel ID`: cancel a handover (Przekazanie klientów) from the command
line, as `POST /api/v1/handovers/{id}/cancel` and the handover's page do.

    opiekun handover-cancel 12 [--user USERNAME] [--language pl|en]

Puts back every row the handover wrote (docs/semantics.md, "Handover", Cancel), in one
transaction, audited with the reason ``handover_cancel:<id>``. Without ``--user`` the
command acts with the server administrator's rights and the audit trail names no user.

Exit codes as `opiekun handover`'s: 0 cancelled; 1 refused (already cancelled, or rows
it wrote changed since: their ids are named), nothing written; 2 bad usage (no such
handover, or one the user may not see; a user without the permission to assign).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from opiekun.caretakers.models import Handover
from opiekun.caretakers.services import CancelRefused, handover_cancel
from opiekun.management.import_cli import (
    EXIT_USAGE,
    LocalizedCommand,
    actor_for,
    add_language_argument,
)


class Command(LocalizedCommand):
    help = "Cancel a handover: put back every row it wrote, unless one changed since."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("handover_id", help="the handover's number (id)")
        parser.add_argument("--user", help="act as this user (their rights; named in the audit trail)")
        add_language_argument(parser)

    def act(self, options: dict[str, Any]) -> None:
        actor = actor_for(options["user"])
        number = options["handover_id"]
        try:
            handover = handover_cancel(actor=actor, handover_id=number)
        except Handover.DoesNotExist:
            raise CommandError(_("No handover #%(id)s.") % {"id": number}, returncode=EXIT_USAGE) from None
        except PermissionDenied as error:
            raise CommandError(str(error) or _("Permission denied."), returncode=EXIT_USAGE) from None
        except CancelRefused as error:
            message = str(error)
            if error.changed:
                message += " " + _("Assignments in the way: %(ids)s.") % {
                    "ids": ", ".join(str(pk) for pk in error.changed)
                }
            raise CommandError(message) from None
        self.stdout.write(_("Handover #%(id)s cancelled.") % {"id": handover.pk})
