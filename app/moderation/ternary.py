"""Geometry of the ternary chart: three shares (Puzzling, Powering, Participation) as one point in a triangle.

Puzzling is the top corner, Powering bottom left, Participation bottom right. A point's distance to
each corner shows how much of that force there is; the centre is an even mix. The template draws it
as SVG; a table with the same figures sits beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH = 420
HEIGHT = 400
MARGIN = 40
# The chart scales with its viewBox. Corner labels are sized so that they render at least 13 CSS pixels
# high in the narrowest chart (288 pixels: a 320-pixel phone) and about 20 on a wide screen.
NARROWEST = 288
LABEL_FONT_SIZE = math.ceil(13 * WIDTH / NARROWEST)
LABEL_BELOW = LABEL_FONT_SIZE + 10  # baseline of the bottom labels under their corner
LABEL_ABOVE = 12  # baseline of the top label over its corner
SIDE = WIDTH - 2 * MARGIN
TRIANGLE_HEIGHT = SIDE * 3**0.5 / 2
TOP = (WIDTH / 2, MARGIN)
LEFT = (MARGIN, MARGIN + TRIANGLE_HEIGHT)
RIGHT = (WIDTH - MARGIN, MARGIN + TRIANGLE_HEIGHT)
CORNERS = {"puzzling": TOP, "powering": LEFT, "participation": RIGHT}


def position(shares: dict[str, float]) -> tuple[float, float]:
    """The point for shares that add up to 1 (all zero: the centre)."""
    total = sum(shares.values())
    if not total:
        shares, total = dict.fromkeys(CORNERS, 1.0), 3.0
    x = sum(CORNERS[k][0] * shares.get(k, 0) for k in CORNERS) / total
    y = sum(CORNERS[k][1] * shares.get(k, 0) for k in CORNERS) / total
    return round(x, 1), round(y, 1)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    url: str | None
    shares: dict[str, float]


@dataclass(frozen=True)
class GridLine:
    x1: float
    y1: float
    x2: float
    y2: float


def grid(steps: int = 5) -> list[GridLine]:
    """Lines at every 20% of each force, parallel to the side opposite its corner."""
    lines = []
    keys = list(CORNERS)
    for i, key in enumerate(keys):
        one, other = keys[(i + 1) % 3], keys[(i + 2) % 3]
        for step in range(1, steps):
            t = step / steps
            x1, y1 = position({key: t, one: 1 - t, other: 0})
            x2, y2 = position({key: t, one: 0, other: 1 - t})
            lines.append(GridLine(x1, y1, x2, y2))
    return lines


def outline() -> str:
    return " ".join(f"{x},{y}" for x, y in (TOP, LEFT, RIGHT))


def diamond(x: float, y: float, r: float = 9) -> str:
    return f"{x},{y - r} {x + r},{y} {x},{y + r} {x - r},{y}"
