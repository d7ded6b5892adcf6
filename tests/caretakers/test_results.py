"""`Tally.add_all` counts, keeps and reports a selection's results exactly as `Tally.add`
called for each one does, whatever the window and however the results come in chunks."""

from __future__ import annotations

import random
from datetime import date

import pytest

from opiekun.caretakers.rules import AssignmentType, Change, ChangeKind, Outcome, Slot
from opiekun.caretakers.services.results import ContractorResult, ResultWindow, Tally
from opiekun.periods import Period

PERIOD = Period(date(2030, 1, 1), date(2030, 1, 31))


def _result(rng: random.Random, cid: int) -> ContractorResult:
    changes = tuple(
        Change(rng.choice(list(ChangeKind)), cid, 1, AssignmentType.MAIN, PERIOD, (PERIOD,))
        for _ in range(rng.randrange(3))
    )
    conflicts = tuple(Slot(cid * 10 + i, 2, AssignmentType.MAIN, PERIOD) for i in range(rng.randrange(3)))
    return ContractorResult(cid, rng.choice(list(Outcome)), rng.choice([None, cid]), changes, conflicts)


@pytest.mark.parametrize("seed", range(40))
def test_add_all_is_add_for_each(seed: int) -> None:
    rng = random.Random(seed)
    results = [_result(rng, cid) for cid in range(1, rng.randrange(1, 60))]
    window = ResultWindow(
        offset=rng.randrange(0, 70),
        limit=rng.choice([None, 0, 1, 5, 30, 100]),
        conflicts=rng.choice([0, 1, 4, 50]),
        conflicts_offset=rng.randrange(0, 40),
    )
    seen: list[ContractorResult] = []
    one_by_one = Tally(window, seen.append)
    for result in results:
        one_by_one.add(result)
    seen_all: list[ContractorResult] = []
    in_chunks = Tally(window, seen_all.append)
    start = 0
    while start < len(results):  # chunks of random sizes, as `add_checked` passes them
        stop = start + rng.randrange(1, 20)
        in_chunks.add_all(results[start:stop])
        start = stop
    assert in_chunks.answer(applied=True) == one_by_one.answer(applied=True)
    assert seen_all == seen == results
