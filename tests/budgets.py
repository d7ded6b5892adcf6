"""Hypothesis budgets as multiples of the profile's (tests/conftest.py: "dev" quick,
"ci" thorough, chosen by HYPOTHESIS_PROFILE or CI): a test much cheaper or much dearer
per example than most asks for a multiple of the profile's number, never a fixed count,
so that the profile alone says how thorough a run is."""

from __future__ import annotations

from hypothesis import settings


def examples(factor: float) -> int:
    """``factor`` times the loaded profile's ``max_examples`` (at least 5)."""
    return max(5, round(settings().max_examples * factor))
