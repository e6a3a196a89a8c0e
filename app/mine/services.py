"""What "Mijn pagina" shows of a person's own contributions: issues, reactions, support, follows and points.

Each list is a page of rows and then what those rows need (history, replies, links), read for the whole
page at once: a fixed number of queries whether someone wrote three reactions or three thousand.

Visibility follows the issue page (app/issues/visibility.py, `issue_or_404` and `_comment.html`): people
see their own hidden or unchecked issues and reactions, marked, with the moderators' note; never someone
else's. So the lists of one's own things ask for hidden rows explicitly (`all_rows()`), and everything about
others (the issue a reaction is on, the replies to it, the issue one's issue was merged into) is read under
the normal rule. Unpublished processes stay out either way (app/processes/visibility.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import lazyload, selectinload

from app.extensions import db
from app.issues import threads
from app.issues.decisions import is_decision
from app.issues.models import (
    ACTIVE,
    Allocation,
    Ballot,
    Comment,
    Follow,
    Issue,
    IssueStatusChange,
    PriorityRound,
    Support,
)
from app.issues.visibility import all_rows, including_hidden
from app.issues.waiting import overdue_before, target_days
from app.models_common import utcnow
from app.processes.models import Process
from app.workdays import working_days_between

PREVIEW = 5  # items of each list on the overview
PER_PAGE = 20  # items on a list's own page
MAX_POINTS_ROWS = 100  # points are bounded by the rounds' budgets; this bounds the page whatever happens


def _issue_list(stmt):
    """Issues for a list: their process, not their domains (not shown here; `domain_rows` loads eagerly)."""
    return stmt.options(selectinload(Issue.process), lazyload(Issue.domain_rows))


# --- my issues ------------------------------------------------------------------------------------


@dataclass
class IssueStanding:
    """One of my issues and where it stands."""

    issue: Issue
    latest: IssueStatusChange | None  # the newest entry of its history: a decision, or a merge into it
    decision: IssueStatusChange | None  # the decision that gave it its status now, with its reason
    merged_into: sa.Row | None  # where it went (id, title), when that issue is shown to everyone
    waiting_days: int | None  # working days waiting for a first answer (residents' open issues only)
    overdue: bool  # waiting longer than the Groene Loper promises

    @property
    def answered(self) -> bool:
        return self.issue.first_response_at is not None

    @property
    def feedback_is_news(self) -> bool:
        """The neighbourhood director's feedback came after the last change of status."""
        feedback_at = self.issue.feedback_at
        return (
            bool(self.issue.feedback)
            and feedback_at is not None
            and (self.latest is None or feedback_at >= self.latest.changed_at)
        )


def my_issues(user, page: int = 1, per_page: int = PER_PAGE):
    """A page of the issues this person proposed, newest first, hidden and withdrawn ones included.

    Returns the pagination and the `IssueStanding` of each of its items (about seven queries in all).
    """
    stmt = _issue_list(sa.select(Issue).where(Issue.author_id == user.id)).order_by(
        Issue.created_at.desc(), Issue.id.desc()
    )
    with all_rows():  # one's own hidden issues too; the page marks them
        found = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    return found, standings(found.items)


def standings(issues: list[Issue]) -> list[IssueStanding]:
    ids = [i.id for i in issues]
    latest = _newest_per_issue(ids)
    decisions = _newest_per_issue(ids, is_decision())
    targets = {i.merged_into_id for i in issues if i.merged_into_id}
    shown_targets = {}
    if targets:  # under the normal rule: a hidden target is not named
        found = db.session.execute(sa.select(Issue.id, Issue.title).where(Issue.id.in_(targets)))
        shown_targets = {row.id: row for row in found}
    now = utcnow()
    overdue_from = overdue_before(now)
    result = []
    for issue in issues:
        waiting = _is_waiting(issue)
        result.append(
            IssueStanding(
                issue=issue,
                latest=latest.get(issue.id),
                decision=decisions.get(issue.id),
                merged_into=shown_targets.get(issue.merged_into_id),
                waiting_days=working_days_between(issue.created_at, now) if waiting else None,
                overdue=waiting and issue.created_at < overdue_from,
            )
        )
    return result


def _is_waiting(issue: Issue) -> bool:
    """A resident's issue that is still in play and has no first answer yet (the Groene Loper)."""
    return (
        issue.author_was_resident
        and issue.status in ACTIVE
        and issue.first_response_at is None
        and issue.visibility == "visible"
    )


def _newest_per_issue(issue_ids: list[int], *where) -> dict[int, IssueStatusChange]:
    """issue id -> its newest history entry (matching `where`), in one query."""
    if not issue_ids:
        return {}
    newest = sa.func.row_number().over(
        partition_by=IssueStatusChange.issue_id,
        order_by=(IssueStatusChange.changed_at.desc(), IssueStatusChange.id.desc()),
    )
    ranked = (
        sa.select(IssueStatusChange.id, newest.label("newest"))
        .where(IssueStatusChange.issue_id.in_(issue_ids), *where)
        .subquery()
    )
    stmt = sa.select(IssueStatusChange).join(ranked, ranked.c.id == IssueStatusChange.id).where(ranked.c.newest == 1)
    return {change.issue_id: change for change in db.session.scalars(stmt)}


def groene_loper_days() -> int:
    return target_days()


# --- my reactions ---------------------------------------------------------------------------------


@dataclass
class MyComment:
    comment: Comment
    issue: Issue | None  # the issue it is on, when this person may see it (None: hidden by moderation)
    url: str  # where it is shown
    replies: int  # replies by others that everyone sees
    latest_reply: Comment | None
    latest_reply_url: str | None


def my_comments(user, page: int = 1, per_page: int = PER_PAGE):
    """A page of this person's reactions, newest first, with the replies of others to each.

    Their own hidden, unchecked and withdrawn reactions are listed (marked); replies only when shown to everyone.
    """
    stmt = (
        sa.select(Comment)
        .join(Issue, Issue.id == Comment.issue_id)  # leaves out unpublished processes (their rule stays on)
        .where(Comment.author_id == user.id)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    with all_rows():
        found = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    comments = found.items
    issues = _issues_seen_by(user, {c.issue_id for c in comments})
    # Replies only where the issue is shown to this person: a hidden issue's reactions are not (the issue page).
    latest, counts = _replies_of_others(user, [c.id for c in comments if c.parent_id is None and c.issue_id in issues])
    urls = threads.urls_of([*comments, *latest.values()])
    items = [
        MyComment(
            comment=c,
            issue=issues.get(c.issue_id),
            url=urls[c.id],
            replies=counts.get(c.id, 0),
            latest_reply=latest.get(c.id),
            latest_reply_url=urls[latest[c.id].id] if c.id in latest else None,
        )
        for c in comments
    ]
    return found, items


def _issues_seen_by(user, ids: set[int]) -> dict[int, Issue]:
    """These issues, when visible or this person's own (the issue page's rule), in one query."""
    if not ids:
        return {}
    stmt = _issue_list(
        sa.select(Issue).where(Issue.id.in_(ids), sa.or_(Issue.visibility == "visible", Issue.author_id == user.id))
    )
    return {i.id: i for i in db.session.scalars(including_hidden(stmt))}


def _replies_of_others(user, thread_ids: list[int]) -> tuple[dict[int, Comment], dict[int, int]]:
    """The newest visible reply by someone else under each of these reactions, and how many there are."""
    if not thread_ids:
        return {}, {}
    others = sa.or_(Comment.author_id.is_(None), Comment.author_id != user.id)
    ranked = (
        sa.select(
            Comment.id,
            sa.func.row_number()
            .over(partition_by=Comment.parent_id, order_by=(Comment.created_at.desc(), Comment.id.desc()))
            .label("newest"),
            sa.func.count().over(partition_by=Comment.parent_id).label("total"),
        )
        .where(Comment.parent_id.in_(thread_ids), Comment.visibility == "visible", others)
        .subquery()
    )
    stmt = threads.with_authors(
        sa.select(Comment, ranked.c.total).join(ranked, ranked.c.id == Comment.id).where(ranked.c.newest == 1)
    )
    latest, counts = {}, {}
    for reply, total in db.session.execute(stmt).tuples():
        latest[reply.parent_id] = reply
        counts[reply.parent_id] = total
    return latest, counts


# --- what I support, follow and gave points to ---------------------------------------------------


def supported(user, page: int = 1, per_page: int = PER_PAGE):
    """Visible issues this person supports, most recently supported first."""
    stmt = _issue_list(
        sa.select(Issue).join(Support, Support.issue_id == Issue.id).where(Support.user_id == user.id)
    ).order_by(Support.created_at.desc(), Support.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def followed(user, page: int = 1, per_page: int = PER_PAGE):
    """Visible issues this person follows, most recently followed first."""
    stmt = _issue_list(
        sa.select(Issue).join(Follow, Follow.issue_id == Issue.id).where(Follow.user_id == user.id)
    ).order_by(Follow.created_at.desc(), Follow.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


@dataclass
class BallotSummary:
    round: PriorityRound
    used: int
    given: list[tuple[Issue, int]]  # the visible issues this person gave points to, most points first


def points(user) -> list[BallotSummary]:
    """Per prioritisation round this person took part in: the points they gave, to which issues (two queries)."""
    rows = db.session.execute(
        sa.select(Ballot, PriorityRound)
        .join(PriorityRound, PriorityRound.id == Ballot.round_id)
        .where(Ballot.user_id == user.id)
        .order_by(PriorityRound.id.desc())
        .options(selectinload(PriorityRound.process))
    ).all()
    if not rows:
        return []
    given: dict[int, list[tuple[Issue, int]]] = {}
    stmt = (
        sa.select(Allocation.ballot_id, Issue, Allocation.points)
        .join(Issue, Issue.id == Allocation.issue_id)
        .where(Allocation.ballot_id.in_([ballot.id for ballot, _round in rows]))
        .order_by(Allocation.points.desc(), Issue.title, Issue.id)
        .limit(MAX_POINTS_ROWS)
        .options(lazyload(Issue.domain_rows))
    )
    for ballot_id, issue, count in db.session.execute(stmt).tuples():
        given.setdefault(ballot_id, []).append((issue, count))
    return [BallotSummary(round_, ballot.points_used, given.get(ballot.id, [])) for ballot, round_ in rows]


# --- where to begin ----------------------------------------------------------------------------------


def recent_processes(limit: int = 10) -> list[Process]:
    """The newest processes this person may see, for the empty states ("take part: ...")."""
    return list(db.session.scalars(sa.select(Process).order_by(Process.created_at.desc()).limit(limit)))
