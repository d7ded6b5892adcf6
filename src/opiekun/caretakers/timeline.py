"""The timeline picture of a contractor's caretakers: a pure function from plain
values to an SVG string, so it is tested without a browser or a database.

One lane per role and type; overlapping bars in a lane (deputies may be many)
stack in rows. Open-ended periods run to the right edge with an arrow. Every
piece of text is escaped: names come from users.

No text is ever clipped or drawn over another: a bar shows its operator's whole
name only where it fits (else the initials, else nothing), the name is always on
hover (``<title>``) and in the list beside the picture (``timeline_list``), and a
month label that would touch today's date is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from opiekun.dates import format_date, format_period
from opiekun.periods import Period

WIDTH = 900
LABEL_WIDTH = 220
ROW_HEIGHT = 24
LANE_GAP = 10
AXIS_HEIGHT = 22  # the row of month labels and today's date, above the lanes
AXIS_LABEL_Y = 14
LABEL_GAP = 6  # the least room between two labels of the axis
FONT_SIZE = 11  # px, as app.css sets it
BAR_PADDING = 4
NARROW = set(" .,:;'!|()[]-ijlftrI1")
WIDE = set("mwMWŁŚŻŹĆ@%—")
_HATCH = (
    '<defs><pattern id="absence-hatch" width="6" height="6" patternUnits="userSpaceOnUse"'
    ' patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff4e0" fill-opacity=".75"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#c77700" stroke-width="2"/></pattern></defs>'
)


@dataclass(frozen=True)
class Bar:
    lane: str  # e.g. "Opiekun handlowy · Główny"
    start: date
    end: date | None  # None: open-ended
    label: str  # the operator's name
    deputy: bool = False
    operator_id: int | None = None  # to draw the operator's absences over the bar


@dataclass(frozen=True)
class AbsenceMark:
    """An operator's absence, drawn hatched over that operator's bars."""

    operator_id: int
    start: date
    end: date
    label: str  # e.g. "urlop"


def _clipped(bar: Bar, absences: Sequence[AbsenceMark]) -> Iterator[tuple[AbsenceMark, date, date]]:
    """Each absence of ``bar``'s operator with the days it shares with the bar."""
    for absence in absences:
        if bar.operator_id is None or absence.operator_id != bar.operator_id:
            continue
        start = max(absence.start, bar.start)
        end = absence.end if bar.end is None else min(absence.end, bar.end)
        if start <= end:
            yield absence, start, end


def _absence_marks(
    bar: Bar, top: float, x: Callable[[date], float], absences: Sequence[AbsenceMark]
) -> list[str]:
    """The hatched pieces of ``bar`` during which its operator was absent."""
    marks = []
    for absence, start, end in _clipped(bar, absences):
        left, right = x(start), x(_shifted(end, 1))
        tip = escape(f"{bar.label}: {absence.label} {format_period(Period(absence.start, absence.end))}")
        marks.append(
            f'<g class="absence"><title>{tip}</title><rect x="{left:.1f}" y="{top}"'
            f' width="{max(right - left, 2):.1f}" height="{ROW_HEIGHT - 6}"/></g>'
        )
    return marks


REACH = 30 * 366  # days from today that the picture covers at most, either way


def _shifted(day: date, days: int) -> date:
    """``day`` moved by ``days``, held at the calendar's first or last day."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.min if days < 0 else date.max


def _rows(bars: list[Bar]) -> list[list[Bar]]:
    """Pack bars into as few rows as keep them from overlapping (greedy, by start)."""
    rows: list[list[Bar]] = []
    for bar in sorted(bars, key=lambda b: (b.start, b.end or date.max)):
        for row in rows:
            last = row[-1]
            if last.end is not None and last.end < bar.start:
                row.append(bar)
                break
        else:
            rows.append([bar])
    return rows


def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """A generous estimate of the width of ``text`` in a sans-serif font, in pixels:
    a label is drawn only where this width fits, so an estimate too wide only leaves
    a label out, never lets one run over another."""
    em = 0.0
    for char in text:
        if char in NARROW:
            em += 0.34
        elif char in WIDE:
            em += 0.9
        elif char.isupper():
            em += 0.72
        else:
            em += 0.6
    return em * size * (1.08 if bold else 1.0) + 1


def _fit(text: str, room: float, *, bold: bool = False) -> str:
    """``text`` cut with an ellipsis to fit ``room`` pixels (lane names only)."""
    if text_width(text, bold=bold) <= room:
        return text
    while text and text_width(text + "…", bold=bold) > room:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split() if part[:1].isalpha()).upper()


def bar_text(label: str, width: float) -> str:
    """What a bar of ``width`` pixels shows: the whole name if it fits, else the
    initials if they fit, else nothing (the name is on hover and in the list)."""
    for text in (label, _initials(label)):
        if text and text_width(text) + 2 * BAR_PADDING <= width:
            return text
    return ""


def _month_step(plot: float, span: int) -> int:
    """Months between ticks, so that their labels ("11.2026") never touch."""
    month = plot * 30.44 / span
    room = text_width("00.0000") + 14
    return next((step for step in (1, 2, 3, 4, 6, 12, 24, 60, 120) if month * step >= room), 240)


@dataclass(frozen=True)
class LaneEntry:
    label: str
    period: str
    deputy: bool
    absences: tuple[str, ...] = ()  # the operator's absences during the period, as text


def _absent_during(bar: Bar, absences: Sequence[AbsenceMark]) -> tuple[str, ...]:
    """The absences hatched over ``bar``, as text with their own dates, as their
    hover titles give them: "urlop 01.07.2026 – 14.07.2026"."""
    return tuple(
        f"{a.label} {format_period(Period(a.start, a.end))}" for a, _s, _e in _clipped(bar, absences)
    )


def timeline_list(bars: list[Bar], absences: Sequence[AbsenceMark] = ()) -> list[tuple[str, list[LaneEntry]]]:
    """The facts of the picture as text, lane by lane, for the list beside it: each
    bar with the absences hatched over it."""
    lanes: dict[str, list[LaneEntry]] = {}
    for bar in sorted(bars, key=lambda b: b.start):
        lanes.setdefault(bar.lane, []).append(
            LaneEntry(
                bar.label,
                format_period(Period(bar.start, bar.end)),
                bar.deputy,
                _absent_during(bar, absences),
            )
        )
    return [(lane, lanes[lane]) for lane in dict.fromkeys(b.lane for b in bars)]


def timeline_svg(
    bars: list[Bar],
    *,
    today: date,
    title: str = "",
    described_by: str = "",
    absences: Sequence[AbsenceMark] = (),
) -> str:
    """The SVG of ``bars``, lanes in order of first appearance, with today marked and
    the operators' ``absences`` hatched over their bars."""
    lanes: dict[str, list[Bar]] = {}
    for bar in bars:
        lanes.setdefault(bar.lane, []).append(bar)
    # Every bar, but no further than `REACH` from today: a row of the year 1 or an
    # absence to 9999 (both valid dates) would squeeze the rest into a sliver, and
    # past the calendar's ends a day has no neighbour. Beyond it a bar runs to the
    # edge; the list beside the picture gives its dates.
    starts = [b.start for b in bars] + [today]
    ends = [b.end for b in bars if b.end is not None] + [today]
    first = _shifted(max(min(starts), _shifted(today, -REACH)), -15)
    last = _shifted(min(max(ends), _shifted(today, REACH)), 45)
    span = max((last - first).days, 1)
    plot = WIDTH - LABEL_WIDTH - 10

    def x(day: date) -> float:
        return LABEL_WIDTH + plot * (min(max(day, first), last) - first).days / span

    parts: list[str] = []
    y = AXIS_HEIGHT
    for lane, lane_bars in lanes.items():
        rows = _rows(lane_bars)
        height = len(rows) * ROW_HEIGHT
        shown = _fit(lane, LABEL_WIDTH - 12, bold=True)
        lane_title = f"<title>{escape(lane)}</title>" if shown != lane else ""
        parts.append(f'<rect class="lane" x="0" y="{y}" width="{WIDTH}" height="{height}"/>')
        parts.append(f'<text class="lane-label" x="6" y="{y + 16}">{lane_title}{escape(shown)}</text>')
        for index, row in enumerate(rows):
            top = y + index * ROW_HEIGHT + 3
            for bar in row:
                left = x(bar.start)
                right = x(_shifted(bar.end, 1)) if bar.end else WIDTH - 10
                width = max(right - left, 3)
                kind = "bar deputy" if bar.deputy else "bar main"
                tip = escape(f"{bar.label}: {format_period(Period(bar.start, bar.end))}")
                text = bar_text(bar.label, width)
                label = ""
                if text:
                    label = f'<text class="bar-label" x="{left + BAR_PADDING:.1f}" y="{top + 13}">'
                    label += f"{escape(text)}</text>"
                parts.append(
                    f'<g class="{kind}{" open" if bar.end is None else ""}" data-label="{escape(bar.label)}">'
                    f"<title>{tip}</title>"
                    f'<rect x="{left:.1f}" y="{top}" width="{width:.1f}" height="{ROW_HEIGHT - 6}"'
                    f' rx="3"/>{label}</g>'
                )
                parts.extend(_absence_marks(bar, top, x, absences))
                if bar.end is None:
                    mid = top + (ROW_HEIGHT - 6) / 2
                    parts.append(
                        f'<path class="arrow" d="M{WIDTH - 10},{mid - 5} L{WIDTH - 2},{mid}'
                        f' L{WIDTH - 10},{mid + 5} Z"/>'
                    )
        y += height + LANE_GAP
    height = max(y, AXIS_HEIGHT + ROW_HEIGHT)

    # The axis row holds the month labels and today's date; a month label that would
    # touch today's is left out (its line stays). The lines start below the row.
    tx = x(today)
    today_text = format_date(today)
    today_width = text_width(today_text, bold=True)
    today_left = min(max(tx - today_width / 2, LABEL_WIDTH), WIDTH - today_width)
    today_span = (today_left - LABEL_GAP, today_left + today_width + LABEL_GAP)
    ticks: list[str] = []
    month = date(first.year, first.month, 1)
    step = _month_step(plot, span)
    tick_width = text_width("00.0000")
    while month <= last:
        mx = x(month)
        if month >= first:
            ticks.append(f'<line class="tick" x1="{mx:.1f}" y1="{AXIS_HEIGHT}" x2="{mx:.1f}" y2="{height}"/>')
            left, right = mx - tick_width / 2, mx + tick_width / 2
            clear = right <= today_span[0] or left >= today_span[1]
            if clear and left >= LABEL_WIDTH and right <= WIDTH:
                ticks.append(
                    f'<text class="tick-label" x="{mx:.1f}" y="{AXIS_LABEL_Y}"'
                    f' text-anchor="middle">{month.strftime("%m.%Y")}</text>'
                )
        total = month.month - 1 + step
        month = date(month.year + total // 12, total % 12 + 1, 1)
    marker = (
        f'<line class="today" x1="{tx:.1f}" y1="{AXIS_HEIGHT - 3}" x2="{tx:.1f}" y2="{height}"/>'
        f'<text class="today-label" x="{today_left:.1f}" y="{AXIS_LABEL_Y}">{today_text}</text>'
    )
    label = escape(title)
    described = f' aria-describedby="{escape(described_by)}"' if described_by else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img"'
        f' aria-label="{label}"{described} viewBox="0 0 {WIDTH} {height}" width="100%">'
        f"<title>{label}</title>{_HATCH if absences else ''}{''.join(ticks)}{''.join(parts)}{marker}</svg>"
    )
