"""Who may sign for a covenant's parties.

Telling people that a covenant opened, changed, paused, came into force or ended is no longer done here:
the services record an event (app/notifications/events.py) and app/notifications/audience.py tells the
signatories and the parties' members, each as they chose (at once by default for covenants).
"""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Membership, MembershipStatus, Role, User
from app.covenants.models import MUNICIPALITY
from app.extensions import db


def signatories_of(keys) -> list[User]:
    """The active people who may sign for these parties: approved signatory members, aldermen for the municipality."""
    org_ids = [int(k) for k in keys if k.isdigit()]
    conditions = []
    if org_ids:
        conditions.append(
            User.id.in_(
                sa.select(Membership.user_id).where(
                    Membership.organisation_id.in_(org_ids),
                    Membership.is_signatory.is_(True),
                    Membership.status == MembershipStatus.APPROVED.value,
                )
            )
        )
    if MUNICIPALITY in keys:
        conditions.append(User.role == Role.WETHOUDER.value)
    if not conditions:
        return []
    return list(db.session.scalars(sa.select(User).where(User.active.is_(True), sa.or_(*conditions))))


def parties_without_signatory(keys) -> list[str]:
    """The parties nobody on the platform can sign for yet: a covenant with one never comes into force."""
    people = signatories_of(list(keys))
    covered = {MUNICIPALITY} if any(p.role == Role.WETHOUDER.value for p in people) else set()
    for person in people:
        covered |= {str(m.organisation_id) for m in person.memberships if m.is_signatory and m.status == "approved"}
    return [key for key in keys if key not in covered]
