"""Upcoming changes (Nadchodzące zmiany): what changes for an operator in the next
days, through the viewer's visibility (docs/semantics.md, "Upcoming changes").

Kinds, within today … today + N days:

- ``starts`` / ``ends``: an assignment's first / last day (not one a handover made:
  that is the handover's row);
- ``handover_in`` / ``handover_out``: a contractor handed to / from the operator by a
  handover (not cancelled) effective that day, one row per assignment it handed;
- ``acting``: the operator, a deputy, will act for a contractor while its main
  caretaker is absent (`caretakers.acting.acted_for`); the day is the first day of it
  within the window.

The page, the API, the badge and the digest read `upcoming_changes` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opiekun.bulk import id_list
from opiekun.caretakers.acting import acted_for
from opiekun.caretakers.models import CaretakerAssignment, HandoverChange
from opiekun.caretakers.rules import AssignmentType
from opiekun.contractors.models import Contractor
from opiekun.dates import format_date, today
from opiekun.operators.access import is_administrator, operator_of, visible_contractors
from opiekun.operators.models import Absence, Visibility

DEFAULT_DAYS = 14
MAX_DAYS = 366
KINDS = ("starts", "ends", "handover_in", "handover_out", "acting")
KIND_LABELS = {
    "starts": gettext_lazy("starts"),
    "ends": gettext_lazy("ends"),
    "handover_in": gettext_lazy("taken over (handover)"),
    "handover_out": gettext_lazy("handed over"),
    "acting": gettext_lazy("stands in"),
}
FIELDS = (
    "kind",
    "day",
    "contractor_id",
    "operator_id",
    "assignment_id",
    "handover_id",
    "contractor_code",
    "contractor_name",
)


@dataclass(frozen=True)
class UpcomingFilters:
    days: int = DEFAULT_DAYS
    operator_id: int | None = None  # None: the viewer's own (a manager: everyone's)
    start: date | None = None  # None: today


def is_manager(viewer: Any) -> bool:
    """A manager sees every contractor, and so everyone's upcoming changes."""
    if is_administrator(viewer):
        return True
    operator = operator_of(viewer)
    return operator is not None and operator.visibility == Visibility.ALL


def whose(viewer: Any, operator_id: int | None) -> int | None:
    """The operator whose changes the viewer asks for (None: everyone's, managers
    only). Others may ask only for their own."""
    if is_manager(viewer):
        return operator_id
    own = operator_of(viewer)
    if own is None:
        raise PermissionDenied(_("Only operators have upcoming changes."))
    if operator_id is not None and operator_id != own.pk:
        raise PermissionDenied(_("You may see only your own upcoming changes."))
    return own.pk


# The union's columns: every part annotates them under these names, in this order (a
# model field would be selected before the annotations, and the parts would not line up).
_COLUMNS = tuple(f"u_{name}" for name in FIELDS)


def _columns(**values: Any) -> dict[str, Any]:
    assert tuple(values) == FIELDS
    return {f"u_{name}": value for name, value in values.items()}


def _made_by_handover(field: str, lookup: str) -> Exists:
    """The row's start (``date_from``) or end (``date_to``) is a handover's doing: it is
    recorded in a handover, not cancelled, effective on its first day (a start) or
    after its last day (an end)."""
    return Exists(
        HandoverChange.objects.filter(
            assignment_id=OuterRef("id"),
            handover__cancelled_at__isnull=True,
            **{f"handover__date__{lookup}": OuterRef(field)},
        )
    )


def _assignment_changes(rows: QuerySet[CaretakerAssignment], first: date, last: date) -> list[QuerySet[Any]]:
    def shaped(kind: str, field: str, by_handover: Exists) -> QuerySet[Any]:
        return (
            rows.filter(**{f"{field}__gte": first, f"{field}__lte": last})
            .exclude(by_handover)
            .annotate(
                **_columns(
                    kind=Value(kind, output_field=CharField()),
                    day=F(field),
                    contractor_id=F("contractor_id"),
                    operator_id=F("operator_id"),
                    assignment_id=F("id"),
                    handover_id=Cast(Value(None), BigIntegerField()),
                    contractor_code=F("contractor__code"),
                    contractor_name=F("contractor__name"),
                )
            )
            .values_list(*_COLUMNS)
            .order_by()
        )

    return [
        shaped("starts", "date_from", _made_by_handover("date_from", "exact")),
        shaped("ends", "date_to", _made_by_handover("date_to", "gt")),
    ]


def _handover_changes(
    visible: QuerySet[Contractor] | None, operator_id: int | None, first: date, last: date
) -> list[QuerySet[Any]]:
    """Per handover (not cancelled, effective in the window) and contractor it handed:
    ``handover_in`` for the operator it went to, ``handover_out`` for the one it came
    from. The assignment is the handover's newest row of that contractor."""
    changes = HandoverChange.objects.filter(
        handover__cancelled_at__isnull=True,
        handover__date__gte=first,
        handover__date__lte=last,
        target_id__isnull=False,
    )
    if visible is not None:
        changes = changes.filter(contractor_id__in=visible.values("pk"))

    # One row per handover and contractor: its newest change.
    newer = HandoverChange.objects.filter(
        handover_id=OuterRef("handover_id"),
        contractor_id=OuterRef("contractor_id"),
        target_id__isnull=False,
        assignment_id__gt=OuterRef("assignment_id"),
    )
    changes = changes.exclude(Exists(newer))

    def shaped(kind: str, operator: str, mine: Q) -> QuerySet[Any]:
        qs = changes.filter(mine) if operator_id is not None else changes
        contractor = Contractor.objects.filter(pk=OuterRef("contractor_id"))
        return (
            qs.annotate(
                **_columns(
                    kind=Value(kind, output_field=CharField()),
                    day=F("handover__date"),
                    contractor_id=Cast("contractor_id", BigIntegerField()),
                    operator_id=Cast(operator, BigIntegerField()),
                    assignment_id=Cast("assignment_id", BigIntegerField()),
                    handover_id=Cast("handover_id", BigIntegerField()),
                    contractor_code=Subquery(contractor.values("code")[:1]),
                    contractor_name=Subquery(contractor.values("name")[:1]),
                )
            )
            .values_list(*_COLUMNS)
            .order_by()
        )

    return [
        shaped("handover_in", "target_id", Q(target_id=operator_id)),
        shaped("handover_out", "handover__from_operator_id", Q(handover__from_operator_id=operator_id)),
    ]


def _acting(viewer: Any, operator_id: int | None, first: date, last: date) -> list[dict[str, Any]]:
    """The contractors the operator (or, for everyone's, every deputy) will act for in
    the window while their main caretaker is absent."""
    if operator_id is not None:
        deputies = [operator_id]
    else:
        # Deputies of scopes whose main caretaker is absent some day of the window.
        away = Absence.objects.filter(date_from__lte=last, date_to__gte=first)
        mains = CaretakerAssignment.objects.filter(
            type=AssignmentType.MAIN.value, operator_id__in=away.values("operator_id")
        ).overlapping(first, last)
        deputies = sorted(
            set(
                CaretakerAssignment.objects.filter(
                    type=AssignmentType.DEPUTY.value,
                    contractor_id__in=mains.values("contractor_id"),
                )
                .overlapping(first, last)
                .values_list("operator_id", flat=True)
            )
        )
    found = [
        a
        for deputy in deputies
        for a in acted_for(viewer=viewer, operator_id=deputy, date_from=first, date_to=last)
    ]
    names = dict(
        (pk, (code, name))
        for pk, code, name in Contractor.objects.filter(
            pk__in=id_list(sorted({a.contractor_id for a in found}))
        ).values_list("pk", "code", "name")
    )
    return [
        {
            "kind": "acting",
            "day": max(a.period.start, first),
            "contractor_id": a.contractor_id,
            "operator_id": a.operator_id,
            "assignment_id": a.assignment_id,
            "handover_id": None,
            "contractor_code": names[a.contractor_id][0],
            "contractor_name": names[a.contractor_id][1],
            "stands_in_for": a.stands_in_for,
            "until": a.period.end,
        }
        for a in found
    ]


def upcoming_changes(*, viewer: Any, filters: UpcomingFilters) -> list[dict[str, Any]]:
    """Rows (dicts of FIELDS; ``acting`` rows also ``stands_in_for`` and ``until``) of
    the changes within ``start`` … ``start + days``, by day, then kind, then contractor
    code; for the operator `whose` names. Three queries for the assignments and
    handovers, a few more for acting."""
    operator_id = whose(viewer, filters.operator_id)
    first = filters.start or today()
    last = first + timedelta(days=filters.days)
    rows = CaretakerAssignment.objects.all()
    visible: QuerySet[Contractor] | None = visible_contractors(viewer=viewer)
    assert visible is not None
    if visible.query.has_filters():
        rows = rows.filter(contractor__in=visible.values("pk"))
    else:
        visible = None
    if operator_id is not None:
        rows = rows.filter(operator_id=operator_id)
    parts = _assignment_changes(rows, first, last) + _handover_changes(visible, operator_id, first, last)
    found = [dict(zip(FIELDS, row, strict=True)) for row in parts[0].union(*parts[1:], all=True)]
    found += _acting(viewer, operator_id, first, last)
    found.sort(key=lambda r: (r["day"], r["kind"], r["contractor_code"], r["assignment_id"] or 0))
    return found


def label_rows(rows: list[dict[str, Any]], names: dict[int, str]) -> None:
    """Give each row its ``label`` in the active language and ``operator_name``; an
    ``acting`` row's label names whom the operator stands in for, and until when."""
    for row in rows:
        row["operator_name"] = names.get(row["operator_id"], "")
        row["label"] = str(KIND_LABELS.get(row["kind"], row["kind"]))
        if row["kind"] == "acting":
            row["label"] = _("acts for %(name)s until %(date)s") % {
                "name": names.get(row["stands_in_for"], ""),
                "date": format_date(row["until"]),
            }


def upcoming_count(*, viewer: Any) -> int:
    """The top bar's badge: the viewer's own upcoming changes (what their digest says)."""
    own = operator_of(viewer)
    if own is None:
        return 0
    return len(upcoming_changes(viewer=viewer, filters=UpcomingFilters(operator_id=own.pk)))


def upcoming_for_operator(
    *, operator_user: Any, start: date, days: int = DEFAULT_DAYS
) -> list[dict[str, Any]]:
    """An operator's own changes as they themselves may see them (the digest)."""
    own = operator_of(operator_user)
    if own is None:
        return []
    return upcoming_changes(
        viewer=operator_user, filters=UpcomingFilters(days=days, operator_id=own.pk, start=start)
    )
