"""What the caretaker services answer: outcomes per contractor, previews, refusals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _

from opiekun.caretakers.rules import Change, ChangeKind, Outcome, Slot


class ContractorResult(NamedTuple):
    """One contractor's outcome (a named tuple: a selection builds one per contractor,
    at a quarter of a frozen dataclass's cost)."""

    contractor_id: int
    outcome: Outcome
    assignment_id: int | None  # the assignment that holds the added period, if written
    changes: tuple[Change, ...]
    conflicts: tuple[Slot, ...]


@dataclass(frozen=True)
class ResultWindow:
    """Which per-contractor results an answer keeps in full; the totals always count
    every contractor. ``offset``/``limit`` pick a page of all results (in the order of
    the selection; ``limit=None``: all of them), ``conflicts_offset``/``conflicts`` a
    page of the results that meet a conflict."""

    offset: int = 0
    limit: int | None = None
    conflicts: int = 0
    conflicts_offset: int = 0


EVERY_RESULT = ResultWindow()


@dataclass(frozen=True)
class AddResult:
    applied: bool
    results: tuple[ContractorResult, ...]  # the window's page (every result by default)
    confirm_token: str | None = None  # set when WARN waits for confirmation
    total: int = 0  # contractors decided
    outcome_counts: Mapping[str, int] = field(default_factory=dict)
    change_counts: Mapping[str, int] = field(default_factory=dict)
    conflicted: int = 0  # contractors whose proposal meets a conflict
    first_conflicts: tuple[ContractorResult, ...] = ()  # the window's page of them
    offset: int = 0  # the position of results[0] among all results

    def counts(self) -> dict[str, int]:
        counter = self.outcome_counts or Counter(r.outcome.value for r in self.results)
        return {o.value: counter.get(o.value, 0) for o in Outcome}

    def change_totals(self) -> dict[str, int]:
        return {k.value: self.change_counts.get(k.value, 0) for k in ChangeKind}


class Tally:
    """Counts results one at a time and keeps only the window's; what it keeps does not
    grow with the selection (unless the window asks for every result)."""

    def __init__(self, window: ResultWindow, on_result: Callable[[ContractorResult], None] | None = None):
        self.window = window
        self.on_result = on_result
        self.total = 0
        self.conflicted = 0
        self.outcomes: Counter[Outcome] = Counter()
        self.changes: Counter[ChangeKind] = Counter()
        self.page: list[ContractorResult] = []
        self.conflict_page: list[ContractorResult] = []

    def add(self, result: ContractorResult) -> None:
        window = self.window
        index = self.total
        self.total += 1
        # Counted by the members themselves (equal to their values, as string enums),
        # named by their values once in `answer`: an enum's ``.value`` costs a
        # descriptor call, paid per result.
        self.outcomes[result.outcome] += 1
        for change in result.changes:
            self.changes[change.kind] += 1
        if index >= window.offset and (window.limit is None or index < window.offset + window.limit):
            self.page.append(result)
        if result.conflicts:
            at = self.conflicted
            self.conflicted += 1
            if window.conflicts_offset <= at < window.conflicts_offset + window.conflicts:
                self.conflict_page.append(result)
        if self.on_result is not None:
            self.on_result(result)

    def add_all(self, results: Sequence[ContractorResult]) -> None:
        """`add` for each of ``results``, in order: the same counts, pages and calls, the
        counting done by the counters themselves (a selection's KEEP adds 10,000)."""
        window, first = self.window, self.total
        self.total += len(results)
        self.outcomes.update(r.outcome for r in results)
        self.changes.update(change.kind for r in results for change in r.changes)
        start = max(window.offset - first, 0)
        stop = None if window.limit is None else max(window.offset + window.limit - first, 0)
        self.page.extend(results[start:stop])
        met = [r for r in results if r.conflicts]
        at = self.conflicted
        self.conflicted += len(met)
        begin = max(window.conflicts_offset - at, 0)
        self.conflict_page.extend(met[begin : max(window.conflicts_offset + window.conflicts - at, begin)])
        if self.on_result is not None:
            for result in results:
                self.on_result(result)

    def answer(self, *, applied: bool, confirm_token: str | None = None) -> AddResult:
        return AddResult(
            applied=applied,
            results=tuple(self.page),
            confirm_token=confirm_token,
            total=self.total,
            outcome_counts={outcome.value: count for outcome, count in self.outcomes.items()},
            change_counts={kind.value: count for kind, count in self.changes.items()},
            conflicted=self.conflicted,
            first_conflicts=tuple(self.conflict_page),
            offset=self.window.offset,
        )


class StaleConfirmation(Exception):
    """A confirmation whose preview no longer matches the data; `preview` is fresh."""

    def __init__(self, preview: AddResult) -> None:
        super().__init__(_("The data changed since the preview; review the new preview."))
        self.preview = preview
