"""Supporting issues, and the prioritisation round (dot voting).

Both must hold when many people click at the same moment:
- a support is a row under a unique constraint (issue, person); the issue's counter
  changes in the same transaction, and only when a row was really added or removed;
- points change only while the person's ballot row is locked, so two requests
  from one person cannot together spend more than the budget.
One person counts once, whatever the size of their organisation (principle 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.models import Role, User
from app.errors import DomainError, unique_or
from app.extensions import db
from app.issues.models import (
    ACTIVE,
    Allocation,
    Ballot,
    Issue,
    PriorityRound,
    RoundStatus,
    Support,
    lock_issue,
)
from app.models_common import utcnow

# --- support -----------------------------------------------------------------------------


def has_supported(user: User, issue_id: int) -> bool:
    return (
        db.session.scalar(sa.select(Support.id).where(Support.issue_id == issue_id, Support.user_id == user.id))
        is not None
    )


def supported_ids(user: User, issue_ids: list[int]) -> set[int]:
    if not issue_ids or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            sa.select(Support.issue_id).where(Support.user_id == user.id, Support.issue_id.in_(issue_ids))
        )
    )


def _bump_open_issue(issue_id: int, delta: int) -> bool:
    """Change the count of an open issue, taking its row lock first. False when it is no longer open.

    Every write that hangs off an issue locks the issue row first (merge does too), so two
    requests always lock in the same order and a merge cannot slip in between check and write.
    """
    changed = db.session.execute(
        sa.update(Issue)
        .where(
            Issue.id == issue_id,
            Issue.status.in_(ACTIVE),
            Issue.visibility == "visible",
            Issue.support_count + delta >= 0,
        )
        .values(support_count=Issue.support_count + delta)
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed == 1


CLOSED = _l("This issue is closed: it was merged, not chosen or withdrawn.")


def set_support(user: User, issue: Issue, wanted: bool | None = None) -> tuple[bool, int]:
    """Add or remove this person's support (toggle when `wanted` is None). Returns (supported, count)."""
    if wanted is None:
        wanted = not has_supported(user, issue.id)
    if not _bump_open_issue(issue.id, +1 if wanted else 0):
        raise DomainError(str(CLOSED))
    if wanted:
        try:
            with unique_or(DomainError("already")):
                db.session.add(Support(issue_id=issue.id, user_id=user.id))
        except DomainError:
            _bump_open_issue(issue.id, -1)  # a second click arrived first: the support is there, count it once
    else:
        removed = db.session.execute(
            sa.delete(Support).where(Support.issue_id == issue.id, Support.user_id == user.id)
        ).rowcount
        if removed:
            _bump_open_issue(issue.id, -1)
    db.session.flush()
    count = db.session.scalar(sa.select(Issue.support_count).where(Issue.id == issue.id))
    return wanted, count


# --- the prioritisation round ---------------------------------------------------------------


def get_round(process_id: int) -> PriorityRound | None:
    return db.session.scalar(sa.select(PriorityRound).where(PriorityRound.process_id == process_id))


def configure_round(process, points_per_person: int, max_per_issue: int, results_while_open: bool) -> PriorityRound:
    if not 1 <= points_per_person <= 50:
        raise DomainError(_("Choose between 1 and 50 points."), "points_per_person")
    if not 1 <= max_per_issue <= points_per_person:
        raise DomainError(_("Choose at least 1, and no more than the points per person."), "max_per_issue")
    round_ = get_round(process.id)
    if round_ is None:
        with unique_or(DomainError(_("Someone else just created the round. Look at the page again."))):
            round_ = PriorityRound(process_id=process.id)
            db.session.add(round_)
    elif round_.status != RoundStatus.DRAFT.value and (
        points_per_person != round_.points_per_person or max_per_issue != round_.max_per_issue
    ):
        raise DomainError(_("The points cannot change once the round has opened."), "points_per_person")
    round_.points_per_person = points_per_person
    round_.max_per_issue = max_per_issue
    round_.results_while_open = bool(results_while_open)
    db.session.flush()
    return round_


def open_round(round_: PriorityRound) -> None:
    """Open a round that has not run yet. A closed round stays closed: its results are published."""
    if round_.status == RoundStatus.OPEN.value:
        raise DomainError(_("The round is already open."))
    if round_.status == RoundStatus.CLOSED.value:
        raise DomainError(_("A closed round cannot open again: its results are published."))
    round_.status = RoundStatus.OPEN.value
    round_.opened_at = utcnow()
    db.session.flush()


def close_round(round_: PriorityRound) -> None:
    if round_.status != RoundStatus.OPEN.value:
        raise DomainError(_("Only an open round can be closed."))
    round_.status = RoundStatus.CLOSED.value
    round_.closed_at = utcnow()
    db.session.flush()


def _locked_ballot(round_: PriorityRound, user: User) -> Ballot:
    """This person's ballot, created if needed, with its row locked until the transaction ends."""
    ballot_id = db.session.scalar(sa.select(Ballot.id).where(Ballot.round_id == round_.id, Ballot.user_id == user.id))
    if ballot_id is None:
        try:
            with unique_or(DomainError("exists")):
                ballot = Ballot(round_id=round_.id, user_id=user.id, voter_role=user.role)
                db.session.add(ballot)
            ballot_id = ballot.id
        except DomainError:
            ballot_id = db.session.scalar(
                sa.select(Ballot.id).where(Ballot.round_id == round_.id, Ballot.user_id == user.id)
            )
    # An UPDATE takes the row lock on PostgreSQL (SQLite's write requests are serialised already);
    # every read below then sees what the other request committed.
    db.session.execute(
        sa.update(Ballot)
        .where(Ballot.id == ballot_id)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    ballot = db.session.get(Ballot, ballot_id)
    db.session.refresh(ballot)
    return ballot


def my_points(round_: PriorityRound | None, user: User) -> dict[int, int]:
    if round_ is None or not getattr(user, "is_authenticated", False):
        return {}
    return dict(
        db.session.execute(
            sa.select(Allocation.issue_id, Allocation.points)
            .join(Ballot, Ballot.id == Allocation.ballot_id)
            .where(Ballot.round_id == round_.id, Ballot.user_id == user.id)
        )
        .tuples()
        .all()
    )


def set_points(user: User, round_: PriorityRound, issue: Issue, points: int) -> int:
    """Give `points` to one issue (0 takes them back). Returns the points this person has left.

    Locks, always in this order: the round and the issue (shared, so voters do not wait for each
    other), then the person's ballot. Closing the round or merging the issue waits for them.
    """
    round_ = db.session.scalar(
        sa.select(PriorityRound)
        .where(PriorityRound.id == round_.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    if round_.status != RoundStatus.OPEN.value:
        raise DomainError(_("The round of dividing points is not open."), "points")
    issue = lock_issue(issue.id, share=True)
    if issue is None or issue.process_id != round_.process_id:
        raise DomainError(_("You cannot give points to this issue."), "points")
    if points and (issue.status not in ACTIVE or not issue.is_visible):  # taking points back is always possible
        raise DomainError(_("You cannot give points to this issue."), "points")
    if not 0 <= points <= round_.max_per_issue:
        raise DomainError(_("Give between 0 and %(n)d points to one issue.", n=round_.max_per_issue), "points")
    ballot = _locked_ballot(round_, user)
    current = db.session.scalar(
        sa.select(Allocation).where(Allocation.ballot_id == ballot.id, Allocation.issue_id == issue.id)
    )
    used_elsewhere = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Allocation.points), 0)).where(
            Allocation.ballot_id == ballot.id, Allocation.issue_id != issue.id
        )
    )
    if used_elsewhere + points > round_.points_per_person:
        left = round_.points_per_person - used_elsewhere
        raise DomainError(
            _("You have %(n)d points left for this issue. Take points away from another issue first.", n=left),
            "points",
        )
    if points == 0 and current is not None:
        db.session.delete(current)
    elif points and current is None:
        db.session.add(Allocation(ballot_id=ballot.id, issue_id=issue.id, points=points))
    elif points and current is not None:
        current.points = points
    ballot.points_used = used_elsewhere + points
    db.session.flush()
    return round_.points_per_person - ballot.points_used


def recount_ballots(ballot_ids) -> None:
    """Set points_used from the allocations, for ballots whose allocations changed behind their back."""
    ids = list(ballot_ids)
    if not ids:
        return
    used = (
        sa.select(sa.func.coalesce(sa.func.sum(Allocation.points), 0))
        .where(Allocation.ballot_id == Ballot.id)
        .scalar_subquery()
    )
    db.session.execute(
        sa.update(Ballot)
        .where(Ballot.id.in_(ids))
        .values(points_used=used)
        .execution_options(synchronize_session=False)
    )


def release_points(issue_id: int) -> None:
    """An issue left the round (declined, withdrawn): its points go back to the people who gave them."""
    ballot_ids = list(db.session.scalars(sa.select(Allocation.ballot_id).where(Allocation.issue_id == issue_id)))
    db.session.execute(sa.delete(Allocation).where(Allocation.issue_id == issue_id))
    recount_ballots(ballot_ids)


@dataclass
class ResultRow:
    issue: Issue
    total: int
    residents: int
    partners: int
    voters: int


def totals_for(round_: PriorityRound, issue_ids: list[int]) -> dict[int, int]:
    """Total points of just these issues (an API page), without loading the whole ranking."""
    if not issue_ids:
        return {}
    rows = db.session.execute(
        sa.select(Allocation.issue_id, sa.func.sum(Allocation.points))
        .join(Ballot, Ballot.id == Allocation.ballot_id)
        .where(Ballot.round_id == round_.id, Allocation.issue_id.in_(issue_ids))
        .group_by(Allocation.issue_id)
    ).all()
    return {issue_id: int(total) for issue_id, total in rows}


def results(round_: PriorityRound, limit: int | None = None) -> list[ResultRow]:
    """The issues that got points, highest first, with the split between residents and partners."""
    resident = sa.case((Ballot.voter_role == Role.RESIDENT.value, Allocation.points), else_=0)
    partner = sa.case((Ballot.voter_role == Role.PARTNER.value, Allocation.points), else_=0)
    rows = db.session.execute(
        sa.select(
            Allocation.issue_id,
            sa.func.sum(Allocation.points).label("total"),
            sa.func.sum(resident).label("residents"),
            sa.func.sum(partner).label("partners"),
            sa.func.count(sa.distinct(Ballot.user_id)).label("voters"),
        )
        .join(Ballot, Ballot.id == Allocation.ballot_id)
        .where(Ballot.round_id == round_.id)
        .group_by(Allocation.issue_id)
        .order_by(sa.desc("total"), Allocation.issue_id)
        .limit(limit)
    ).all()
    issues = {
        i.id: i
        for i in db.session.scalars(
            sa.select(Issue).where(Issue.id.in_([r[0] for r in rows] or [-1]), Issue.visibility == "visible")
        )
    }
    return [ResultRow(issues[r[0]], r.total, r.residents, r.partners, r.voters) for r in rows if r[0] in issues]


def participation(round_: PriorityRound) -> dict[str, int]:
    """How many residents and partners took part (one person, one ballot)."""
    rows = (
        db.session.execute(
            sa.select(Ballot.voter_role, sa.func.count())
            .where(Ballot.round_id == round_.id, Ballot.points_used > 0)
            .group_by(Ballot.voter_role)
        )
        .tuples()
        .all()
    )
    return dict(rows)
