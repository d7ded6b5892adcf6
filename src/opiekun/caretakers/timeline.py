"""The timeline picture of a contractor's caretakers: a pure function from plain
values to an SVG string, so it is tested without a browser or a database.

One lane per role and type; overlapping bars in a lane (deputies may be many)
stack in rows. Open-ended periods run to the right edge with an arrow. Every
piece of text is escaped: names come from users.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

WIDTH = 900
LABEL_WIDTH = 190
ROW_HEIGHT = 24
LANE_GAP = 10
AXIS_HEIGHT = 26
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


def _absence_marks(
    bar: Bar, top: float, x: Callable[[date], float], absences: Sequence[AbsenceMark]
) -> list[str]:
    """The hatched pieces of ``bar`` during which its operator was absent."""
    marks = []
    for absence in absences:
        if bar.operator_id is None or absence.operator_id != bar.operator_id:
            continue
        start = max(absence.start, bar.start)
        end = absence.end if bar.end is None else min(absence.end, bar.end)
        if end < start:
            continue
        left, right = x(start), x(end + timedelta(days=1))
        tip = escape(f"{bar.label}: {absence.label} {_fmt(absence.start)} – {_fmt(absence.end)}")
        marks.append(
            f'<g class="absence"><title>{tip}</title><rect x="{left:.1f}" y="{top}"'
            f' width="{max(right - left, 2):.1f}" height="{ROW_HEIGHT - 6}"/></g>'
        )
    return marks


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


def _fmt(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def timeline_svg(
    bars: list[Bar], *, today: date, title: str = "", absences: Sequence[AbsenceMark] = ()
) -> str:
    """The SVG of ``bars``, lanes in order of first appearance, with today marked and
    the operators' ``absences`` hatched over their bars."""
    lanes: dict[str, list[Bar]] = {}
    for bar in bars:
        lanes.setdefault(bar.lane, []).append(bar)
    starts = [b.start for b in bars] + [today]
    ends = [b.end for b in bars if b.end is not None] + [today]
    first = min(starts) - timedelta(days=15)
    last = max(ends) + timedelta(days=45)
    span = max((last - first).days, 1)
    plot = WIDTH - LABEL_WIDTH - 10

    def x(day: date) -> float:
        return LABEL_WIDTH + plot * (day - first).days / span

    parts: list[str] = []
    y = AXIS_HEIGHT
    for lane, lane_bars in lanes.items():
        rows = _rows(lane_bars)
        height = len(rows) * ROW_HEIGHT
        parts.append(f'<rect class="lane" x="0" y="{y}" width="{WIDTH}" height="{height}"/>')
        parts.append(f'<text class="lane-label" x="6" y="{y + 16}">{escape(lane)}</text>')
        for index, row in enumerate(rows):
            top = y + index * ROW_HEIGHT + 3
            for bar in row:
                left = x(bar.start)
                right = x(bar.end + timedelta(days=1)) if bar.end else WIDTH - 10
                width = max(right - left, 3)
                kind = "bar deputy" if bar.deputy else "bar main"
                period = f"{_fmt(bar.start)} – {_fmt(bar.end) if bar.end else '…'}"
                tip = escape(f"{bar.label}: {period}")
                parts.append(
                    f'<g class="{kind}{" open" if bar.end is None else ""}"><title>{tip}</title>'
                    f'<rect x="{left:.1f}" y="{top}" width="{width:.1f}" height="{ROW_HEIGHT - 6}"'
                    f' rx="3"/>'
                    f'<text x="{left + 4:.1f}" y="{top + 13}">{escape(bar.label)}</text></g>'
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

    ticks: list[str] = []
    month = date(first.year, first.month, 1)
    step = max(1, span // 365 * 3 or 1)  # a tick every `step` months keeps labels apart
    while month <= last:
        tx = x(month)
        if month >= first and tx < WIDTH - 50:  # a label must fit inside the picture
            ticks.append(
                f'<line class="tick" x1="{tx:.1f}" y1="{AXIS_HEIGHT - 4}" x2="{tx:.1f}" y2="{height}"/>'
            )
            ticks.append(f'<text class="tick-label" x="{tx + 2:.1f}" y="14">{month.strftime("%m.%Y")}</text>')
        total = month.month - 1 + step
        month = date(month.year + total // 12, total % 12 + 1, 1)
    tx = x(today)
    # Near the right edge the date is written to the left of the line, to stay visible.
    anchor, dx = ("end", -3) if tx > WIDTH - 80 else ("start", 3)
    marker = (
        f'<line class="today" x1="{tx:.1f}" y1="{AXIS_HEIGHT - 8}" x2="{tx:.1f}" y2="{height}"/>'
        f'<text class="today-label" x="{tx + dx:.1f}" y="{AXIS_HEIGHT - 2}"'
        f' text-anchor="{anchor}">{_fmt(today)}</text>'
    )
    label = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img"'
        f' aria-label="{label}" viewBox="0 0 {WIDTH} {height}" width="100%">'
        f"<title>{label}</title>{_HATCH if absences else ''}{''.join(ticks)}{''.join(parts)}{marker}</svg>"
    )
