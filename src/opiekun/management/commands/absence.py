"""`opiekun absence`: operators' absences (Nieobecności) from the command line, as
`/api/v1/absences` and the *Nieobecności* screen keep them.

    opiekun absence list [--operator LOGIN] [--from DAY] [--to DAY]
    opiekun absence add --operator LOGIN --from DAY --to DAY [--kind KIND] [--note TEXT]
    opiekun absence change ID [--operator LOGIN] [--from DAY] [--to DAY] [--kind KIND] [--note TEXT]
    opiekun absence delete ID
    (each with [--user USERNAME] [--language pl|en])

KIND is ``vacation`` (the default), ``sick_leave``, ``business_trip`` or ``other``. Every
write goes through the same service as the API (`operators/absences.py`): the same
checks (both days inclusive, no overlap with the operator's other absences), the same
rights (without ``--user`` the server administrator's, and the audit trail names no
user), the same audit reasons. ``list`` prints the absences the user may see, sharing a
day with ``--from`` … ``--to``.

Exit codes as the other commands': 0 done; 1 refused by the data (an overlap, the last
day before the first), nothing written; 2 bad usage (an unknown login, absence or
option, a day that is not a date, a user without the right).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from opiekun.management.commands.handover import table
from opiekun.management.import_cli import (
    EXIT_ERRORS,
    LocalizedCommand,
    actor_for,
    add_language_argument,
    option_day,
)
from opiekun.management.names_cli import operator_ids, refusals
from opiekun.operators.absences import (
    AbsenceFilters,
    absence_create,
    absence_delete,
    absence_list,
    absence_update,
)
from opiekun.operators.models import Absence, AbsenceKind

OPTIONS = {
    "operator_id": "--operator",
    "date_from": "--from",
    "date_to": "--to",
    "kind": "--kind",
    "note": "--note",
}


class Command(LocalizedCommand):
    help = "List, add, change or delete operators' absences."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="the absences you may see")
        add = actions.add_parser("add", help="enter an absence")
        change = actions.add_parser("change", help="change an absence (only the options given)")
        delete = actions.add_parser("delete", help="delete an absence")
        for sub in (change, delete):
            sub.add_argument("absence_id", help="the absence's number (id)")
        for sub in (listing, add, change):
            required = sub is add
            sub.add_argument("--operator", required=required, help="the operator's login")
            sub.add_argument("--from", dest="date_from", required=required, help="first day (YYYY-MM-DD)")
            sub.add_argument("--to", dest="date_to", required=required, help="last day (YYYY-MM-DD)")
        for sub in (add, change):
            sub.add_argument("--kind", choices=[kind.value for kind in AbsenceKind])
            sub.add_argument("--note")
        for sub in (listing, add, change, delete):
            sub.add_argument("--user", help="act as this user (their rights; named in the audit trail)")
            add_language_argument(sub)

    def act(self, options: dict[str, Any]) -> None:
        actor = actor_for(options["user"])
        action = options["action"]
        given = self._given(options)
        gone = _("No absence #%(id)s.") % {"id": options.get("absence_id")}
        with refusals(Absence.DoesNotExist, gone, OPTIONS, fields=EXIT_ERRORS):
            if action == "list":
                self._list(actor, given)
            elif action == "add":
                absence = absence_create(actor=actor, **given)
                self.stdout.write(_("Absence #%(id)s saved.") % {"id": absence.pk})
            elif action == "change":
                absence = absence_update(actor=actor, absence_id=options["absence_id"], **given)
                self.stdout.write(_("Absence #%(id)s saved.") % {"id": absence.pk})
            else:
                absence_delete(actor=actor, absence_id=options["absence_id"])
                self.stdout.write(_("Absence #%(id)s deleted.") % {"id": options["absence_id"]})

    @staticmethod
    def _given(options: dict[str, Any]) -> dict[str, Any]:
        """The options given, as the service's arguments; a login or day that cannot be
        one is bad usage."""
        given: dict[str, Any] = {}
        login = options.get("operator")
        if login is not None:
            given["operator_id"] = operator_ids([login], "--operator")[0]
        for name in ("date_from", "date_to"):
            if options.get(name) is not None:
                given[name] = option_day(OPTIONS[name], options[name])
        for name in ("kind", "note"):
            if options.get(name) is not None:
                given[name] = options[name]
        return given

    def _list(self, actor: Any, given: dict[str, Any]) -> None:
        filters = AbsenceFilters(
            operator_id=given.get("operator_id"),
            date_from=given.get("date_from"),
            date_to=given.get("date_to"),
        )
        rows = absence_list(viewer=actor, filters=filters).select_related("operator__user")
        kinds = dict(AbsenceKind.choices)
        self.stdout.write(
            table(
                ["id", _("operator"), _("date from"), _("date to"), _("kind"), _("note")],
                [
                    (
                        a.pk,
                        a.operator.user.username,
                        a.date_from,
                        a.date_to,
                        kinds.get(a.kind, a.kind),
                        a.note,
                    )
                    for a in rows
                ],
            )
        )
