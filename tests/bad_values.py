"""The wrong values that both bad-input probes send, in a query string or a form's
field (`tests/api/test_bad_input_probe.py`, `tests/test_bad_input_pages.py`)."""

from __future__ import annotations

BIG = 2**63
POLISH = "Zażółć gęślą jaźń ŁÓDŹ"
LONG = "1" * 5000  # past int()'s 4,300 digits
TEXTS = [
    "\x00",
    "1\x00",
    str(BIG),
    str(2**64),
    str(BIG - 1),
    "-1",
    "0",
    "0001-01-01",
    "9999-12-31",
    "01.01.0001",
    "31.12.9999",
    "x" * 10_000,
    POLISH,
    "١",  # an Arabic-Indic digit: int() takes it, the database would not
    "²",  # a digit to str.isdigit, not to int()
    LONG,
]
