"""Proposing, changing, finding and discussing issues."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, Organisation, Role, Sector, User
from app.errors import DomainError, unique_or
from app.extensions import db
from app.issues import comments
from app.issues.models import (
    ACTIVE,
    Breadth,
    Comment,
    Follow,
    Issue,
    IssueDomain,
    IssueOrganisation,
    IssueStatus,
    IssueStatusChange,
    Report,
    Scale,
    Term,
)
from app.models_common import utcnow
from app.moderation.visibility import after_report, initial_visibility
from app.notifications import events
from app.submissions import SAME_WINDOW, AlreadyMade

TITLE_MAX = 140
DESCRIPTION_MAX = 10_000
COMMENT_MAX = comments.COMMENT_MAX
# Words too common to say two issues are alike.
STOPWORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "in",
        "op",
        "van",
        "voor",
        "met",
        "aan",
        "bij",
        "te",
        "is",
        "zijn",
        "er",
        "om",
        "door",
        "over",
        "als",
        "dat",
        "die",
        "dit",
        "niet",
        "wel",
        "meer",
        "nog",
        "ook",
        "naar",
        "uit",
        "of",
        "maar",
        "wij",
        "we",
        "ze",
        "je",
        "u",
        "hun",
        "onze",
        "the",
        "a",
        "an",
        "and",
        "of",
        "to",
        "for",
        "in",
        "on",
        "with",
        "is",
        "are",
        "be",
        "not",
        "more",
    ]
)


@dataclass
class IssueData:
    title: str
    description: str
    scale: str
    term: str
    breadth: str
    domains: list[str] = field(default_factory=list)
    place: str = ""
    involve_others: str = ""
    organisation_ids: list[int] = field(default_factory=list)


def search_text(title: str, description: str) -> str:
    return f"{title}\n{description}".lower()


def words(text: str) -> list[str]:
    """Meaningful lower-case words of a text, each once, for search and for finding similar issues."""
    found = [w for w in re.findall(r"[\w']+", text.lower()) if len(w) > 2 and w not in STOPWORDS]
    return list(dict.fromkeys(found))[:12]


def validate(data: IssueData) -> None:
    title = data.title.strip()
    if len(title) < 5:
        raise DomainError(_("Write a title of at least 5 characters."), "title")
    if len(title) > TITLE_MAX:
        raise DomainError(_("Keep the title under %(n)d characters.", n=TITLE_MAX), "title")
    if len(data.description.strip()) < 20:
        raise DomainError(
            _("Explain the issue in at least 20 characters: what is the problem or the idea?"), "description"
        )
    if len(data.description) > DESCRIPTION_MAX:
        raise DomainError(_("Keep the description under %(n)d characters.", n=DESCRIPTION_MAX), "description")
    for value, allowed, field_name in (
        (data.scale, Scale, "scale"),
        (data.term, Term, "term"),
        (data.breadth, Breadth, "breadth"),
    ):
        if value not in {m.value for m in allowed}:
            raise DomainError(_("Choose one of the options."), field_name)
    if not data.domains or any(d not in {s.value for s in Sector} for d in data.domains):
        raise DomainError(_("Choose at least one domain."), "domains")
    if data.breadth == Breadth.SINGLE.value and len(set(data.domains)) > 1:
        raise DomainError(_("An issue about one subject has one domain. Choose 'broad' for more domains."), "domains")


def apply_data(issue: Issue, data: IssueData) -> None:
    issue.title = data.title.strip()
    issue.description = data.description.strip()
    issue.scale, issue.term, issue.breadth = data.scale, data.term, data.breadth
    issue.place = data.place.strip()[:120]
    issue.involve_others = data.involve_others.strip()[:2000]
    issue.search_text = search_text(issue.title, issue.description)
    issue.set_domains(data.domains)
    organisation_ids = set(
        db.session.scalars(
            sa.select(Organisation.id).where(
                Organisation.id.in_(data.organisation_ids or [-1]), Organisation.verified.is_(True)
            )
        )
    )
    issue.involved_rows = [row for row in issue.involved_rows if row.organisation_id in organisation_ids]
    have = {row.organisation_id for row in issue.involved_rows}
    issue.involved_rows.extend(IssueOrganisation(organisation_id=i) for i in sorted(organisation_ids - have))


def just_proposed(author: User, process, data: IssueData) -> Issue | None:
    """The same issue by the same person a moment ago (the form sent twice), or None."""
    from app.issues.visibility import including_hidden

    return db.session.scalar(
        including_hidden(
            sa.select(Issue)
            .where(
                Issue.process_id == process.id,
                Issue.author_id == author.id,
                Issue.title == data.title.strip(),
                Issue.description == data.description.strip(),
                Issue.created_at >= utcnow() - SAME_WINDOW,
            )
            .order_by(Issue.id)
            .limit(1)
        )
    )


def propose(author: User, process, data: IssueData) -> Issue:
    """Publish an issue (or queue it for a check). Sent twice a moment apart: AlreadyMade with the first."""
    validate(data)
    sent_before = just_proposed(author, process, data)
    if sent_before is not None:
        raise AlreadyMade(sent_before)
    issue = Issue(
        process_id=process.id,
        author_id=author.id,
        status=IssueStatus.OPEN.value,
        author_was_resident=author.has_role(Role.RESIDENT),
        visibility=initial_visibility(author, process),
    )
    apply_data(issue, data)
    db.session.add(issue)
    db.session.flush()
    db.session.add(
        IssueStatusChange(
            issue_id=issue.id, from_status=None, to_status=IssueStatus.OPEN.value, changed_by_id=author.id
        )
    )
    db.session.add(Follow(issue_id=issue.id, user_id=author.id))  # authors follow their own issue
    db.session.flush()
    return issue


def classification(issue: Issue) -> dict:
    return {
        "domains": [d.value for d in issue.domains],
        "scale": issue.scale,
        "term": issue.term,
        "breadth": issue.breadth,
        "place": issue.place,
        "organisations": sorted(row.organisation_id for row in issue.involved_rows),
        "involve_others": issue.involve_others,
    }


def similar_issues(process_id: int, text: str, exclude_id: int | None = None, limit: int = 5) -> list[Issue]:
    """Active issues that share the most meaningful words with `text` (title first)."""
    terms = words(text)
    if not terms:
        return []
    score = sum(sa.case((Issue.search_text.like(f"%{_escape_like(t)}%", escape="\\"), 1), else_=0) for t in terms)
    stmt = (
        sa.select(Issue, score.label("score"))
        .where(Issue.process_id == process_id, Issue.status.in_(ACTIVE), Issue.visibility == "visible")
        .order_by(sa.desc("score"), Issue.support_count.desc(), Issue.id.desc())
        .limit(limit)
    )
    if exclude_id:
        stmt = stmt.where(Issue.id != exclude_id)
    needed = 1 if len(terms) <= 2 else 2
    return [issue for issue, hits in db.session.execute(stmt) if hits >= needed]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- the list -----------------------------------------------------------------------

SORTS = ("newest", "supported", "discussed", "random")


@dataclass
class IssueFilters:
    domain: str = ""
    scale: str = ""
    term: str = ""
    breadth: str = ""
    status: str = ""
    place: str = ""
    q: str = ""
    sort: str = "newest"


def list_query(process_id: int, filters: IssueFilters, seed: int = 1):
    # Hidden issues and those waiting for a check stay out of every list (moderators see them in the queue).
    stmt = sa.select(Issue).where(Issue.process_id == process_id, Issue.visibility == "visible")
    if filters.status:
        stmt = stmt.where(Issue.status == filters.status)
    else:
        stmt = stmt.where(Issue.status.in_(ACTIVE))
    for column, value in ((Issue.scale, filters.scale), (Issue.term, filters.term), (Issue.breadth, filters.breadth)):
        if value:
            stmt = stmt.where(column == value)
    if filters.place:
        stmt = stmt.where(sa.func.lower(Issue.place) == filters.place.strip().lower())
    if filters.domain:
        stmt = stmt.where(sa.exists().where(IssueDomain.issue_id == Issue.id, IssueDomain.domain == filters.domain))
    for term in words(filters.q):
        stmt = stmt.where(Issue.search_text.like(f"%{_escape_like(term)}%", escape="\\"))
    order = {
        "supported": (Issue.support_count.desc(), Issue.id.desc()),
        "discussed": (Issue.comment_count.desc(), Issue.id.desc()),
        # The same order for one visitor on every page, a different one for the next visitor:
        # no issue wins by always being first.
        "random": (_shuffled(seed), Issue.id),
    }.get(filters.sort, (Issue.created_at.desc(), Issue.id.desc()))
    return stmt.order_by(*order).options(
        selectinload(Issue.author).selectinload(User.memberships).selectinload(Membership.organisation)
    )


def count_active(process_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Issue)
        .where(Issue.process_id == process_id, Issue.status.in_(ACTIVE), Issue.visibility == "visible")
    )


def _shuffled(seed: int):
    """A per-visitor order in plain SQL: x = (id*K + seed) mod p, then order by x² mod p.

    The square makes it a real reshuffle per seed, not the same cycle starting elsewhere
    (every value stays below 2**62, so it fits 64-bit integers on SQLite and PostgreSQL).
    """
    big = sa.BigInteger()
    prime = sa.literal(2147483647, big)
    x = (sa.cast(Issue.id, big) * sa.literal(2654435761, big) + sa.literal(seed, big)) % prime
    return (x * x) % prime


def places(process_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Issue.place)
            .where(Issue.process_id == process_id, Issue.place != "", Issue.visibility == "visible")
            .group_by(Issue.place)
            .order_by(Issue.place)
            .limit(100)
        )
    )


# --- discussing -----------------------------------------------------------------------


def add_comment(author: User, issue: Issue, body: str, stance: str, kind: str, parent_id: int | None = None) -> Comment:
    """Place a reaction. The same reaction sent again a moment later raises AlreadyMade with the first."""
    body = comments.check(body, stance, kind)["body"]
    reply_to = None
    if parent_id:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.issue_id != issue.id:
            raise DomainError(_("The reaction you answer no longer exists."), "body")
        reply_to = parent.id  # the reaction answered: its author hears of it (app/notifications)
        parent_id = parent.parent_id or parent.id  # one level of replies: answers to answers join the thread
    sent_before = comments.just_placed(author.id, issue.id, parent_id, body)
    if sent_before is not None:
        raise AlreadyMade(sent_before)
    # Lock the issue row first and count only while it is open (a merge may be under way).
    counted = db.session.execute(
        sa.update(Issue)
        .where(Issue.id == issue.id, Issue.status.in_(ACTIVE))
        .values(comment_count=Issue.comment_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if counted != 1:
        raise DomainError(_("This issue is closed: it was merged, not chosen or withdrawn."), "body")
    comment = Comment(
        issue_id=issue.id,
        author_id=author.id,
        parent_id=parent_id,
        body=body,
        stance=stance,
        kind=kind,
        visibility=initial_visibility(author, issue.process),
    )
    db.session.add(comment)
    db.session.flush()
    if comment.visibility == "visible":
        record_first_response(author, issue)
        announce_comment(comment, issue, reply_to)
    # One waiting for a check is announced when a moderator lets it through (app/moderation/services.py).
    return comment


ANSWERING_ROLES = (Role.PARTNER, Role.WIJKREGISSEUR, Role.FACILITATOR, Role.WETHOUDER)


def is_answer(author: User | None, issue: Issue) -> bool:
    """A reaction by the municipality or a partner on a resident's issue answers it (the Groene Loper)."""
    return (
        author is not None
        and issue.author_was_resident
        and author.has_role(*ANSWERING_ROLES)
        and author.id != issue.author_id
    )


def announce_comment(comment: Comment, issue: Issue, reply_to: int | None = None) -> None:
    """Record that a reaction is there for others to see: once, when it is first shown.

    An answer of the municipality or a partner on a resident's issue is `issue_answered`, any other reply
    in a thread `comment_reply`, the rest `issue_reaction`. `reply_to` names the reaction answered (the thread
    keeps one level, so it may be a reply within the thread); it defaults to the thread's first reaction.
    """
    author = comment.author
    if is_answer(author, issue):
        kind = "issue_answered"
    elif comment.parent_id:
        kind = "comment_reply"
    else:
        kind = "issue_reaction"
    data = {"reply_to": reply_to or comment.parent_id} if comment.parent_id else {}
    events.record(kind, actor=author, issue=issue, comment=comment, **data)


def record_first_response(author: User, issue: Issue) -> None:
    """The Groene Loper: the first answer by the municipality or a partner to a resident's issue."""
    if is_answer(author, issue):
        db.session.execute(
            sa.update(Issue)
            .where(Issue.id == issue.id, Issue.first_response_at.is_(None))
            .values(first_response_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def response_stats(process_id: int) -> dict:
    """Median hours until a resident's issue got its first answer, and how many still wait."""
    rows = db.session.execute(
        sa.select(Issue.created_at, Issue.first_response_at).where(
            Issue.process_id == process_id,
            Issue.author_was_resident.is_(True),
            Issue.status.in_(ACTIVE),
        )
    ).all()
    waits = [(answered - created).total_seconds() / 3600 for created, answered in rows if answered]
    return {
        "answered": len(waits),
        "waiting": sum(1 for _created, answered in rows if answered is None),
        "median_hours": statistics.median(waits) if waits else None,
    }


def report(reporter: User, target_type: str, target_id: int, reason: str) -> Report:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DomainError(_("Tell us briefly what is wrong."), "reason")
    with unique_or(
        DomainError(_("You have already reported this. The neighbourhood director will look at it."), "reason")
    ):
        item = Report(target_type=target_type, target_id=target_id, reporter_id=reporter.id, reason=reason[:2000])
        db.session.add(item)
    after_report(target_type, target_id)
    return item


def is_following(user: User, issue: Issue) -> bool:
    return (
        db.session.scalar(sa.select(Follow.id).where(Follow.issue_id == issue.id, Follow.user_id == user.id))
        is not None
    )


def set_following(user: User, issue: Issue, follow: bool) -> bool:
    if not follow:
        db.session.execute(sa.delete(Follow).where(Follow.issue_id == issue.id, Follow.user_id == user.id))
        return False
    if not is_following(user, issue):
        try:
            with unique_or(DomainError("already following")):
                db.session.add(Follow(issue_id=issue.id, user_id=user.id))
        except DomainError:
            pass  # a double click: following already, which is what was asked
    return True
