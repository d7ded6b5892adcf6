"""What the caretaker services answer: outcomes per contractor, previews, refusals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _

from opiekun.caretakers.rules import Change, Outcome, Slot


@dataclass(frozen=True)
class ContractorResult:
    contractor_id: int
    outcome: Outcome
    assignment_id: int | None  # the assignment that holds the added period, if written
    changes: tuple[Change, ...]
    conflicts: tuple[Slot, ...]


@dataclass(frozen=True)
class AddResult:
    applied: bool
    results: tuple[ContractorResult, ...]
    confirm_token: str | None = None  # set when WARN waits for confirmation

    def counts(self) -> dict[str, int]:
        counter = Counter(r.outcome.value for r in self.results)
        return {o.value: counter.get(o.value, 0) for o in Outcome}


class StaleConfirmation(Exception):
    """A confirmation whose preview no longer matches the data; `preview` is fresh."""

    def __init__(self, preview: AddResult) -> None:
        super().__init__(_("The data changed since the preview; review the new preview."))
        self.preview = preview
