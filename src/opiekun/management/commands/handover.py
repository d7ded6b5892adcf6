"""`opiekun handover`: Przekazanie klientów from the command line.

    opiekun handover --from anna --to bob,cecylia --on 2030-03-01 [--types main,deputy]
        [--roles NAME,…] [--role NAME]… [--branches CODE|NAME,…] [--branch CODE|NAME]…
        [--contractors CODE,…] [--contractor CODE]… [--contractors-file FILE]
        [--on-overlap keep|warn|replace] [--dry-run] [--user USERNAME]

Contractors are named by code: ``--contractors`` takes plain codes separated by commas;
``--contractor`` one code whole, as written (a comma in it too), and may be repeated;
``--contractors-file`` a file of codes, one a line (``-``: standard input). They may be
combined; a code named twice counts once. Roles and branches alike: ``--roles`` and
``--branches`` split on commas, ``--role`` and ``--branch`` take one name whole.

Prints the preview as a table, then applies it (the preview and its confirmation in
one go) unless ``--dry-run``. With ``--on-overlap warn`` (the default) a preview that
has conflicts is not applied: nobody confirmed them; choose ``replace`` or ``keep``.
Without ``--user`` the command acts with the server administrator's rights and the
audit trail names no user. Messages in ``--language`` (default: OPIEKUN_LANGUAGE, else
Polish), as the import commands.

Exit codes as the import commands': 0 applied (or a dry run); 1 not applied (nothing
to hand over, conflicts under ``warn``, the caretakers changed meanwhile); 2 bad usage
(an unknown option or name, a bad date or type, the source among the recipients, an
inactive recipient, a user without the permission). Messages name the option given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from opiekun.caretakers.handover_labels import outcome_labels, plan_texts
from opiekun.caretakers.handover_rules import ContractorPlan
from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.caretakers.rules import OverlapPolicy
from opiekun.caretakers.services import HandoverPreview, StaleHandover, handover_create
from opiekun.contractors.models import Contractor
from opiekun.management.handover_cli import add_which_arguments, contractor_codes, contractor_options, named
from opiekun.management.import_cli import EXIT_ERRORS, EXIT_USAGE, LocalizedCommand, actor_for
from opiekun.management.names_cli import ids_by, named_ids, operator_ids, option_messages
from opiekun.operators.models import Operator

# The service's fields (as the API names them) by the option that gave them.
OPTIONS = {
    "from_operator_id": "--from",
    "to_operator_ids": "--to",
    "date": "--on",
    "types": "--types",
    "role_ids": "--roles",
    "branch_ids": "--branches",
    "contractor_ids": "--contractors",
    "on_overlap": "--on-overlap",
}


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Plain text columns, each as wide as its widest cell."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    )


class Command(LocalizedCommand):
    help = "Hand over an operator's contractors to one or more colleagues from a date (preview, then apply)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="source", required=True, help="login of the operator who hands over"
        )
        parser.add_argument(
            "--to", dest="targets", required=True, help="logins of the recipients, comma-separated"
        )
        parser.add_argument(
            "--on", dest="day", required=True, help="the first day of the recipients (YYYY-MM-DD)"
        )
        parser.add_argument("--types", help="main,deputy (default: both)")
        add_which_arguments(parser)  # --roles/--role, --branches/--branch, the contractors
        parser.add_argument(
            "--on-overlap", choices=[p.value for p in OverlapPolicy], default=OverlapPolicy.WARN.value
        )
        parser.add_argument("--dry-run", action="store_true", help="print the preview, write nothing")
        parser.add_argument("--user", help="act as this user (their rights; named in the audit trail)")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=None,
            help="language of the messages (default: OPIEKUN_LANGUAGE, else Polish)",
        )

    def act(self, options: dict[str, Any]) -> None:
        actor = actor_for(options["user"])
        arguments = {
            "from_operator_id": operator_ids([options["source"]], "--from")[0],
            "to_operator_ids": operator_ids(_names(options["targets"]) or [], "--to"),
            "date": options["day"],
            "types": _names(options["types"]),
            "role_ids": named_ids(CaretakerRole, ("name",), *named(options, "roles", "role")),
            "branch_ids": named_ids(Branch, ("code", "name"), *named(options, "branches", "branch")),
            "contractor_ids": ids_by(
                Contractor, "code", contractor_codes(options), contractor_options(options)
            ),
            "on_overlap": options["on_overlap"],
        }
        try:
            preview = handover_create(actor=actor, **arguments)
            self._print(preview.preview)
            if options["dry_run"]:
                self.stdout.write(_("Dry run: nothing was written."))
                return
            conflicted = preview.preview.conflicted
            if options["on_overlap"] == OverlapPolicy.WARN and conflicted:
                raise CommandError(
                    _(
                        "%(n)s contractors have conflicts (listed above); with --on-overlap warn "
                        "nothing is applied. Run again with --on-overlap replace (the handed roles "
                        "win) or keep (skip them)."
                    )
                    % {"n": conflicted}
                )
            done = handover_create(actor=actor, confirm_token=preview.confirm_token, **arguments)
        except ValidationError as error:
            # A field's error is in the arguments given; one of the whole request
            # (nothing to hand over) is the handover's own.
            usage = not hasattr(error, "error_dict") or set(error.message_dict) - {NON_FIELD_ERRORS}
            raise CommandError(
                option_messages(error, OPTIONS), returncode=EXIT_USAGE if usage else EXIT_ERRORS
            ) from None
        except PermissionDenied as error:
            raise CommandError(str(error) or _("Permission denied."), returncode=EXIT_USAGE) from None
        except StaleHandover:
            raise CommandError(
                _("The caretakers changed while applying; nothing was written. Run again.")
            ) from None
        assert done.handover is not None
        self.stdout.write(
            _("Handover #%(id)s: %(contractors)s contractors, %(assignments)s assignments handed over.")
            % {
                "id": done.handover.pk,
                "contractors": done.handover.contractors,
                "assignments": done.handover.assignments,
            }
        )

    def _print(self, preview: HandoverPreview) -> None:
        logins = dict(Operator.objects.values_list("pk", "user__username"))
        codes = dict(
            Contractor.objects.filter(pk__in=[r.contractor_id for r in preview.results]).values_list(
                "pk", "code"
            )
        )
        self.stdout.write(
            _("%(contractors)s contractors, %(assignments)s assignments to hand over; %(skipped)s skipped.")
            % {
                "contractors": preview.contractors,
                "assignments": preview.assignments,
                "skipped": preview.skipped,
            }
            + "\n"
        )
        self.stdout.write(
            table(
                [_("recipient"), _("contractors"), _("assignments")],
                [
                    (logins.get(t.operator_id, t.operator_id), t.contractors, t.assignments)
                    for t in preview.targets
                ],
            )
            + "\n"
        )
        if preview.results:
            rows = [self._row(r, codes, logins) for r in preview.results]
            self.stdout.write(
                table([_("contractor"), _("recipient"), _("outcome"), _("changes"), _("conflicts")], rows)
            )
        if preview.results_total > len(preview.results):
            self.stdout.write(
                _("… %(n)s more contractors not listed.")
                % {"n": preview.results_total - len(preview.results)}
            )

    @staticmethod
    def _row(plan: ContractorPlan, codes: dict[int, str], logins: dict[int, str]) -> list[object]:
        changes, conflicts = plan_texts(plan, logins)
        return [
            codes.get(plan.contractor_id, plan.contractor_id),
            logins.get(plan.target_id),
            outcome_labels()[plan.outcome],
            "; ".join(changes),
            "; ".join(conflicts),
        ]
