"""Geometry for server-rendered SVG charts. Templates draw them; a table with the same figures sits beside.

The bar chart has no viewBox: its lengths across are percentages of the width it gets and everything else
is in CSS pixels, so its text keeps the same readable size on a 320-pixel phone and on a wide screen
(a scaled viewBox made the labels about 8 pixels high on a phone). SVG text does not wrap, so labels are
wrapped here, for the narrowest screen we support.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

FONT_SIZE = 14  # CSS pixels, at every screen width
LINE_HEIGHT = 18
LABEL_CHARS = 36  # characters per label line: fits a 288-pixel-wide chart (a 320-pixel phone)
LABEL_LINES = 3  # more is cut with "…" (the table beside the chart has the full title)
BAR_HEIGHT = 20
GAP = 14  # between one bar and the next label
BAR_SHARE = 86.0  # percent of the width the longest bar takes; the rest holds its total
TOP = 4


@dataclass(frozen=True)
class Bar:
    y: int  # the top of the label
    lines: list[str]
    bar_y: int
    residents_width: float  # percent of the chart's width
    partners_width: float
    total: int
    residents: int
    partners: int

    @property
    def label(self) -> str:
        return " ".join(self.lines)

    @property
    def end(self) -> float:
        """Where the bar ends, in percent of the width (the total is written just after it)."""
        return round(self.residents_width + self.partners_width, 2)


@dataclass(frozen=True)
class BarChart:
    height: int
    bars: list[Bar]
    maximum: int
    font_size: int = FONT_SIZE
    line_height: int = LINE_HEIGHT
    bar_height: int = BAR_HEIGHT


def label_lines(text: str, width: int = LABEL_CHARS, lines: int = LABEL_LINES) -> list[str]:
    """`text` wrapped to at most `lines` lines of `width` characters; a cut shows as "…"."""
    wrapped = textwrap.wrap(" ".join(text.split()), width, break_long_words=True) or [""]
    if len(wrapped) <= lines:
        return wrapped
    kept = wrapped[:lines]
    last = kept[-1]
    if len(last) >= width:
        last = last[: width - 1].rstrip()
    kept[-1] = last + "…"
    return kept


def bar_chart(rows, limit: int = 15) -> BarChart:
    """Stacked horizontal bars (residents, then partners) for the first `limit` result rows."""
    rows = list(rows)[:limit]
    maximum = max((r.total for r in rows), default=1) or 1
    bars = []
    y = TOP
    for row in rows:
        lines = label_lines(row.issue.title)
        bar_y = y + len(lines) * LINE_HEIGHT + 4
        bars.append(
            Bar(
                y=y,
                lines=lines,
                bar_y=bar_y,
                residents_width=round(BAR_SHARE * row.residents / maximum, 2),
                partners_width=round(BAR_SHARE * row.partners / maximum, 2),
                total=row.total,
                residents=row.residents,
                partners=row.partners,
            )
        )
        y = bar_y + BAR_HEIGHT + GAP
    return BarChart(height=y - GAP + TOP, bars=bars, maximum=maximum)
