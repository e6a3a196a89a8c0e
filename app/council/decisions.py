"""What the council last decided about one thing: an issue or a covenant.

Only the council's models are needed here, so other domains' rules (the covenant's council rule in
app/covenants/council_rule.py) can ask without importing the council's services, which in turn show
those rules on the checkpoints.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.council.models import (
    CouncilPosition,
    Outcome,
    PositionKind,
    council_position_covenants,
    council_position_issues,
)
from app.extensions import db

NEWEST_FIRST = (CouncilPosition.decided_on.desc(), CouncilPosition.id.desc())

# What a position can be about: name -> (association table, its column).
LINKS = {"issue": (council_position_issues, "issue_id"), "covenant": (council_position_covenants, "covenant_id")}
DECISIONS = (PositionKind.COUNCIL_DECISION.value,)


def latest_position_for(target: str, target_id: int, kinds: Iterable[str] = DECISIONS) -> CouncilPosition | None:
    """The newest position of these kinds about one thing (by default: the latest council decision)."""
    table, column = LINKS[target]
    stmt = (
        sa.select(CouncilPosition)
        .join(table, table.c.position_id == CouncilPosition.id)
        .where(table.c[column] == target_id, CouncilPosition.kind.in_(list(kinds)))
        .order_by(*NEWEST_FIRST)
        .limit(1)
    )
    return db.session.scalar(stmt)


def council_approved(target: str, target_id: int) -> bool:
    """Did the council's latest decision about this thing adopt it?"""
    latest = latest_position_for(target, target_id)
    return latest is not None and latest.outcome == Outcome.APPROVED
