"""The timeline picture: no clipped names, no label over another, every name on
hover and in the list beside it (caretakers/timeline.py)."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

from django.utils import translation

from opiekun.caretakers.timeline import (
    AXIS_HEIGHT,
    FONT_SIZE,
    LABEL_GAP,
    AbsenceMark,
    Bar,
    bar_text,
    text_width,
    timeline_list,
    timeline_svg,
)

TODAY = date(2026, 11, 28)
LONG = "Michał Zieliński-Wróblewski"


def _bars() -> list[Bar]:
    return [
        Bar("Opiekun handlowy · Główny", date(2024, 11, 28), None, "Tomasz Kamiński"),
        Bar("Opiekun handlowy · Zastępca", date(2025, 7, 16), date(2025, 7, 30), "Katarzyna Wójcik", True),
        Bar("Opiekun handlowy · Zastępca", date(2026, 12, 18), date(2027, 1, 1), "Jan Kowalski", True),
        Bar("Opiekun handlowy · Zastępca", date(2025, 1, 1), date(2025, 3, 1), LONG, True),
        Bar("Opiekun prawny · Główny", date(2025, 10, 24), None, "Magdalena Lewandowska"),
    ]


def _groups(svg: str) -> list[tuple[str, float, float, str]]:
    """(full name, rect x, rect width, shown text) of every bar."""
    found = re.findall(
        r'<g class="bar[^"]*" data-label="([^"]*)"><title>[^<]*</title>'
        r'<rect x="([\d.]+)" y="\d+" width="([\d.]+)"[^>]*/>(?:<text[^>]*>([^<]*)</text>)?</g>',
        svg,
    )
    return [(name, float(x), float(w), text) for name, x, w, text in found]


def test_a_bar_shows_the_whole_name_its_initials_or_nothing() -> None:
    svg = timeline_svg(_bars(), today=TODAY)
    groups = _groups(svg)
    assert len(groups) == 5
    for name, _x, width, text in groups:
        assert text in (name, "".join(p[0] for p in name.split()).upper(), "")
        if text:
            assert text_width(text) + 8 <= width
    shown = {name: text for name, _x, _w, text in groups}
    assert shown["Tomasz Kamiński"] == "Tomasz Kamiński"
    assert shown["Katarzyna Wójcik"] in ("", "KW")  # two weeks in three years: no room for the name


def test_every_name_is_on_hover_with_its_period() -> None:
    with translation.override("pl"):
        svg = timeline_svg(_bars(), today=TODAY)
    titles = re.findall(r'<g class="bar[^"]*" data-label="[^"]*"><title>([^<]*)</title>', svg)
    assert "Katarzyna Wójcik: 16.07.2025 – 30.07.2025" in titles
    assert "Tomasz Kamiński: 28.11.2024 – …" in titles
    assert f"{LONG}: 01.01.2025 – 01.03.2025" in titles


def test_the_list_beside_the_picture_holds_every_bar_by_lane() -> None:
    with translation.override("pl"):
        lanes = timeline_list(_bars())
    assert [lane for lane, _ in lanes] == [
        "Opiekun handlowy · Główny",
        "Opiekun handlowy · Zastępca",
        "Opiekun prawny · Główny",
    ]
    deputies = [(e.label, e.period) for e in lanes[1][1]]
    assert deputies == [
        (LONG, "01.01.2025 – 01.03.2025"),
        ("Katarzyna Wójcik", "16.07.2025 – 30.07.2025"),
        ("Jan Kowalski", "18.12.2026 – 01.01.2027"),
    ]
    svg = timeline_svg(_bars(), today=TODAY, described_by="timeline-list")
    assert 'aria-describedby="timeline-list"' in svg


def _axis_labels(svg: str) -> list[tuple[float, float, str]]:
    """(left, right, text) of the month labels and today's label."""
    spans = []
    for x, text in re.findall(
        r'<text class="tick-label" x="([\d.]+)" y="\d+" text-anchor="middle">([^<]*)<', svg
    ):
        width = text_width(text)
        spans.append((float(x) - width / 2, float(x) + width / 2, text))
    x, text = re.findall(r'<text class="today-label" x="([\d.]+)" y="\d+">([^<]*)<', svg)[0]
    spans.append((float(x), float(x) + text_width(text, bold=True), text))
    return sorted(spans)


def test_axis_labels_never_touch_and_the_lines_start_below_them() -> None:
    for today in (TODAY, date(2026, 11, 1), date(2026, 10, 30), date(2025, 2, 2), date(2024, 12, 1)):
        bars = [*_bars(), Bar("X", date(2023, 1, 1), date(2023, 1, 3), "Ala Kot")]
        svg = timeline_svg(bars, today=today)
        labels = _axis_labels(svg)
        assert len(labels) >= 4
        for (_l1, right, a), (left, _r2, b) in itertools.pairwise(labels):
            assert right + LABEL_GAP <= left + 0.01, (today, a, b)
        for y1 in re.findall(r'<line class="tick" x1="[\d.]+" y1="(\d+)"', svg):
            assert int(y1) >= AXIS_HEIGHT  # below the labels' row
        assert FONT_SIZE <= AXIS_HEIGHT


def test_axis_labels_stay_apart_over_any_span() -> None:
    for days in (20, 90, 400, 1500, 4000, 12000):
        start = TODAY - timedelta(days=days)
        svg = timeline_svg([Bar("L", start, None, "Ala Kot")], today=TODAY)
        labels = _axis_labels(svg)
        for (_l1, right, _a), (left, _r2, _b) in itertools.pairwise(labels):
            assert right + LABEL_GAP <= left + 0.01, days


def test_a_long_lane_name_is_shortened_with_its_whole_name_on_hover() -> None:
    lane = "Opiekun handlowy bardzo długiej nazwy · Oddział Kraków · Zastępca"
    svg = timeline_svg([Bar(lane, TODAY, None, "Ala Kot")], today=TODAY)
    label = re.search(r'<text class="lane-label"[^>]*><title>([^<]*)</title>([^<]*)</text>', svg)
    assert label is not None and label.group(1) == lane and label.group(2).endswith("…")


def test_bar_text() -> None:
    assert bar_text("Jan Kowalski", 200) == "Jan Kowalski"
    assert bar_text("Jan Kowalski", 30) == "JK"
    assert bar_text("Jan Kowalski", 10) == ""


def test_the_list_beside_the_picture_names_the_absences_hatched_over_each_bar() -> None:
    bars = [
        Bar("Opiekun handlowy · Główny", date(2026, 1, 1), date(2026, 6, 30), "Anna Nowak", operator_id=1),
        Bar("Opiekun handlowy · Główny", date(2026, 7, 1), None, "Jan Kowalski", operator_id=2),
    ]
    absences = [
        AbsenceMark(1, date(2026, 6, 20), date(2026, 7, 10), "urlop"),  # past the end of her bar
        AbsenceMark(1, date(2026, 9, 1), date(2026, 9, 5), "delegacja"),  # after her bar: not hers
        AbsenceMark(2, date(2026, 8, 3), date(2026, 8, 7), "zwolnienie lekarskie"),
    ]
    with translation.override("pl"):
        (_lane, entries), *_ = timeline_list(bars, absences)
    assert [(e.label, e.absences) for e in entries] == [
        ("Anna Nowak", ("urlop 20.06.2026 – 10.07.2026",)),
        ("Jan Kowalski", ("zwolnienie lekarskie 03.08.2026 – 07.08.2026",)),
    ]
    assert timeline_list(bars)[0][1][0].absences == ()


def test_the_calendars_first_and_last_days_neither_break_nor_squeeze_the_picture() -> None:
    """A row from the year 1 and an absence to 31.12.9999 are valid dates (the API
    takes them): the picture is drawn, over at most thirty years either way of today,
    the far rows running to its edges, and a year's row keeps a year's width."""
    bars = [
        *_bars(),
        Bar("Opiekun serwisowy · Główny", date.min, date(1, 1, 2), "Stary Wpis", operator_id=7),
        Bar("Opiekun serwisowy · Zastępca", date(2026, 1, 1), date.max, "Do Końca", True, operator_id=8),
    ]
    absences = [
        AbsenceMark(8, date(2027, 1, 1), date.max, "urlop"),
        AbsenceMark(7, date.min, date.min, "inne"),
    ]
    svg = timeline_svg(bars, today=TODAY, absences=absences)
    groups = {name: (x, width) for name, x, width, _text in _groups(svg)}
    assert len(groups) == 7
    plot = 900 - 220 - 10
    # Tomasz's two years since 2024 take about 2/61 of the width (the window is capped),
    # not 2/9999 of it.
    assert groups["Tomasz Kamiński"][1] > plot * 2 / 70
    assert groups["Stary Wpis"][0] == 220.0  # at the left edge
    assert groups["Do Końca"][0] + groups["Do Końca"][1] <= 900
    with translation.override("pl"):
        listed = dict(timeline_list(bars, absences))
    assert listed["Opiekun serwisowy · Zastępca"][0].period == "01.01.2026 – 31.12.9999"
