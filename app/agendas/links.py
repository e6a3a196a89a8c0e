"""Coherence between issues (samenhang): links between issues or their activities, with a note."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.agendas.models import IssueLink, LinkKind
from app.agendas.services import agendas_of, document
from app.errors import DomainError
from app.extensions import db
from app.issues.models import Issue, IssueStatus


def activities_of(issue_id: int) -> dict[str, str]:
    """activity id -> title, over the issue's three agendas."""
    found = {}
    for agenda in agendas_of(issue_id).values():
        for item in document(agenda)["items"]:
            found[item["id"]] = item.get("title", "")
    return found


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
    if to_issue is None or to_issue.process_id != from_issue.process_id or to_issue.status == IssueStatus.MERGED.value:
        raise DomainError(_("Choose an issue of this process."), "to_issue")
    if kind not in {k.value for k in LinkKind}:
        raise DomainError(_("Choose one of the options."), "kind")
    if from_activity and from_activity not in activities_of(from_issue.id):
        raise DomainError(_("Choose an activity of this issue."), "from_activity")
    if to_activity and to_activity not in activities_of(to_issue.id):
        raise DomainError(_("Choose an activity of the other issue."), "to_activity")
    if to_issue.id == from_issue.id and from_activity == to_activity:
        raise DomainError(_("A link needs two different things."), "to_issue")
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
