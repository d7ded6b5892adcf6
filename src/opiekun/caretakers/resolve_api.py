"""The answer of `POST /api/v1/caretakers/resolve`, built for 10,000 items.

The endpoint (`caretakers.api`) declares the request and the documented response
schema; this module answers: unknown roles and branches are field errors, then
`caretakers.resolving.resolve` names the caretakers and the JSON is written here
directly, from plain dicts whose shape is the documented schema's (the API tests check
it against the OpenAPI schema). Validating 10,000 answers through pydantic again, and
a JSON encoder calling back into Python for every date, cost more than everything
else of the call (docs/performance.md, "Resolving caretakers in bulk").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as RequestValidationError

from opiekun.caretakers.acting_rules import Acting, Holder
from opiekun.caretakers.resolving import Question, resolve, unknown_dictionary_ids
from opiekun.collector import collector_paused
from opiekun.operators.selectors import operator_names


class _Days(dict[date | None, str | None]):
    """Each day's ISO text, computed once: the answers repeat a few days many times."""

    def __missing__(self, day: date | None) -> str | None:
        text = self[day] = None if day is None else day.isoformat()
        return text


def resolve_response(*, viewer: Any, items: Sequence[Question]) -> HttpResponse:
    """The 200 answer for ``items``, in the order asked; a 422 (field errors naming
    the item) for unknown roles or branches, with nothing looked up."""
    with collector_paused():
        return _answer(viewer, items)


def _answer(viewer: Any, items: Sequence[Question]) -> HttpResponse:
    unknown_roles, unknown_branches = unknown_dictionary_ids(
        (i.role_id for i in items if i.role_id is not None),
        (i.branch_id for i in items if i.branch_id is not None),
    )
    if unknown_roles or unknown_branches:
        raise RequestValidationError(
            [
                {"loc": ["body", "items", n, name], "type": "value_error", "msg": message % {"id": value}}
                for n, item in enumerate(items)
                for name, message, value, unknown in (
                    ("role_id", _("Unknown role %(id)s."), item.role_id, unknown_roles),
                    ("branch_id", _("Unknown branch %(id)s."), item.branch_id, unknown_branches),
                )
                if value is not None and value in unknown
            ]
        )
    answers = resolve(viewer=viewer, items=items)
    names = operator_names(
        h.operator_id
        for answer in answers
        if answer is not None
        for h in (answer[1].main, *answer[1].deputies)
        if h is not None
    )
    days = _Days()

    def assignment(holder: Holder, absent: frozenset[int]) -> dict[str, Any]:
        return {
            "id": holder.assignment_id,
            "operator_id": holder.operator_id,
            "operator_name": names.get(holder.operator_id, ""),
            "type": holder.type.value,
            "date_from": days[holder.period.start],
            "date_to": days[holder.period.end],
            "priority": holder.priority,
            "absent": holder.operator_id in absent,
        }

    def acting(found: Acting) -> dict[str, Any] | None:
        holder = found.holder
        if holder is None:
            return None
        return {
            "operator_id": holder.operator_id,
            "operator_name": names.get(holder.operator_id, ""),
            "assignment_id": holder.assignment_id,
            "type": holder.type.value,
            "stands_in_for": found.stands_in_for,
            "until": days[found.until],
        }

    results: list[dict[str, Any]] = []
    for item, answer in zip(items, answers, strict=True):
        if answer is None:
            results.append({"contractor_id": item.contractor_id, "on": days[item.on], "error": "not_found"})
            continue
        scope, found = answer
        results.append(
            {
                "contractor_id": item.contractor_id,
                "on": days[item.on],
                "role_id": scope.role_id,
                "branch_id": scope.branch_id,
                "main": None if found.main is None else assignment(found.main, found.absent),
                "deputies": [assignment(d, found.absent) for d in found.deputies],
                "acting": acting(found.acting),
                "reason": found.acting.reason.value,
            }
        )
    # Every value is now a str, int, bool, None, list or dict: the C encoder writes
    # it all without calling back into Python.
    body = json.dumps({"results": results}, separators=(",", ":"))
    return HttpResponse(body, content_type="application/json")
