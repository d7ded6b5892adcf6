"""How a handover's plan reads to a person, in the user's language: the outcome of each
contractor, the kind of each change, and one line per change and per conflict. One
wording for every face that shows a preview: the wizard, a handover's page and the
`opiekun handover` command."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from django.utils.translation import gettext as _

from opiekun.caretakers.handover_rules import ContractorPlan, HandoverKind, SourceChange
from opiekun.caretakers.models import TYPE_LABELS
from opiekun.caretakers.rules import AssignmentType, Change, ChangeKind, Outcome
from opiekun.dates import format_period
from opiekun.periods import Period


class Held(Protocol):
    """A conflicting assignment as a line names it (a handover's row, an add's slot)."""

    @property
    def operator_id(self) -> int: ...
    @property
    def type(self) -> AssignmentType: ...
    @property
    def period(self) -> Period: ...


def outcome_labels() -> dict[str, str]:
    return {
        Outcome.ADDED: _("To hand over"),
        Outcome.MERGED: _("To hand over, joins their row"),
        Outcome.UNCHANGED: _("To hand over, already theirs"),
        Outcome.REPLACED: _("To hand over, replaces"),
        Outcome.SKIPPED: _("Skipped"),
    }


def change_labels() -> dict[str, str]:
    return {
        HandoverKind.CUT: _("ends the day before"),
        HandoverKind.MOVED: _("moves"),
        ChangeKind.CREATED: _("new"),
        ChangeKind.EXTENDED: _("extended"),
        ChangeKind.ABSORBED: _("joined"),
        ChangeKind.TRIMMED: _("shortened"),
        ChangeKind.SPLIT: _("split"),
        ChangeKind.REMOVED: _("removed"),
    }


def periods_text(periods: tuple[Period, ...]) -> str:
    return ", ".join(format_period(p) for p in periods) or _("(removed)")


def plan_texts(plan: ContractorPlan, names: Mapping[int, str]) -> tuple[list[str], list[str]]:
    """A contractor's planned changes and conflicts, one line each, operators named by
    ``names`` (id → how the face names them). The kind ends with a colon: "ends the day
    before 01.01.2030 – …" read as if the handover were on the row's first day."""
    return change_texts(plan.changes, plan.conflicts, names, recipient_id=plan.target_id)


def change_texts(
    changes: Sequence[Change | SourceChange],
    conflicts: Sequence[Held],
    names: Mapping[int, str],
    *,
    recipient_id: int | None = None,
) -> tuple[list[str], list[str]]:
    """`plan_texts` of any changes and conflicts (Dodaj opiekuna's too: its results
    have no row moving whole to a ``recipient_id``)."""
    kinds = change_labels()
    target = names.get(recipient_id, "?") if recipient_id is not None else "?"

    def after(change: Change | SourceChange) -> str:  # a row moving whole goes to the recipient
        moved = change.kind == HandoverKind.MOVED and not change.after
        return target if moved else periods_text(change.after)

    lines = [
        f"{names.get(c.operator_id, '?')} ({TYPE_LABELS[c.type]}): {kinds.get(c.kind, c.kind)}: "
        f"{format_period(c.before) + ' → ' if c.before else ''}{after(c)}"
        for c in changes
    ]
    conflicting = [
        f"{names.get(r.operator_id, '?')} ({TYPE_LABELS[r.type]}, {format_period(r.period)})"
        for r in conflicts
    ]
    return lines, conflicting
