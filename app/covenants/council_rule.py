"""The council's place in a covenant: one that commits municipal money or staff is opened for signature
only when the council's latest decision approved it, recorded after the last change of its text or parties."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from app.council.decisions import latest_position_for
from app.council.models import Outcome
from app.covenants.models import Covenant, CovenantRevision
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
    changed = content_changed_at(covenant)
    # recorded after the change, and decided on or after the day of the change (in the town's own time:
    # a decision dated before the change could not have been about the text as it is now)
    changed_on = format_date(changed, "yyyy-MM-dd")  # the app's time zone (Europe/Amsterdam)
    return decision.created_at >= changed and decision.decided_on.isoformat() >= changed_on


def council_message(covenant: Covenant) -> str:
    return _(
        "This covenant commits municipal money or staff. It can only be opened for signature once the "
        "council has approved this text: record the council's decision on the council page and link it to "
        "covenant %(n)d. A change to the text or the parties after the decision needs a new decision.",
        n=covenant.id,
    )
