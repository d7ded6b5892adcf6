"""Przekazanie klientów, ``even``: which target gets which contractor when the
portfolio is spread over several operators (docs/semantics.md, "Handover"). Pure, as
`handover_rules`: plain values in and out, checked with Hypothesis
(tests/caretakers/test_handover_rules.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def distribute(
    contractors: Sequence[tuple[int, str]],
    targets: Sequence[int],
    *,
    counts: Mapping[int, int],
    already: Iterable[tuple[int, int]] = (),
) -> dict[int, int]:
    """``even``: each contractor, in the order of their codes, goes to the target whose
    count of contractors in care on D is lowest once it has it (``counts``: before the
    handover; a target already caring for the contractor on D does not grow by it, so
    it is preferred at equal load); ties by the order of ``targets``. Deterministic:
    the same input gives the same distribution."""
    if len(targets) == 1:
        return {contractor_id: targets[0] for contractor_id, _ in contractors}
    load = {t: counts.get(t, 0) for t in targets}
    holds = set(already)
    chosen: dict[int, int] = {}
    for contractor_id, _code in sorted(contractors, key=lambda c: (c[1], c[0])):

        def after(t: int, cid: int = contractor_id) -> int:
            return load[t] + (0 if (t, cid) in holds else 1)

        target = min(targets, key=lambda t: (after(t), targets.index(t)))
        chosen[contractor_id] = target
        load[target] = after(target)
    return chosen
