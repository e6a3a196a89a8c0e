"""Decisions on issues: shortlisting for the agendas, merging, declining and withdrawing.

Every decision is a status change with a written reason, shown in the issue's history
and, for the shortlist, on the process page (principle 6: from many issues to a few).

The history holds two kinds of entries: *decisions* (a change of status, with its reason) and
*merge notes* on the target of a merge (the status stays the same; `merged_from_id` names what joined
it). A place that shows "the decision that shortlisted it" must ask for that decision
(`latest_decisions`), never for the newest entry: a later merge note is not a decision.

Decisions are only taken on visible issues: deciding on a hidden issue, or one waiting for a check,
would show it (a shortlist lists it, a merge moves its reactions under a visible issue and names it).
The services refuse it themselves, so the issue page, the moderation page and the CLI all hold the rule.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, User
from app.errors import DomainError
from app.extensions import db
from app.issues.models import (
    ACTIVE,
    Allocation,
    Comment,
    Follow,
    Issue,
    IssueStatus,
    IssueStatusChange,
    Support,
    label,
    lock_issue,
)
from app.issues.voting import release_points
from app.models_common import utcnow
from app.notifications import events

# Which decisions an issue in each status can still get (the services below enforce the same).
POSSIBLE = {
    IssueStatus.OPEN.value: ("shortlist", "merge", "decline"),
    IssueStatus.SHORTLISTED.value: ("merge", "decline", "reopen"),
    IssueStatus.DECLINED.value: ("reopen",),
}


def possible(issue: Issue) -> tuple[str, ...]:
    if not issue.is_visible:
        return ()
    return POSSIBLE.get(issue.status, ())


def is_decision():
    """SQL: the history entry is a decision (a change of status), not a merge note on the target."""
    return sa.and_(
        IssueStatusChange.merged_from_id.is_(None),
        sa.or_(IssueStatusChange.from_status.is_(None), IssueStatusChange.from_status != IssueStatusChange.to_status),
    )


def _require_shown(*issues: Issue, field: str = "reason") -> None:
    if not all(issue.is_visible for issue in issues):
        raise DomainError(
            _(
                "A decision on an issue that is hidden or waits for a check would show it to everyone. "
                "Restore or approve it in the moderation first."
            ),
            field,
        )


def _reason(text: str, minimum: int = 10) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        raise DomainError(_("Write down why, in at least %(n)d characters. Everyone can read it.", n=minimum), "reason")
    return text[:5000]


def _change(actor, issue: Issue, to_status: str, reason: str, allowed_from=ACTIVE, shown=True) -> None:
    """Compare and set, so two people deciding at once cannot both change the same status.

    `shown`: the issue must be visible (every decision but the author's own withdrawal).
    """
    if shown:
        _require_shown(issue)
    old = issue.status
    if old not in allowed_from:
        raise DomainError(
            _("This decision is not possible for an issue that is %(status)s.", status=label(old)), "reason"
        )
    guard = [Issue.id == issue.id, Issue.status == old]
    if shown:
        guard.append(Issue.visibility == "visible")  # hidden a moment ago: refused like a lost race
    changed = db.session.execute(
        sa.update(Issue)
        .where(*guard)
        .values(status=to_status, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise DomainError(_("Someone else decided on this issue a moment ago. Look at the page again."), "reason")
    db.session.add(
        IssueStatusChange(
            issue_id=issue.id, from_status=old, to_status=to_status, reason=reason, changed_by_id=actor.id
        )
    )
    db.session.flush()
    db.session.refresh(issue)
    if to_status in (IssueStatus.DECLINED.value, IssueStatus.WITHDRAWN.value):
        release_points(issue.id)  # the people who gave points to it get them back


def shortlist(actor, issue: Issue, rationale: str) -> None:
    rationale = _reason(rationale)
    _change(actor, issue, IssueStatus.SHORTLISTED.value, rationale, allowed_from=(IssueStatus.OPEN.value,))
    events.record("issue_shortlisted", actor=actor, issue=issue, rationale=events.quote(rationale))


def reopen(actor, issue: Issue, reason: str) -> None:
    reason = _reason(reason)
    _change(
        actor,
        issue,
        IssueStatus.OPEN.value,
        reason,
        allowed_from=(IssueStatus.SHORTLISTED.value, IssueStatus.DECLINED.value),
    )
    events.record("issue_reopened", actor=actor, issue=issue, reason=events.quote(reason))


def decline(actor, issue: Issue, reason: str) -> None:
    reason = _reason(reason)
    _change(actor, issue, IssueStatus.DECLINED.value, reason)
    events.record("issue_declined", actor=actor, issue=issue, reason=events.quote(reason))


def withdraw(author, issue: Issue, reason: str) -> None:
    reason = _reason(reason, minimum=5)
    _change(
        author,
        issue,
        IssueStatus.WITHDRAWN.value,
        reason,
        allowed_from=(IssueStatus.OPEN.value,),
        shown=False,  # authors may withdraw their issue also while it waits for a check
    )
    # supporters and followers hear of it (their points went back); one waiting for a check was never shown
    events.record("issue_withdrawn", actor=author, issue=issue, reason=events.quote(reason))


def merge(actor, source: Issue, target: Issue, reason: str) -> None:
    """Merge `source` into `target`: supports, points, comments and followers move; nobody counts twice.

    Both must be visible: the source's reactions move under the target and the target's history names
    the source, so merging a hidden issue would publish it (and merging into one would hide the source).
    """
    reason = _reason(reason)
    if target.id == source.id:
        raise DomainError(_("Choose another issue to merge into."), "target_id")
    # Lock both issues, lowest id first, and look again: every support, comment or point waits now.
    locked = {i.id: lock_issue(i.id) for i in sorted((source, target), key=lambda i: i.id)}
    source, target = locked[source.id], locked[target.id]
    _require_shown(source)
    if target.process_id != source.process_id or target.status not in ACTIVE or not target.is_visible:
        raise DomainError(_("You can only merge into an open issue of the same process."), "target_id")

    _change(actor, source, IssueStatus.MERGED.value, reason)
    source.merged_into_id = target.id
    # Recorded before its supporters and followers move to the target: they are who hear of it.
    events.record(
        "issue_merged",
        actor=actor,
        issue=source,
        target_id=target.id,
        target_title=target.title,
        reason=events.quote(reason),
    )
    db.session.add(  # the target's history says what joined it, and why
        IssueStatusChange(
            issue_id=target.id,
            from_status=target.status,
            to_status=target.status,
            merged_from_id=source.id,
            reason=reason,
            changed_by_id=actor.id,
        )
    )

    # People who supported or followed both keep one row, on the target.
    for model in (Support, Follow):
        _move_per_person(model, source.id, target.id)

    _merge_points(source, target)

    # Comments stay, now under the target, in their threads.
    db.session.execute(
        sa.update(Comment)
        .where(Comment.issue_id == source.id)
        .values(issue_id=target.id)
        .execution_options(synchronize_session=False)
    )
    if source.first_response_at and (
        target.first_response_at is None or source.first_response_at < target.first_response_at
    ):
        target.first_response_at = source.first_response_at
    _recount(target.id)
    _recount(source.id)
    db.session.flush()
    db.session.refresh(target)


def _move_per_person(model, source_id: int, target_id: int) -> None:
    """Move one-per-person rows (supports, follows) to the target, keeping one where a person has both."""
    on_target = sa.select(model.user_id).where(model.issue_id == target_id)
    db.session.execute(
        sa.update(model)
        .where(model.issue_id == source_id, model.user_id.not_in(on_target))
        .values(issue_id=target_id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(sa.delete(model).where(model.issue_id == source_id))


def _merge_points(source: Issue, target: Issue) -> None:
    """A person's points on both issues join on the target, up to the most one issue may get."""
    from app.issues.voting import get_round, recount_ballots

    round_ = get_round(source.process_id)
    if round_ is None:
        return
    touched = set()
    for allocation in db.session.scalars(sa.select(Allocation).where(Allocation.issue_id == source.id)).all():
        touched.add(allocation.ballot_id)
        on_target = db.session.scalar(
            sa.select(Allocation).where(Allocation.ballot_id == allocation.ballot_id, Allocation.issue_id == target.id)
        )
        if on_target is None:
            allocation.issue_id = target.id
        else:
            on_target.points = min(round_.max_per_issue, on_target.points + allocation.points)
            db.session.delete(allocation)
    db.session.flush()
    recount_ballots(touched)  # points above the maximum go back to their owners


def _recount(issue_id: int) -> None:
    supports = sa.select(sa.func.count()).select_from(Support).where(Support.issue_id == issue_id).scalar_subquery()
    comments = sa.select(sa.func.count()).select_from(Comment).where(Comment.issue_id == issue_id).scalar_subquery()
    db.session.execute(
        sa.update(Issue)
        .where(Issue.id == issue_id)
        .values(support_count=supports, comment_count=comments)
        .execution_options(synchronize_session=False)
    )


def history(issue: Issue) -> list[IssueStatusChange]:
    who = (
        selectinload(IssueStatusChange.changed_by).selectinload(User.memberships).selectinload(Membership.organisation)
    )
    return list(
        db.session.scalars(
            sa.select(IssueStatusChange)
            .where(IssueStatusChange.issue_id == issue.id)
            .order_by(IssueStatusChange.changed_at, IssueStatusChange.id)
            .options(who, selectinload(IssueStatusChange.merged_from))
        )
    )


def latest_decisions(issue_ids, to_status: str) -> dict[int, IssueStatusChange]:
    """issue id -> the newest decision that gave it `to_status` (merge notes are no decisions), in one query."""
    ids = list(issue_ids)
    if not ids:
        return {}
    found = {}
    for change in db.session.scalars(
        sa.select(IssueStatusChange)
        .where(IssueStatusChange.issue_id.in_(ids), IssueStatusChange.to_status == to_status, is_decision())
        .order_by(IssueStatusChange.changed_at, IssueStatusChange.id)
    ):
        found[change.issue_id] = change  # the newest wins (shortlisted, reopened, shortlisted again)
    return found


def shortlisted(process_id: int) -> list[tuple[Issue, IssueStatusChange | None]]:
    """The visible shortlisted issues of a process with the decision that put them there."""
    issues = list(
        db.session.scalars(
            sa.select(Issue)
            .where(
                Issue.process_id == process_id,
                Issue.status == IssueStatus.SHORTLISTED.value,
                Issue.visibility == "visible",
            )
            .order_by(Issue.support_count.desc(), Issue.id)
        )
    )
    decisions = latest_decisions([i.id for i in issues], IssueStatus.SHORTLISTED.value)
    return [(issue, decisions.get(issue.id)) for issue in issues]
