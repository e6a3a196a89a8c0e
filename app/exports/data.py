"""The open data of one process, read from the database in pages.

Every table is a generator of plain row dicts: it reads 1,000 rows per query (keyset
pagination by id), so a bundle of 10,000 issues never holds them all at once.

Privacy, the same everywhere (see `README.txt` in the bundle and issue #7):
- no e-mail address: not a column, and any address typed into free text is replaced;
- a person's name only when they chose to show it (`User.public_name`), otherwise their
  organisation (partners) or their role ("bewoner");
- votes only as totals per issue, never per person, and points only once the round is closed;
- only visible issues and comments (hidden, pending and auto-hidden ones are left out).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, Organisation, Role, User
from app.extensions import db
from app.issues.models import Allocation, Ballot, Comment, Issue, IssueDomain, RoundStatus
from app.processes.models import Process

PAGE_SIZE = 1000
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
EMAIL_REPLACEMENT = "[e-mailadres weggelaten]"


def scrub(value):
    """Free text as exported: any e-mail address in it replaced."""
    if isinstance(value, str) and "@" in value:
        return EMAIL.sub(EMAIL_REPLACEMENT, value)
    return value


def _clean(row: dict) -> dict:
    return {key: scrub(value) for key, value in row.items()}


def _pages(stmt: sa.Select, id_column, size: int | None = None) -> Iterator[list]:
    """Rows of `stmt` in pages of `size` (PAGE_SIZE), ordered by `id_column`, each page one query (keyset)."""
    size = size or PAGE_SIZE
    last = None
    while True:
        page_stmt = stmt if last is None else stmt.where(id_column > last)
        page_stmt = page_stmt.order_by(id_column).limit(size)
        rows = db.session.execute(page_stmt).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id
        if len(rows) < size:
            return


def public_names(user_ids) -> dict[int, str]:
    """The public name of each of these people (one query with their organisations)."""
    wanted = {uid for uid in user_ids if uid is not None}
    if not wanted:
        return {}
    users = db.session.scalars(
        sa.select(User)
        .where(User.id.in_(wanted))
        .options(selectinload(User.memberships).selectinload(Membership.organisation))
    )
    return {user.id: str(user.public_name) for user in users}


def _name(names: dict[int, str], user_id: int | None) -> str:
    return names.get(user_id, "") if user_id is not None else ""


def closed_round(process: Process):
    """The prioritisation round when it is closed (its totals may be published), else None."""
    from app.issues import voting

    round_ = voting.get_round(process.id)
    if round_ is None or round_.status != RoundStatus.CLOSED.value:
        return None
    return round_


# --- tables ------------------------------------------------------------------------------------


def issues(process: Process) -> Iterator[dict]:
    round_ = closed_round(process)
    stmt = sa.select(
        Issue.id,
        Issue.title,
        Issue.description,
        Issue.status,
        Issue.scale,
        Issue.term,
        Issue.breadth,
        Issue.place,
        Issue.support_count,
        Issue.comment_count,
        Issue.merged_into_id,
        Issue.created_at,
        Issue.author_id,
    ).where(Issue.process_id == process.id, Issue.visibility == "visible")
    for rows in _pages(stmt, Issue.id):
        ids = [r.id for r in rows]
        domains: dict[int, list[str]] = {}
        for issue_id, domain in db.session.execute(
            sa.select(IssueDomain.issue_id, IssueDomain.domain)
            .where(IssueDomain.issue_id.in_(ids))
            .order_by(IssueDomain.issue_id, IssueDomain.domain)
        ):
            domains.setdefault(issue_id, []).append(domain)
        points = _totals(round_, ids) if round_ is not None else None
        names = public_names(r.author_id for r in rows)
        for r in rows:
            yield _clean(
                {
                    "id": r.id,
                    "title": r.title,
                    "description": r.description,
                    "status": r.status,
                    "domains": domains.get(r.id, []),
                    "scale": r.scale,
                    "term": r.term,
                    "breadth": r.breadth,
                    "place": r.place,
                    "support_count": r.support_count,
                    "comment_count": r.comment_count,
                    "priority_points": points.get(r.id, {}).get("total", 0) if points is not None else None,
                    "merged_into": r.merged_into_id,
                    "created_at": r.created_at,
                    "author": _name(names, r.author_id),
                }
            )


def comments(process: Process) -> Iterator[dict]:
    """Visible comments on visible issues, a page of issues at a time.

    Paging the comments themselves by id made SQLite use the comments-by-issue index and sort all of a
    process's comments for every page (quadratic at 30,000 comments); per page of issue ids, the index
    gives each issue's comments in order without a sort of the whole table.
    """
    visible_issues = sa.select(Issue.id).where(Issue.process_id == process.id, Issue.visibility == "visible")
    columns = sa.select(
        Comment.id,
        Comment.issue_id,
        Comment.parent_id,
        Comment.kind,
        Comment.stance,
        Comment.created_at,
        Comment.author_id,
        Comment.body,
    )
    for issues in _pages(visible_issues, Issue.id, size=max(1, PAGE_SIZE // 5)):  # about 3 comments per issue
        rows = db.session.execute(
            columns.where(Comment.issue_id.in_([i.id for i in issues]), Comment.visibility == "visible").order_by(
                Comment.issue_id, Comment.id
            )
        ).all()
        names = public_names(r.author_id for r in rows)
        for r in rows:
            yield _clean(
                {
                    "id": r.id,
                    "issue_id": r.issue_id,
                    "parent_id": r.parent_id,
                    "kind": r.kind,
                    "stance": r.stance,
                    "created_at": r.created_at,
                    "author": _name(names, r.author_id),
                    "text": r.body,
                }
            )


def _totals(round_, issue_ids: list[int]) -> dict[int, dict]:
    """Points per issue in this round, summed; never who gave them."""
    resident = sa.case((Ballot.voter_role == Role.RESIDENT.value, Allocation.points), else_=0)
    partner = sa.case((Ballot.voter_role == Role.PARTNER.value, Allocation.points), else_=0)
    rows = db.session.execute(
        sa.select(
            Allocation.issue_id,
            sa.func.sum(Allocation.points),
            sa.func.sum(resident),
            sa.func.sum(partner),
            sa.func.count(sa.distinct(Ballot.user_id)),
        )
        .join(Ballot, Ballot.id == Allocation.ballot_id)
        .where(Ballot.round_id == round_.id, Allocation.issue_id.in_(issue_ids))
        .group_by(Allocation.issue_id)
    ).all()
    return {
        r[0]: {"total": int(r[1] or 0), "residents": int(r[2] or 0), "partners": int(r[3] or 0), "voters": int(r[4])}
        for r in rows
    }


def votes(process: Process) -> Iterator[dict]:
    """Per issue: its supports and, once the round is closed, its points (split by residents and partners)."""
    round_ = closed_round(process)
    stmt = sa.select(Issue.id, Issue.title, Issue.status, Issue.support_count).where(
        Issue.process_id == process.id, Issue.visibility == "visible"
    )
    for rows in _pages(stmt, Issue.id):
        totals = _totals(round_, [r.id for r in rows]) if round_ is not None else {}
        for r in rows:
            found = totals.get(r.id, {})
            closed = round_ is not None
            yield _clean(
                {
                    "issue_id": r.id,
                    "title": r.title,
                    "status": r.status,
                    "supports": r.support_count,
                    "priority_points": found.get("total", 0) if closed else None,
                    "points_from_residents": found.get("residents", 0) if closed else None,
                    "points_from_partners": found.get("partners", 0) if closed else None,
                    "voters": found.get("voters", 0) if closed else None,
                }
            )


def _organisation_names() -> dict[str, str]:
    from app.agendas import services as agendas

    names = {str(i): n for i, n in db.session.execute(sa.select(Organisation.id, Organisation.name)).all()}
    municipality = db.session.scalar(
        sa.select(Organisation.name).where(Organisation.kind == "municipality").order_by(Organisation.id).limit(1)
    )
    names[agendas.MUNICIPALITY] = municipality or "gemeente"
    return names


def _agenda_pages(process: Process):
    from app.agendas import services as agendas
    from app.agendas.models import Agenda

    stmt = (
        sa.select(Agenda.id, Agenda.issue_id, Agenda.horizon, Agenda.status, Issue.title.label("issue_title"))
        .join(Issue, Issue.id == Agenda.issue_id)
        .where(Issue.process_id == process.id, Issue.visibility == "visible")
    )
    for rows in _pages(stmt, Agenda.id):
        found = {a.id: a for a in db.session.scalars(sa.select(Agenda).where(Agenda.id.in_([r.id for r in rows])))}
        yield [(r, found[r.id], agendas.document(found[r.id])) for r in rows]


def agendas(process: Process) -> Iterator[dict]:
    for page in _agenda_pages(process):
        for r, agenda, doc in page:
            yield _clean(
                {
                    "id": r.id,
                    "issue_id": r.issue_id,
                    "issue_title": r.issue_title,
                    "horizon": r.horizon,
                    "status": r.status,
                    "revision": agenda.current_revision,
                    "agreed_revision": agenda.agreed_revision,
                    "summary": doc["fields"].get("summary", ""),
                    "review_moment": doc["fields"].get("review_moment", ""),
                    "success": doc["fields"].get("success", ""),
                    "activities": len(doc["items"]),
                }
            )


def activities(process: Process) -> Iterator[dict]:
    names = _organisation_names()
    for page in _agenda_pages(process):
        for r, _agenda, doc in page:
            for position, item in enumerate(doc["items"], start=1):
                yield _clean(
                    {
                        "agenda_id": r.id,
                        "issue_id": r.issue_id,
                        "horizon": r.horizon,
                        "position": position,
                        "title": item.get("title", ""),
                        "responsible": names.get(item.get("responsible") or "", ""),
                        "contributors": [names[c] for c in item.get("contributors") or [] if c in names],
                        "euros": item.get("euros"),
                        "hours": item.get("hours"),
                        "fte": item.get("fte"),
                        "in_kind": item.get("in_kind") or "",
                        "period_from": item.get("from_q") or "",
                        "period_to": item.get("to_q") or "",
                        "indicator": item.get("indicator", ""),
                        "status": item.get("status", "proposed"),
                    }
                )


def _covenant_stmt(process: Process):
    from app.covenants.models import Covenant

    return sa.select(Covenant.id).where(Covenant.process_id == process.id)


def covenants(process: Process) -> Iterator[dict]:
    from app.covenants import services
    from app.covenants.models import Covenant

    for rows in _pages(_covenant_stmt(process), Covenant.id):
        for r in rows:
            covenant = db.session.get(Covenant, r.id)
            current = services.version(covenant) if covenant.status != "draft" else None
            yield _clean(
                {
                    "id": covenant.id,
                    "title": covenant.title,
                    "status": covenant.status,
                    "version": current.number if current else None,
                    "fingerprint": current.content_hash if current else "",
                    "parties": [p["name"] for p in current.parties] if current else [],
                    "commits_municipality": covenant.commits_municipality,
                    "in_force_since": covenant.in_force_since,
                    "ended_at": covenant.ended_at,
                    "end_reason": covenant.end_reason,
                    "signatures": len(current.signatures) if current else 0,
                }
            )


def signatures(process: Process) -> Iterator[dict]:
    """Every signature of every version (a superseded version's signatures are history)."""
    from app.covenants.models import CovenantVersion, Signature
    from app.covenants.signing import public_signer

    stmt = (
        sa.select(Signature.id, CovenantVersion.number)
        .join(CovenantVersion, CovenantVersion.id == Signature.version_id)
        .where(Signature.covenant_id.in_(_covenant_stmt(process)))
    )
    for rows in _pages(stmt, Signature.id):
        numbers = {r.id: r.number for r in rows}
        found = db.session.scalars(
            sa.select(Signature)
            .where(Signature.id.in_(list(numbers)))
            .options(selectinload(Signature.user))
            .order_by(Signature.id)
        )
        for signature in found:
            yield _clean(
                {
                    "id": signature.id,
                    "covenant_id": signature.covenant_id,
                    "version": numbers[signature.id],
                    "party": signature.party_name,
                    "signed_by": str(public_signer(signature)),
                    "role": signature.signer_role,
                    "signed_at": signature.signed_at,
                    "fingerprint": signature.content_hash,
                }
            )


def council(process: Process) -> Iterator[dict]:
    from app.council.models import CouncilPosition

    stmt = sa.select(CouncilPosition.id).where(CouncilPosition.process_id == process.id)
    for rows in _pages(stmt, CouncilPosition.id):
        found = db.session.scalars(
            sa.select(CouncilPosition)
            .where(CouncilPosition.id.in_([r.id for r in rows]))
            .options(selectinload(CouncilPosition.issues), selectinload(CouncilPosition.covenants))
            .order_by(CouncilPosition.id)
        )
        for position in found:
            yield _clean(
                {
                    "id": position.id,
                    "kind": position.kind,
                    "faction": position.faction,
                    "decided_on": position.decided_on,
                    "reference": position.reference,
                    "title": position.title,
                    "summary": position.summary,
                    "outcome": position.outcome,
                    "phase": position.phase or "",
                    "issues": [i.id for i in position.issues if i.visibility == "visible"],
                    "covenants": position.covenant_ids,
                }
            )


@dataclass(frozen=True)
class Table:
    name: str
    part: str  # the choice on the export page that includes it
    columns: tuple[str, ...]
    rows: Callable[[Process], Iterator[dict]]
    description: str  # for README.txt (Dutch)


TABLES: tuple[Table, ...] = (
    Table(
        "issues",
        "issues",
        (
            "id",
            "title",
            "description",
            "status",
            "domains",
            "scale",
            "term",
            "breadth",
            "place",
            "support_count",
            "comment_count",
            "priority_points",
            "merged_into",
            "created_at",
            "author",
        ),
        issues,
        "de onderwerpen (zichtbare), met indeling, steun, reacties en punten",
    ),
    Table(
        "votes",
        "votes",
        (
            "issue_id",
            "title",
            "status",
            "supports",
            "priority_points",
            "points_from_residents",
            "points_from_partners",
            "voters",
        ),
        votes,
        "steun en punten per onderwerp: alleen totalen, nooit wie wat koos",
    ),
    Table(
        "comments",
        "comments",
        ("id", "issue_id", "parent_id", "kind", "stance", "created_at", "author", "text"),
        comments,
        "de reacties (zichtbare) bij de onderwerpen",
    ),
    Table(
        "agendas",
        "agendas",
        (
            "id",
            "issue_id",
            "issue_title",
            "horizon",
            "status",
            "revision",
            "agreed_revision",
            "summary",
            "review_moment",
            "success",
            "activities",
        ),
        agendas,
        "de agenda's voor 1, 5 en 10 jaar per onderwerp (de laatste versie)",
    ),
    Table(
        "activities",
        "agendas",
        (
            "agenda_id",
            "issue_id",
            "horizon",
            "position",
            "title",
            "responsible",
            "contributors",
            "euros",
            "hours",
            "fte",
            "in_kind",
            "period_from",
            "period_to",
            "indicator",
            "status",
        ),
        activities,
        "de activiteiten van de agenda's: wie, wat, wanneer, met welke middelen",
    ),
    Table(
        "covenants",
        "covenants",
        (
            "id",
            "title",
            "status",
            "version",
            "fingerprint",
            "parties",
            "commits_municipality",
            "in_force_since",
            "ended_at",
            "end_reason",
            "signatures",
        ),
        covenants,
        "de convenanten met hun versie, vingerafdruk en partijen",
    ),
    Table(
        "signatures",
        "covenants",
        ("id", "covenant_id", "version", "party", "signed_by", "role", "signed_at", "fingerprint"),
        signatures,
        "de handtekeningen onder de convenanten (naam alleen als de ondertekenaar dat wilde)",
    ),
    Table(
        "council",
        "council",
        (
            "id",
            "kind",
            "faction",
            "decided_on",
            "reference",
            "title",
            "summary",
            "outcome",
            "phase",
            "issues",
            "covenants",
        ),
        council,
        "de standpunten en besluiten van de gemeenteraad",
    ),
)
