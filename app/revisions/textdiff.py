"""A line diff of two texts for reading: what changed, with a few unchanged lines around each change."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    kind: str  # "same", "removed", "added", or "gap" (unchanged lines left out; `skipped` says how many)
    text: str = ""
    skipped: int = 0


def line_diff(old: str, new: str, context: int = 3) -> list[Line]:
    """The lines that changed from `old` to `new`, with `context` unchanged lines around each change."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    if a == b:
        return []
    lines: list[Line] = []
    done = 0  # lines of `a` shown or skipped so far
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if group[0][1] > done:
            lines.append(Line("gap", skipped=group[0][1] - done))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [Line("same", text) for text in a[i1:i2]]
                continue
            lines += [Line("removed", text) for text in a[i1:i2]]
            lines += [Line("added", text) for text in b[j1:j2]]
        done = group[-1][2]
    if done < len(a):
        lines.append(Line("gap", skipped=len(a) - done))
    return lines
