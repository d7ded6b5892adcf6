"""The one date parser and the user's date format (opiekun.dates)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import translation

from opiekun.dates import date_placeholder, format_date, format_period, parse_date
from opiekun.periods import Period

NEW_YEAR = date(2026, 1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-01",
        "2026-1-1",
        "01.01.2026",
        "1.1.2026",
        "1.01.2026",
        "01.1.2026",
        "1.1.26",
        "01.01.26",
        "1.1.26.",
        "1 1 2026",
        "1  1  26",
        "1. 1. 2026",
        "01-01-2026",
        "1-1-26",
        "  01.01.2026  ",
    ],
)
def test_the_forms_polish_users_type(text: str) -> None:
    assert parse_date(text) == NEW_YEAR


def test_day_comes_first_and_two_digit_years_are_this_century() -> None:
    assert parse_date("2.3.26") == date(2026, 3, 2)
    assert parse_date("31.12.99") == date(2099, 12, 31)
    assert parse_date("29.02.2028") == date(2028, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1.1",  # no year
        "1.1.2",  # a one-digit year
        "1.1.202",  # a three-digit year
        "01/01/2026",  # a slash: day or month first?
        "01012026",  # no separators
        "31.02.2026",
        "29.02.2027",
        "32.1.2026",
        "1.13.2026",
        "0.1.2026",
        "2026-13-01",
        "0000-01-01",
        "1.1.2026 10:00",
        "yesterday",
        "1..1.2026",
        "١.١.٢٠٢٦",  # other digits than 0-9
    ],
)
def test_what_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_dates_pass_and_datetimes_and_other_types_are_refused() -> None:
    assert parse_date(NEW_YEAR) == NEW_YEAR
    for value in (datetime(2026, 1, 1, 10), 20260101, None, ["2026-01-01"]):
        with pytest.raises(ValueError):
            parse_date(value)


def test_format_follows_the_language() -> None:
    period = Period(date(2026, 12, 1), date(2027, 3, 31))
    with translation.override("pl"):
        assert format_date(NEW_YEAR) == "01.01.2026"
        assert format_period(period) == "01.12.2026 – 31.03.2027"
        assert format_period(Period(NEW_YEAR)) == "01.01.2026 – …"
        assert date_placeholder() == "dd.mm.rrrr"
    with translation.override("en"):
        assert format_date(NEW_YEAR) == "2026-01-01"
        assert format_period(period) == "2026-12-01 – 2027-03-31"
        assert date_placeholder() == "YYYY-MM-DD"
    assert format_date(None) == "" and format_period(None) == "—"


def test_what_is_written_is_read_back() -> None:
    for language in ("pl", "en"):
        with translation.override(language):
            assert parse_date(format_date(date(2031, 7, 9))) == date(2031, 7, 9)


def test_years_before_1000_are_written_in_four_digits_and_read_back() -> None:
    for year in (1, 999):
        for language, expected in (("pl", f"02.03.{year:04d}"), ("en", f"{year:04d}-03-02")):
            with translation.override(language):
                assert format_date(date(year, 3, 2)) == expected
                assert parse_date(format_date(date(year, 3, 2))) == date(year, 3, 2)
