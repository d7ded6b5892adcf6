"""`opiekun caretaker`: caretaker assignments from the command line, as
`/api/v1/caretakers` and the *Opiekun kontrahenta* tab keep them.

    opiekun caretaker list [--contractor CODE] [--operator LOGIN] [--on DAY] [--from DAY] [--to DAY]
        [--type main|deputy] [--role NAME] [--branch CODE|NAME]
    opiekun caretaker add --operator LOGIN --from DAY [--to DAY] [--type main|deputy] [--role NAME]
        [--branch CODE|NAME] [--priority N] [--contractors CODE,…] [--contractor CODE]…
        [--contractors-file FILE] [--on-overlap keep|warn|replace] [--dry-run]
    opiekun caretaker change ID [--operator LOGIN] [--type main|deputy] [--role NAME]
        [--branch CODE|NAME | --no-branch] [--from DAY] [--to DAY | --open] [--priority N]
    opiekun caretaker end ID --on DAY
    opiekun caretaker delete ID
    (each with [--user USERNAME] [--language pl|en])

``add`` is Dodaj opiekuna for the contractors named by code (``--contractors`` splits on
commas, ``--contractor`` takes one code whole, ``--contractors-file`` one a line; the
role is the default one unless ``--role``). It prints the outcome of every contractor
and applies them all or none. Under ``--on-overlap warn`` (the default) a selection with
conflicts is not applied: the command prints what ``replace`` would do, and nobody
confirmed it; run again with ``replace`` (the new caretaker wins over the conflicting
days) or ``keep`` (those contractors are skipped). ``--dry-run`` prints the outcomes
under the policy chosen and writes nothing. ``change`` sets only the options given;
``end`` sets the last day; ``delete`` removes the assignment.

Every write goes through the same services as the API (`caretakers.services`): the same
checks, the same rights (without ``--user`` the server administrator's, and the audit
trail names no user) and the same audit reasons. Exit codes as the other commands': 0
done (or a dry run); 1 refused by the data (conflicts under ``warn``, a change that
would collide with another assignment), nothing written; 2 bad usage (an unknown login,
code, name or assignment, a day that is not a date, a last day before the first or
another option the service refuses, named by the option, a user without the right).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from opiekun.caretakers.models import CaretakerAssignment
from opiekun.caretakers.rules import AssignmentType
from opiekun.caretakers.services import (
    ResultWindow,
    assignment_delete,
    assignment_end,
    assignment_update,
    caretaker_add,
)
from opiekun.contractors.models import Contractor
from opiekun.management.caretaker_cli import (
    OPTIONS,
    add_caretaker_arguments,
    print_add,
    print_list,
    scope_given,
)
from opiekun.management.handover_cli import contractor_codes, contractor_options
from opiekun.management.import_cli import EXIT_USAGE, LocalizedCommand, actor_for, option_day
from opiekun.management.names_cli import ids_by, operator_ids, refusals

# The results printed one by one; the rest are counted.
SHOWN = 50


class Command(LocalizedCommand):
    help = "List, add, change, end or delete caretaker assignments."

    def add_arguments(self, parser: CommandParser) -> None:
        add_caretaker_arguments(parser)

    def act(self, options: dict[str, Any]) -> None:
        actor = actor_for(options["user"])
        action = options["action"]
        gone = _("No assignment #%(id)s.") % {"id": options.get("assignment_id")}
        # A field's error is in the options given; one of the whole change (a collision
        # with another assignment) is the data's.
        with refusals(CaretakerAssignment.DoesNotExist, gone, OPTIONS, fields=EXIT_USAGE):
            if action == "list":
                print_list(self.stdout, actor, options)
            elif action == "add":
                self._add(actor, options)
            elif action == "change":
                number = options["assignment_id"]
                row = assignment_update(actor=actor, assignment_id=number, **_changed(options))
                self.stdout.write(_("Assignment #%(id)s saved.") % {"id": row.pk})
            elif action == "end":
                day = option_day("--on", options["day"])
                row = assignment_end(actor=actor, assignment_id=options["assignment_id"], date_to=day)
                self.stdout.write(_("Assignment #%(id)s saved.") % {"id": row.pk})
            else:
                assignment_delete(actor=actor, assignment_id=options["assignment_id"])
                self.stdout.write(_("Assignment #%(id)s deleted.") % {"id": options["assignment_id"]})

    def _add(self, actor: Any, options: dict[str, Any]) -> None:
        codes = contractor_codes(options)
        if not codes:
            raise CommandError(
                _("Name the contractors: --contractors, --contractor or --contractors-file."),
                returncode=EXIT_USAGE,
            )
        arguments = {
            "contractor_ids": ids_by(Contractor, "code", codes, contractor_options(options)),
            "operator_id": operator_ids([options["operator"]], "--operator")[0],
            "date_from": option_day("--from", options["date_from"]),
            "date_to": option_day("--to", options["date_to"]),
            "on_overlap": options["on_overlap"],
            "type": options["type"],
            "priority": options["priority"] if options["priority"] is not None else 0,
            **scope_given(options),
        }
        result = caretaker_add(
            actor=actor, window=ResultWindow(limit=SHOWN), preview_only=options["dry_run"], **arguments
        )
        print_add(self.stdout, result)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        elif not result.applied:  # warn, with conflicts: nobody confirmed them
            raise CommandError(
                _(
                    "%(n)s contractors have conflicts (listed above); with --on-overlap warn "
                    "nothing is applied. Run again with --on-overlap replace (the new caretaker "
                    "wins) or keep (skip them)."
                )
                % {"n": result.conflicted}
            )


def _changed(options: dict[str, Any]) -> dict[str, Any]:
    """The options ``change`` was given, as `assignment_update`'s arguments."""
    changed: dict[str, Any] = {}
    if options["operator"] is not None:
        changed["operator_id"] = operator_ids([options["operator"]], "--operator")[0]
    if options["type"] is not None:
        changed["type"] = AssignmentType(options["type"])
    for name in ("date_from", "date_to"):
        if options[name] is not None:
            changed[name] = option_day(OPTIONS[name], options[name])
    if options["open"]:
        changed["date_to"] = None
    if options["priority"] is not None:
        changed["priority"] = options["priority"]
    changed.update(scope_given(options))
    if options["no_branch"]:
        changed["branch_id"] = None
    return changed
