"""Period algebra: examples, then Hypothesis against day-set semantics.

A period is compared with the set of days it holds over a bounded horizon; an
open-ended period holds every day from its start to the horizon's end (and beyond,
which the horizon's last day stands in for, since no finite period reaches past it).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opiekun.periods import Period, merge, subtract_all, touching_window

D = date(2025, 1, 1)
HORIZON_DAYS = 60
LAST = D + timedelta(days=HORIZON_DAYS + 40)  # beyond every finite end generated


def day(n: int) -> date:
    return D + timedelta(days=n)


def p(start: int, end: int | None = None) -> Period:
    return Period(day(start), None if end is None else day(end))


def days_of(period: Period) -> set[date]:
    end = period.end or LAST
    return {period.start + timedelta(days=i) for i in range((end - period.start).days + 1)}


def days_of_all(periods: list[Period] | tuple[Period, ...]) -> set[date]:
    return set().union(*(days_of(x) for x in periods)) if periods else set()


@st.composite
def periods(draw: st.DrawFn) -> Period:
    start = draw(st.integers(0, HORIZON_DAYS))
    if draw(st.booleans()) and draw(st.booleans()):  # a quarter open-ended
        return p(start)
    return p(start, start + draw(st.integers(0, 20)))


# --- examples ---------------------------------------------------------------------


def test_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError):
        p(5, 4)


def test_single_day_period() -> None:
    one = p(3, 3)
    assert one.days() == 1
    assert one.contains_day(day(3))
    assert not one.contains_day(day(2)) and not one.contains_day(day(4))
    assert one.overlaps(p(3, 3)) and one.touches(p(4, 9)) and one.touches(p(0, 2))
    assert not one.touches(p(5, 9))
    assert one.subtract(p(3, 3)) == ()
    assert p(1, 5).subtract(one) == (p(1, 2), p(4, 5))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (p(1, 10), p(5, 20), (p(1, 4),)),  # trimmed at the end
        (p(5, 20), p(1, 10), (p(11, 20),)),  # trimmed at the start
        (p(1, 20), p(5, 10), (p(1, 4), p(11, 20))),  # split
        (p(5, 10), p(1, 20), ()),  # removed
        (p(1, 4), p(5, 10), (p(1, 4),)),  # adjacent, untouched
        (p(1), p(5, 10), (p(1, 4), p(11))),  # open-ended split
        (p(1), p(5), (p(1, 4),)),  # open-ended minus open-ended
        (p(5, 10), p(1), ()),
        (p(5), p(1, 10), (p(11),)),
    ],
)
def test_subtract_examples(a: Period, b: Period, expected: tuple[Period, ...]) -> None:
    assert a.subtract(b) == expected


def test_touches_adjacent_but_not_gap() -> None:
    assert p(1, 4).touches(p(5, 9)) and p(5, 9).touches(p(1, 4))
    assert not p(1, 4).touches(p(6, 9))
    assert not p(1, 4).overlaps(p(5, 9))


def test_merge_examples() -> None:
    assert merge([p(5, 9), p(1, 4), p(20), p(11, 12)]) == [p(1, 9), p(11, 12), p(20)]
    assert merge([p(1, 10), p(3, 4)]) == [p(1, 10)]
    assert merge([]) == []


def test_open_ended_and_extreme_dates() -> None:
    assert p(1).open_ended and p(1).days() is None
    top = Period(date.max - timedelta(days=2), date.max)
    assert top.touches(Period(date.max - timedelta(days=5), date.max - timedelta(days=3)))
    assert not top.touches(Period(date.min, date.min))
    assert Period(date.min, date.min).touches(Period(date.min + timedelta(days=1)))
    assert touching_window(Period(date.min, date.max)) == Period(date.min, date.max)
    assert Period(date.min).subtract(top) == (Period(date.min, date.max - timedelta(days=3)),)
    assert merge([top, Period(date.min, date.min)]) == [Period(date.min, date.min), top]


def test_str() -> None:
    assert str(p(0, 1)) == "2025-01-01..2025-01-02"
    assert str(p(0)) == "2025-01-01.."


# --- properties -------------------------------------------------------------------


@given(periods(), periods())
def test_overlaps_and_intersection_agree_with_days(a: Period, b: Period) -> None:
    common = days_of(a) & days_of(b)
    assert a.overlaps(b) == bool(common) == b.overlaps(a)
    inter = a.intersection(b)
    assert (inter is None) == (not common)
    if inter is not None:
        assert days_of(inter) == common


@given(periods(), periods())
def test_subtract_agrees_with_days(a: Period, b: Period) -> None:
    parts = a.subtract(b)
    assert days_of_all(parts) == days_of(a) - days_of(b)
    assert len(parts) <= 2
    assert list(parts) == sorted(parts)
    if len(parts) == 2:  # two parts never touch: a gap (b's days) lies between them
        assert not parts[0].touches(parts[1])


@given(periods(), periods())
def test_touches_and_span(a: Period, b: Period) -> None:
    union = days_of(a) | days_of(b)
    span = a.span(b)
    assert days_of(span) >= union
    assert a.touches(b) == (days_of(span) == union)
    assert a.covers(b) == (days_of(b) <= days_of(a))


@given(st.lists(periods(), max_size=8))
def test_merge_agrees_with_days(items: list[Period]) -> None:
    merged = merge(items)
    assert days_of_all(merged) == days_of_all(items)
    assert merged == sorted(merged)
    for left, right in itertools.pairwise(merged):
        assert not left.touches(right)
    assert merge(merged) == merged


@given(st.lists(periods(), max_size=6), periods())
def test_subtract_all_agrees_with_days(items: list[Period], removed: Period) -> None:
    assert days_of_all(subtract_all(items, removed)) == days_of_all(items) - days_of(removed)


@given(periods())
def test_touching_window_is_one_day_wider(a: Period) -> None:
    window = touching_window(a)
    assert window.start == a.start - timedelta(days=1)
    assert window.end == (None if a.end is None else a.end + timedelta(days=1))


def test_ordering_is_total_with_open_ends() -> None:
    assert sorted([p(1), p(1, 3), p(0, 9), p(1, 2)]) == [p(0, 9), p(1, 2), p(1, 3), p(1)]
    assert p(1, 3) < p(1) and p(1) > p(1, 3) and p(1) <= p(1)
