"""Geometry for server-rendered SVG charts. Templates draw them; a table with the same figures sits beside."""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT = 26
GAP = 10
LABEL_WIDTH = 0  # labels sit above the bars, so narrow screens keep the bars wide
WIDTH = 600
TOP = 8


@dataclass(frozen=True)
class Bar:
    y: int
    label: str
    residents_width: float
    partners_width: float
    total: int
    residents: int
    partners: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    maximum: int


def _short(text: str, length: int = 70) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def bar_chart(rows, limit: int = 15) -> BarChart:
    """Stacked horizontal bars (residents, then partners) for the first `limit` result rows."""
    rows = list(rows)[:limit]
    maximum = max((r.total for r in rows), default=1) or 1
    usable = WIDTH - 60  # room for the total after the bar
    bars = []
    for index, row in enumerate(rows):
        y = TOP + index * (BAR_HEIGHT * 2 + GAP)
        bars.append(
            Bar(
                y=y,
                label=_short(row.issue.title),
                residents_width=round(usable * row.residents / maximum, 1),
                partners_width=round(usable * row.partners / maximum, 1),
                total=row.total,
                residents=row.residents,
                partners=row.partners,
            )
        )
    height = TOP * 2 + len(rows) * (BAR_HEIGHT * 2 + GAP)
    return BarChart(width=WIDTH, height=height, bars=bars, maximum=maximum)
