"""What "Mijn pagina" shows of the work someone shares with others: working groups and covenants to sign.

Residents join a working group by asking (`WorkingGroupMember`); approved partners and the municipality's
roles belong to the working group of every chosen issue by their role (app/agendas/services.is_member).
A covenant waits for someone's signature when they may sign for one of its parties that has not signed the
open version yet (app/covenants/signing.can_sign_now): all candidates are checked with their current
versions read at once (app/covenants/versions.py); the policy (phase, the council's approval) is asked only
for the few shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app.accounts.models import Membership, Role
from app.agendas.models import WorkingGroupMember
from app.covenants.models import Covenant
from app.covenants.services import covenants_query
from app.covenants.signing import can_sign_now
from app.covenants.versions import current_versions
from app.extensions import db
from app.issues.models import Issue, IssueStatus

MAX_GROUPS = 50  # working groups a resident asked to join, shown on the page
ROLE_GROUPS = 10  # chosen issues shown to those who belong to every working group
COVENANT_CANDIDATES = 50  # open covenants checked (as the covenants page does)
COVENANTS_SHOWN = 10


@dataclass
class Groups:
    requests: list[tuple[WorkingGroupMember, Issue]]  # the working groups this person asked to join
    by_role: bool  # belongs to every chosen issue's working group by role
    waiting_for_approval: bool  # a partner whose organisation has not confirmed them yet
    chosen: list[Issue]  # for `by_role`: chosen issues, most recently changed first
    chosen_total: int


def working_groups(user) -> Groups:
    by_role = user.has_role(Role.WIJKREGISSEUR, Role.FACILITATOR, Role.WETHOUDER) or (
        user.has_role(Role.PARTNER) and bool(user.approved_memberships())
    )
    requests = []
    if user.has_role(Role.RESIDENT):
        requests = (
            db.session.execute(
                sa.select(WorkingGroupMember, Issue)
                .join(
                    Issue, Issue.id == WorkingGroupMember.issue_id
                )  # hidden issues and unpublished processes stay out
                .where(WorkingGroupMember.user_id == user.id)
                .order_by(WorkingGroupMember.requested_at.desc(), WorkingGroupMember.id.desc())
                .limit(MAX_GROUPS)
                .options(lazyload(Issue.domain_rows), selectinload(Issue.process))
            )
            .tuples()
            .all()
        )
    chosen, total = [], 0
    if by_role:
        found = db.paginate(
            sa.select(Issue)
            .where(Issue.status == IssueStatus.SHORTLISTED.value)
            .order_by(Issue.updated_at.desc(), Issue.id.desc())
            .options(lazyload(Issue.domain_rows), selectinload(Issue.process)),
            page=1,
            per_page=ROLE_GROUPS,
            error_out=False,
        )
        chosen, total = list(found.items), found.total
    return Groups(
        requests=requests,
        by_role=by_role,
        waiting_for_approval=user.has_role(Role.PARTNER) and not user.approved_memberships(),
        chosen=chosen,
        chosen_total=total,
    )


# --- covenants -----------------------------------------------------------------------------------


def may_ever_sign(user) -> bool:
    """Aldermen, and partners who are a signatory of an organisation (approved or not yet)."""
    return user.has_role(Role.WETHOUDER) or (
        user.has_role(Role.PARTNER) and any(m.is_signatory for m in user.memberships)
    )


@dataclass
class ToSign:
    covenant: Covenant
    parties: list[str]  # the names of the parties this person may still sign for


def to_sign(user) -> tuple[list[ToSign], int]:
    """The open covenants waiting for this person's signature (up to COVENANTS_SHOWN), and how many there are.

    A fixed number of queries for the candidates; the caller asks the policy for those shown.
    """
    if not user.has_role(Role.PARTNER, Role.WETHOUDER):
        return [], 0
    # The person's organisations at once: `signatory_parties` looks at each membership's organisation.
    db.session.scalars(
        sa.select(Membership).where(Membership.user_id == user.id).options(joinedload(Membership.organisation))
    ).all()
    candidates = list(db.session.scalars(covenants_query(status="open").limit(COVENANT_CANDIDATES)))
    versions = current_versions(candidates)  # `can_sign_now` reads them from here, without a query each
    waiting = []
    for covenant in candidates:
        keys = can_sign_now(user, covenant)
        if keys and covenant.id in versions:
            names = [p["name"] for p in versions[covenant.id].parties if p["party"] in keys]
            waiting.append(ToSign(covenant, names))
    return waiting[:COVENANTS_SHOWN], len(waiting)
