"""Coherence between issues (samenhang): links between issues or their activities, with a note.

Only visible shortlisted issues can be linked (`targets`, checked again by `add_link`), and a link
shows only while both its issues are visible: a link to an issue hidden since stays stored (it is
back when the issue is restored) but no page names it meanwhile.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload

from app.agendas.models import Agenda, AgendaRevision, IssueLink, LinkKind
from app.errors import DomainError
from app.extensions import db
from app.issues.models import Issue, IssueStatus


def activities_of_many(issue_ids) -> dict[int, dict[str, str]]:
    """issue id -> {activity id: title} over the current revisions of their agendas, in one query."""
    ids = list(issue_ids)
    found: dict[int, dict[str, str]] = {i: {} for i in ids}
    if not ids:
        return found
    rows = db.session.execute(
        sa.select(Agenda.issue_id, AgendaRevision.document)
        .join(
            AgendaRevision,
            sa.and_(AgendaRevision.agenda_id == Agenda.id, AgendaRevision.number == Agenda.current_revision),
        )
        .where(Agenda.issue_id.in_(ids))
        .order_by(Agenda.horizon)
    ).all()
    for issue_id, doc in rows:
        for item in (doc or {}).get("items", []):
            found[issue_id][item["id"]] = item.get("title", "")
    return found


def activities_of(issue_id: int) -> dict[str, str]:
    """activity id -> title, over the issue's three agendas."""
    return activities_of_many([issue_id])[issue_id]


def titles_for(links_) -> dict[tuple[int, str], str]:
    """(issue id, activity id) -> title for every activity these links mention."""
    by_issue = activities_of_many({link.from_issue_id for link in links_} | {link.to_issue_id for link in links_})
    return {
        (issue_id, activity_id): title for issue_id, acts in by_issue.items() for activity_id, title in acts.items()
    }


def targets(issue: Issue) -> list[tuple[int, str]]:
    """(id, title) of the issues a link from `issue` may point to: visible, shortlisted, same process."""
    return list(
        db.session.execute(
            sa.select(Issue.id, Issue.title)
            .where(
                Issue.process_id == issue.process_id,
                Issue.status == IssueStatus.SHORTLISTED.value,
                Issue.visibility == "visible",
            )
            .order_by(Issue.title, Issue.id)
        ).tuples()
    )


def add_link(
    user,
    from_issue: Issue,
    to_issue_id: int | None,
    kind: str,
    note: str,
    from_activity: str = "",
    to_activity: str = "",
) -> IssueLink:
    to_issue = db.session.get(Issue, to_issue_id) if to_issue_id else None
    if (
        to_issue is None
        or to_issue.process_id != from_issue.process_id
        or to_issue.status != IssueStatus.SHORTLISTED.value
        or not to_issue.is_visible  # the same answer as for no issue at all: it does not exist for others
    ):
        raise DomainError(_("Choose an issue of this process that was chosen for an agenda."), "target")
    if kind not in {k.value for k in LinkKind}:
        raise DomainError(_("Choose one of the options."), "kind")
    if from_activity and from_activity not in activities_of(from_issue.id):
        raise DomainError(_("Choose an activity of this issue."), "from_activity")
    if to_activity and to_activity not in activities_of(to_issue.id):
        raise DomainError(_("Choose an activity of the other issue."), "target")
    if to_issue.id == from_issue.id and from_activity == to_activity:
        raise DomainError(_("A link needs two different things."), "target")
    note = (note or "").strip()
    if len(note) < 5:
        raise DomainError(_("Explain the link in a few words."), "note")
    link = IssueLink(
        process_id=from_issue.process_id,
        from_issue_id=from_issue.id,
        from_activity=from_activity,
        to_issue_id=to_issue.id,
        to_activity=to_activity,
        kind=kind,
        note=note[:2000],
        created_by_id=user.id,
    )
    db.session.add(link)
    db.session.flush()
    return link


def _loaded(stmt):
    """The links of `stmt` whose two issues are both visible, with those issues."""
    from_issue, to_issue = aliased(Issue), aliased(Issue)
    stmt = (
        stmt.join(from_issue, from_issue.id == IssueLink.from_issue_id)
        .join(to_issue, to_issue.id == IssueLink.to_issue_id)
        .where(from_issue.visibility == "visible", to_issue.visibility == "visible")
    )
    return list(db.session.scalars(stmt.options(selectinload(IssueLink.from_issue), selectinload(IssueLink.to_issue))))


def links_of(issue_id: int) -> list[IssueLink]:
    """Links from and to this issue: they show on both sides."""
    return _loaded(
        sa.select(IssueLink)
        .where(sa.or_(IssueLink.from_issue_id == issue_id, IssueLink.to_issue_id == issue_id))
        .order_by(IssueLink.created_at)
    )


def links_of_process(process_id: int) -> list[IssueLink]:
    return _loaded(
        sa.select(IssueLink).where(IssueLink.process_id == process_id).order_by(IssueLink.kind, IssueLink.created_at)
    )


def remove_link(link: IssueLink) -> None:
    db.session.delete(link)
    db.session.flush()
