"""The one place that knows what a database id looks like."""

from __future__ import annotations

MAX_ID = 2**63 - 1  # the largest bigint primary key; a larger id names nothing


def to_id(value: object) -> int | None:
    """``value`` as a positive id a bigint key can hold, or None. A bool is not an id."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None
