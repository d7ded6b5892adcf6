"""Dodaj opiekuna's WARN preview (`caretakers.services.add`): what a request would do,
counted in full, with a token bound to the state it saw, and that state's digest; and
the chunks a selection is planned (and written) in."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from opiekun.caretakers.rules import TYPE_OF, OverlapPolicy, Proposal
from opiekun.caretakers.rules_each import decide_each
from opiekun.caretakers.services.confirmation import StateHasher, issue_token
from opiekun.caretakers.services.results import AddResult, ContractorResult, ResultWindow, Tally
from opiekun.caretakers.services.scope_rows import scope_rows
from opiekun.periods import Period

if TYPE_CHECKING:
    from opiekun.caretakers.services.add import AddRequest

PURPOSE = "caretaker_add"

CHUNK = 10_000  # contractors planned (and written) at a time


def chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def request_rows(request: AddRequest, ids: Sequence[int]) -> Any:
    return scope_rows(request.role.pk, request.branch.pk if request.branch else None, request.period, ids)


STATE = ("id", "contractor_id", "operator_id", "type", "date_from", "date_to")


def preview(actor: Any, request: AddRequest, proposal: Proposal, window: ResultWindow) -> AddResult:
    """What the request would do (for WARN: what REPLACE would do), counted in full, kept as ``window``
    says, with a token bound to the state it saw. Reads plain values, writes nothing."""
    tally = Tally(window)
    hasher = hasher_of(actor, request)
    for ids in chunks(request.contractor_ids):
        state = list(request_rows(request, ids).values_list(*STATE))
        for row in state:
            hasher.add(row)
        rows = ((pk, cid, op, TYPE_OF[kind], Period(start, end)) for pk, cid, op, kind, start, end in state)
        plans = decide_each(ids, rows, proposal, request.policy)
        tally.add_all(
            [ContractorResult(c, p.outcome, p.holder_id, p.changes, p.conflicts) for c, p in plans.items()]
        )
    token = issue_token(hasher.hexdigest(), purpose=PURPOSE) if request.policy == OverlapPolicy.WARN else None
    return tally.answer(applied=False, confirm_token=token)


def digest(actor: Any, request: AddRequest) -> str:
    """The digest `preview` computes, from the same reads, without deciding anything."""
    hasher = hasher_of(actor, request)
    for ids in chunks(request.contractor_ids):
        for row in request_rows(request, ids).values_list(*STATE):
            hasher.add(row)
    return hasher.hexdigest()


def hasher_of(actor: Any, request: AddRequest) -> StateHasher:
    return StateHasher(
        actor=actor,
        request={
            "contractors": request.contractor_ids,
            "operator": request.operator.pk,
            "type": request.type.value,
            "role": request.role.pk,
            "branch": request.branch.pk if request.branch else None,
            "period": str(request.period),
            "priority": request.priority,
        },
    )
