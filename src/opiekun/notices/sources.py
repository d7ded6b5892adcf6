"""The sources of upcoming changes (`notices.selectors`): one query per kind of row,
each shaped to the same columns and orderable in the page's order (`ORDER`), with a
count of its own that joins nothing it does not filter by (`notices.counts`).

- ``starts`` / ``ends``: the assignments' first / last days in the window, not a
  handover's doing;
- ``handover_in`` / ``handover_out``: per handover (not cancelled) and contractor it
  handed, its newest row;
- ``acting``: the acting periods the writers keep (`coverage.models.ActingPeriod`) —
  those begun by the window's first day (all on that day, by code) and those beginning
  later (by their first day).

Visibility is a correlated check of each row's contractor (`operators.access.
visible_contractor_check`): cheaper than an own-only operator's visible sets read whole.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cached_property
from typing import Any

from django.db.models import (
    BigIntegerField,
    CharField,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Least

from opiekun.caretakers.models import CaretakerAssignment, HandoverChange
from opiekun.contractors.models import Contractor
from opiekun.coverage.models import ActingPeriod
from opiekun.operators.access import visible_contractor_check
from opiekun.operators.models import Operator

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

# Every source's columns, under these names, in this order (a model field would be
# selected before the annotations).
_COLUMNS = tuple(f"u_{name}" for name in FIELDS)
# The page's order: by day, then kind, then contractor code, then assignment (every row
# has one), then handover; the same in SQL (every source) and in the merge.
ORDER = ("u_day", "u_kind", "u_contractor_code", "u_assignment_id", "u_handover_id")


def _columns(**values: Any) -> dict[str, Any]:
    assert tuple(values) == FIELDS
    return {f"u_{name}": value for name, value in values.items()}


def merge_key(row: dict[str, Any]) -> tuple[Any, ...]:
    # The merge's key. Sources never share a day and kind (one kind each; the two of
    # acting have different days), so codes are compared within a source only: in the
    # database's order.
    return (
        row["day"],
        row["kind"],
        row["contractor_code"],
        row["assignment_id"] or 0,
        row["handover_id"] or 0,
    )


def _made_by_handover(field: str, lookup: str, first: date, last: date) -> QuerySet[Any]:
    """The ids of the assignments whose start (``date_from``) or end (``date_to``),
    within ``first`` … ``last``, is a handover's doing: recorded in a handover, not
    cancelled, effective on its first day (a start) or after its last day (an end).

    One uncorrelated set (the changes of the handovers that could have made such a row,
    each compared with its own assignment), hashed once: a probe of the changes for every
    row read (8,234 ends on one day at a million) was a third of the page's reads."""
    changes = HandoverChange.objects.filter(handover__cancelled_at__isnull=True)
    if lookup == "exact":
        changes = changes.filter(handover__date__gte=first, handover__date__lte=last)
    else:
        changes = changes.filter(**{f"handover__date__{lookup}": first})
    day = CaretakerAssignment.objects.filter(
        pk=OuterRef("assignment_id"), contractor_id=OuterRef("contractor_id")
    )
    if lookup == "exact":
        # A start is the handover's only on a row still its recipient's: one given to
        # another operator since starts for them (it was left out of theirs, and of
        # the recipient's too, as `_still_received` leaves out its handover_in).
        day = day.filter(operator_id=OuterRef("target_id"))
    return (
        changes.annotate(assignment_day=Subquery(day.order_by().values(field)[:1]))
        .filter(**{f"handover__date__{lookup}": F("assignment_day")})
        .order_by()
        .values("assignment_id")
    )


class Source:
    """One kind of row: ``rows`` (no join a count does not need), ``day`` their day (an
    expression of ``rows``), ``counted`` what counts them (querysets, each + or - its
    rows; else ``rows``), ``page`` the rows shaped and orderable by `ORDER` (built when
    first asked for: the badge only counts), ``shape`` a row of it as a dict."""

    def __init__(
        self,
        kind: str,
        day: Any,
        rows: QuerySet[Any],
        page: Callable[[], QuerySet[Any]],
        shape: Callable[[tuple[Any, ...]], dict[str, Any]],
        counted: tuple[tuple[QuerySet[Any], int], ...] = (),
    ) -> None:
        self.kind, self.day, self.rows, self._page, self.shape = kind, day, rows, page, shape
        self.counted = counted or ((rows, 1),)

    @cached_property
    def page(self) -> QuerySet[Any]:
        return self._page()


def _contractor(field: str) -> Subquery:
    """The row's contractor's ``field``, looked up row by row: the database walks the
    rows in the order of the day (an index) and reads the codes of the first days
    only, where a join would read every row's contractor (or the whole table) first."""
    return Subquery(Contractor.objects.filter(pk=OuterRef("contractor_id")).order_by().values(field)[:1])


def _plain_row(values: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(FIELDS, values, strict=True))


def _assignment_changes(rows: QuerySet[CaretakerAssignment], first: date, last: date) -> list[Source]:
    def shaped(kind: str, field: str, by_handover: QuerySet[Any]) -> Source:
        window = rows.filter(**{f"{field}__gte": first, f"{field}__lte": last}).order_by()
        found = window.exclude(id__in=by_handover)

        def page() -> QuerySet[Any]:
            return found.annotate(
                **_columns(
                    kind=Value(kind, output_field=CharField()),
                    day=F(field),
                    contractor_id=F("contractor_id"),
                    operator_id=F("operator_id"),
                    assignment_id=F("id"),
                    handover_id=Cast(Value(None), BigIntegerField()),
                    contractor_code=_contractor("code"),
                    contractor_name=_contractor("name"),
                )
            ).values_list(*_COLUMNS)

        # Counted: the window's rows (from the day's index alone) less those a handover made.
        made = window.filter(id__in=by_handover)
        return Source(kind, F(field), found, page, _plain_row, counted=((window, 1), (made, -1)))

    return [
        shaped("starts", "date_from", _made_by_handover("date_from", "exact", first, last)),
        shaped("ends", "date_to", _made_by_handover("date_to", "gt", first, last)),
    ]


def _handover_changes(visible: Q | None, operator_id: int | None, first: date, last: date) -> list[Source]:
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
        changes = changes.filter(visible)
    # The recipient's side only while the row is there and theirs: one deleted or given to
    # someone else since is nothing they will receive (it named a row that was gone).
    received = changes.filter(_still_received())

    def newest(rows: QuerySet[HandoverChange], *also: Any) -> QuerySet[HandoverChange]:
        """One row per handover and contractor: its newest change (of those kept)."""
        newer = HandoverChange.objects.filter(
            *also,
            handover_id=OuterRef("handover_id"),
            contractor_id=OuterRef("contractor_id"),
            target_id__isnull=False,
            assignment_id__gt=OuterRef("assignment_id"),
        )
        return rows.exclude(Exists(newer))

    def shaped(kind: str, operator: str, mine: Q, rows: QuerySet[HandoverChange]) -> Source:
        found = (rows.filter(mine) if operator_id is not None else rows).order_by()

        def page() -> QuerySet[Any]:
            return found.annotate(
                **_columns(
                    kind=Value(kind, output_field=CharField()),
                    day=F("handover__date"),
                    contractor_id=Cast("contractor_id", BigIntegerField()),
                    operator_id=Cast(operator, BigIntegerField()),
                    assignment_id=Cast("assignment_id", BigIntegerField()),
                    handover_id=Cast("handover_id", BigIntegerField()),
                    contractor_code=_contractor("code"),
                    contractor_name=_contractor("name"),
                )
            ).values_list(*_COLUMNS)

        return Source(kind, F("handover__date"), found, page, _plain_row)

    return [
        shaped("handover_in", "target_id", Q(target_id=operator_id), newest(received, _still_received())),
        shaped(
            "handover_out",
            "handover__from_operator_id",
            Q(handover__from_operator_id=operator_id),
            newest(changes),
        ),
    ]


def _still_received() -> Exists:
    """The change's row exists and is still its recipient's."""
    return Exists(
        CaretakerAssignment.objects.filter(pk=OuterRef("assignment_id"), operator_id=OuterRef("target_id"))
    )


def _acting_source(visible: Q | None, operator_id: int | None, first: date, last: date) -> list[Source]:
    """The contractors the operator (or, for everyone's, every deputy) will act for in
    the window while their main caretaker is absent: the acting periods the writers
    keep (`coverage.models.ActingPeriod`, what `caretakers.acting.acted_for` reads)
    overlapping the window, each on its first day in it and ``until`` its last day in
    it. Two sources: the periods begun by the window's first day (all on that day, by
    contractor code) and those beginning later (by their first day)."""
    rows = ActingPeriod.objects.filter(date_to__gte=first, date_from__lte=last)
    if operator_id is not None:
        rows = rows.filter(operator_id=operator_id)
    else:
        # Every operator's range of the operator index, not the whole table (the
        # periods of the past).
        rows = rows.filter(operator_id__in=Operator.objects.values("pk"))
    if visible is not None:
        rows = rows.filter(visible)
    rows = rows.order_by()

    def shaped(found: QuerySet[Any], day: Any) -> Source:
        def page() -> QuerySet[Any]:
            page_rows: QuerySet[Any] = found.annotate(
                **_columns(
                    kind=Value("acting", output_field=CharField()),
                    day=day,
                    contractor_id=F("contractor_id"),
                    operator_id=F("operator_id"),
                    assignment_id=F("assignment_id"),
                    handover_id=Cast(Value(None), BigIntegerField()),
                    contractor_code=F("contractor__code"),
                    contractor_name=F("contractor__name"),
                ),
                u_stands_in_for=F("stands_in_for_id"),
                u_until=Least("date_to", Value(last, output_field=DateField())),
            ).values_list(*_COLUMNS, "u_stands_in_for", "u_until")
            return page_rows

        return Source("acting", day, found, page, _acting_row)

    return [
        shaped(rows.filter(date_from__lte=first), Value(first, output_field=DateField())),
        shaped(rows.filter(date_from__gt=first), F("date_from")),
    ]


def _acting_row(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(FIELDS, values[: len(FIELDS)], strict=True))
    row["stands_in_for"], row["until"] = values[len(FIELDS) :]
    return row


def sources(*, viewer: Any, operator_id: int | None, first: date, last: date) -> list[Source]:
    """The six sources of the changes within ``first`` … ``last`` of the operator (None:
    everyone's), on the contractors the viewer may see."""
    visible = visible_contractor_check(viewer=viewer)
    rows = CaretakerAssignment.objects.all()
    if visible is not None:
        rows = rows.filter(visible_contractor_check(viewer=viewer, assignments=True))
    if operator_id is not None:
        rows = rows.filter(operator_id=operator_id)
    return (
        _assignment_changes(rows, first, last)
        + _handover_changes(visible, operator_id, first, last)
        + _acting_source(visible, operator_id, first, last)
    )
