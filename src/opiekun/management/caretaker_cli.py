"""`opiekun caretaker`'s options, and what it prints: the assignments listed, and the
outcome of Dodaj opiekuna per contractor (the wording of `caretakers.handover_labels`,
which the handover's preview shares)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser, OutputWrapper
from django.utils.translation import gettext as _

from opiekun.caretakers.handover_labels import change_texts
from opiekun.caretakers.models import TYPE_LABELS, Branch, CaretakerRole
from opiekun.caretakers.rules import AssignmentType, OverlapPolicy
from opiekun.caretakers.selectors import AssignmentFilters, assignment_list
from opiekun.caretakers.services import AddResult
from opiekun.caretakers.summary_views import OUTCOME_LABELS
from opiekun.contractors.models import Contractor
from opiekun.management.commands.handover import table
from opiekun.management.import_cli import add_language_argument, option_day
from opiekun.management.names_cli import ids_by, named_ids, operator_ids
from opiekun.operators.models import Operator

# The service's fields by the option that gives them.
OPTIONS = {
    "contractor_ids": "--contractors",
    "operator_id": "--operator",
    "date_from": "--from",
    "date_to": "--to",
    "on_overlap": "--on-overlap",
    "type": "--type",
    "role_id": "--role",
    "branch_id": "--branch",
    "priority": "--priority",
}
# The rows `list` prints unless --limit says otherwise: a look-up, not an export.
LISTED = 1_000


def add_caretaker_arguments(parser: CommandParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="assignments sharing a day with --from … --to")
    add = actions.add_parser("add", help="Dodaj opiekuna: a caretaker for the contractors named")
    change = actions.add_parser("change", help="change an assignment (only the options given)")
    end = actions.add_parser("end", help="set an assignment's last day")
    delete = actions.add_parser("delete", help="delete an assignment")
    for sub in (change, end, delete):
        sub.add_argument("assignment_id", help="the assignment's number (id)")
    end.add_argument("--on", dest="day", required=True, help="its last day (YYYY-MM-DD)")
    listing.add_argument("--contractor", metavar="CODE", help="one contractor, by code")
    listing.add_argument("--on", dest="day", help="only those in force on this day (YYYY-MM-DD)")
    listing.add_argument(
        "--limit", type=count, default=LISTED, help=f"print at most this many (default {LISTED:,})"
    )
    for sub in (listing, add, change):
        required = sub is add
        # ``change`` may instead make the period open-ended, or take the branch away.
        last = sub.add_mutually_exclusive_group() if sub is change else sub
        branch = sub.add_mutually_exclusive_group() if sub is change else sub
        sub.add_argument("--operator", required=required, help="the operator's login")
        sub.add_argument("--from", dest="date_from", required=required, help="first day (YYYY-MM-DD)")
        last.add_argument("--to", dest="date_to", help="last day (YYYY-MM-DD; none: open-ended)")
        sub.add_argument("--type", choices=[t.value for t in AssignmentType])
        sub.add_argument("--role", help="the role's name, any case (add: the default role if none)")
        branch.add_argument("--branch", metavar="CODE|NAME", help="the branch's code or name, any case")
        if sub is change:
            last.add_argument("--open", action="store_true", help="no last day any more")
            branch.add_argument("--no-branch", action="store_true", help="no branch any more")
    for sub in (add, change):
        sub.add_argument("--priority", type=int, help="a deputy's order (lower first; default 0)")
    add.set_defaults(type=AssignmentType.MAIN.value)
    add.add_argument(
        "--contractors", action="append", help="contractor codes, comma-separated; may be repeated"
    )
    add.add_argument(
        "--contractor",
        action="append",
        metavar="CODE",
        help="one contractor code taken whole, a comma in it too; may be repeated",
    )
    add.add_argument(
        "--contractors-file", metavar="FILE", help="a file of contractor codes, one a line (-: stdin)"
    )
    add.add_argument(
        "--on-overlap", choices=[p.value for p in OverlapPolicy], default=OverlapPolicy.WARN.value
    )
    add.add_argument("--dry-run", action="store_true", help="print the outcomes, write nothing")
    for sub in (listing, add, change, end, delete):
        sub.add_argument("--user", help="act as this user (their rights; named in the audit trail)")
        add_language_argument(sub)


def count(text: str) -> int:
    number = int(text)  # argparse names the option of a ValueError
    if number < 0:
        raise ValueError(text)
    return number


def scope_given(options: dict[str, Any]) -> dict[str, Any]:
    """``--role`` and ``--branch`` as the services' ``role_id`` and ``branch_id`` (only
    those given)."""
    given: dict[str, Any] = {}
    if options.get("role") is not None:
        given["role_id"] = _one(named_ids(CaretakerRole, ("name",), [options["role"]], "--role"))
    if options.get("branch") is not None:
        given["branch_id"] = _one(named_ids(Branch, ("code", "name"), [options["branch"]], "--branch"))
    return given


def _one(ids: list[int] | None) -> int:
    assert ids is not None and len(ids) == 1  # one name asked, one found (or refused)
    return ids[0]


def print_list(out: OutputWrapper, actor: Any, options: dict[str, Any]) -> None:
    """The assignments the user may see, sharing a day with ``--from`` … ``--to``,
    newest first, at most ``--limit`` of them (all of them: `opiekun export assignments`)."""
    contractor = options.get("contractor")
    limit = options.get("limit", LISTED)
    scope = scope_given(options)
    filters = AssignmentFilters(
        contractor_id=_one(ids_by(Contractor, "code", [contractor], "--contractor")) if contractor else None,
        operator_id=operator_ids([options["operator"]], "--operator")[0] if options.get("operator") else None,
        date_from=option_day("--from", options.get("date_from")),
        date_to=option_day("--to", options.get("date_to")),
        on=option_day("--on", options.get("day")),
        type=AssignmentType(options["type"]) if options.get("type") else None,
        role_id=scope.get("role_id"),
        branch_id=scope.get("branch_id"),
    )
    headers = ["id", _("contractor"), _("operator"), _("type"), _("role"), _("branch")]
    headers += [_("date from"), _("date to"), _("priority")]
    rows = [
        (
            a.pk,
            a.contractor.code,
            a.operator.user.username,
            TYPE_LABELS[AssignmentType(a.type)],
            a.role.name,
            a.branch.code if a.branch else "",
            a.date_from,
            a.date_to or "",
            a.priority,
        )
        for a in assignment_list(viewer=actor, filters=filters)[: limit + 1]
    ]
    out.write(table(headers, rows[:limit]))
    if len(rows) > limit:
        out.write(_("… more not listed: --limit, or opiekun export assignments for every one."))


def print_add(out: OutputWrapper, result: AddResult) -> None:
    """The outcomes counted, then the results kept, one line per contractor."""
    counts = result.counts()
    out.write(", ".join(f"{label}: {counts[key]}" for key, label in OUTCOME_LABELS.items() if counts[key]))
    kept = result.results
    codes = dict(Contractor.objects.filter(pk__in=[r.contractor_id for r in kept]).values_list("pk", "code"))
    named = {c.operator_id for r in kept for c in r.changes}
    named.update(s.operator_id for r in kept for s in r.conflicts)
    logins = dict(Operator.objects.filter(pk__in=named).values_list("pk", "user__username"))
    rows = []
    for r in kept:
        changes, conflicts = change_texts(r.changes, r.conflicts, logins)
        outcome = OUTCOME_LABELS[r.outcome.value]
        code = codes.get(r.contractor_id, r.contractor_id)
        rows.append([code, outcome, "; ".join(changes), "; ".join(conflicts)])
    if rows:
        out.write(table([_("contractor"), _("outcome"), _("changes"), _("conflicts")], rows))
    if result.total > len(kept):
        out.write(_("… %(n)s more contractors not listed.") % {"n": result.total - len(kept)})
