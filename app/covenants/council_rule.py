"""The council's place in a covenant: one that commits municipal money or staff is opened for signature
only when the council's latest decision approved it, recorded after the last change of its text or parties."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from app.council.decisions import DECISIONS, LINKS, NEWEST_FIRST, latest_position_for
from app.council.models import CouncilPosition, Outcome
from app.covenants.models import Covenant, CovenantParty, CovenantRevision, CovenantStatus
from app.extensions import db


def council_decision(covenant: Covenant):
    return latest_position_for("covenant", covenant.id)


def content_changed_at(covenant: Covenant):
    """When the text or the parties last changed: what the council's approval must come after."""
    latest = db.session.scalar(
        sa.select(sa.func.max(CovenantRevision.created_at)).where(CovenantRevision.covenant_id == covenant.id)
    )
    moments = [latest] if latest else []
    moments += [p.changed_at for p in covenant.parties if p.changed_at]
    return max(moments) if moments else covenant.created_at


def council_approves(covenant: Covenant) -> bool:
    """Did the council's latest decision approve this covenant, as its text and parties are now?

    An approval recorded before a later change of the text or parties approved another text, so a
    covenant that commits municipal money or staff needs the council again after every change.
    """
    decision = council_decision(covenant)
    if decision is None or decision.outcome != Outcome.APPROVED.value:
        return False
    return _approves_text_of(decision, content_changed_at(covenant))


def _approves_text_of(decision, changed) -> bool:
    """An approving decision counts for the text as it was at `changed` when it came after that change:
    recorded after it, and decided on or after its day (in the town's own time: a decision dated before
    the change could not have been about the text as it is now)."""
    changed_on = format_date(changed, "yyyy-MM-dd")  # the app's time zone (Europe/Amsterdam)
    return decision.created_at >= changed and decision.decided_on.isoformat() >= changed_on


def council_approvals(covenants: Sequence[Covenant]) -> dict[int, bool]:
    """`council_approves` for a list of covenants (a dashboard, a list page) in three queries in all."""
    ids = [c.id for c in covenants]
    if not ids:
        return {}
    table, column = LINKS["covenant"]
    latest: dict[int, CouncilPosition] = {}
    for covenant_id, position in db.session.execute(
        sa.select(table.c[column], CouncilPosition)
        .join(CouncilPosition, CouncilPosition.id == table.c.position_id)
        .where(table.c[column].in_(ids), CouncilPosition.kind.in_(DECISIONS))
        .order_by(*NEWEST_FIRST)
    ):
        latest.setdefault(covenant_id, position)  # the newest comes first
    revised = dict(
        db.session.execute(
            sa.select(CovenantRevision.covenant_id, sa.func.max(CovenantRevision.created_at))
            .where(CovenantRevision.covenant_id.in_(ids))
            .group_by(CovenantRevision.covenant_id)
        ).all()
    )
    parties_changed = dict(
        db.session.execute(
            sa.select(CovenantParty.covenant_id, sa.func.max(CovenantParty.changed_at))
            .where(CovenantParty.covenant_id.in_(ids))
            .group_by(CovenantParty.covenant_id)
        ).all()
    )
    result = {}
    for covenant in covenants:
        decision = latest.get(covenant.id)
        if decision is None or decision.outcome != Outcome.APPROVED.value:
            result[covenant.id] = False
            continue
        moments = [m for m in (revised.get(covenant.id), parties_changed.get(covenant.id)) if m is not None]
        changed = max(moments) if moments else covenant.created_at
        result[covenant.id] = _approves_text_of(decision, changed)
    return result


def signing_paused(covenant: Covenant) -> bool:
    """Open for signature, but it commits municipal money or staff and the council's latest decision does not
    approve its text as it is now (say, the council rejected it after it opened): nobody can sign meanwhile."""
    return (
        covenant.status == CovenantStatus.OPEN.value
        and covenant.commits_municipality
        and not council_approves(covenant)
    )


def council_message(covenant: Covenant) -> str:
    return _(
        "This covenant commits municipal money or staff. It can only be opened for signature once the "
        "council has approved this text: record the council's decision on the council page and link it to "
        "covenant %(n)d. A change to the text or the parties after the decision needs a new decision.",
        n=covenant.id,
    )
