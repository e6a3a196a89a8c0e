"""The congress booklet: one A4 PDF (WeasyPrint) that tells the story of a process for the stadscongres.

The *stadscongres* is the city congress where facilitators present the pilot's results. The booklet
has a cover, a table of contents, the timeline, who took part (counted per group, never per person),
the issues, the prioritisation results (totals only), the shortlist and why, the agendas, the covenants
with their fingerprints and signatories, the balance of Puzzling, Powering and Participation, and the
council's positions. Every figure comes from an aggregated query and the issue list is capped, so the
booklet stays small and builds in seconds with 10,000 issues too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _

from app.accounts.models import KIND_LABELS, Membership, MembershipStatus, Organisation, OrganisationKind, Role, User
from app.exports.data import scrub
from app.extensions import db
from app.issues.models import Comment, CommentKind, Issue, RoundStatus, Support
from app.processes.models import Process

SECTIONS = ("issues", "votes", "agendas", "covenants", "council", "comments")
FULL_LIST_UP_TO = 200  # up to this many issues the booklet lists them all
TOP_AT_SCALE = 100  # above it: the best supported, and how many more there are
RESULTS_LIMIT = 30  # the issue list carries the points of every issue it shows


# --- shared with the posters -------------------------------------------------------------------


def organisation_names() -> dict[str, str]:
    """Agenda activities name their responsible party by organisation id (as text) or 'municipality'."""
    from app.agendas import services as agendas

    names = {str(i): n for i, n in db.session.execute(sa.select(Organisation.id, Organisation.name)).all()}
    municipality = db.session.scalar(
        sa.select(Organisation.name)
        .where(Organisation.kind == OrganisationKind.MUNICIPALITY.value)
        .order_by(Organisation.id)
        .limit(1)
    )
    names[agendas.MUNICIPALITY] = municipality or _("Municipality")
    return names


def period(item: dict) -> str:
    start, end = item.get("from_q") or "", item.get("to_q") or ""
    if start and end and start != end:
        return f"{start} – {end}"
    return start or end


def closed_round(process_id: int):
    """The prioritisation round once it is closed; None before (results stay hidden while it is open)."""
    from app.issues import voting

    round_ = voting.get_round(process_id)
    return round_ if round_ is not None and round_.status == RoundStatus.CLOSED.value else None


def render_pdf(template: str, **context) -> bytes:
    """HTML to PDF without touching the network or the disk: system fonts, inline SVG and CSS only."""
    from weasyprint import HTML, URLFetcher  # heavy: loaded when the first PDF is asked for

    # any e-mail address someone typed into a text or title, wherever it lands (text, PDF metadata)
    html = scrub(render_template(template, **context))
    fetcher = URLFetcher(allowed_protocols=())
    return HTML(string=html, base_url=current_app.static_folder, url_fetcher=fetcher).write_pdf()


# --- who took part -----------------------------------------------------------------------------


@dataclass
class GroupRow:
    key: str
    label: str
    proposed: int = 0
    commented: int = 0
    supported: int = 0
    anyone: int = 0


def _group_of_user():
    """SQL for a person's group: residents, partners by the kind of their organisation, or the municipality."""
    kind = (
        sa.select(sa.func.min(Organisation.kind))
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == User.id, Membership.status == MembershipStatus.APPROVED.value)
        .correlate(User)
        .scalar_subquery()
    )
    return sa.case(
        (User.role == Role.RESIDENT.value, "resident"),
        (User.role == Role.PARTNER.value, sa.func.coalesce(kind, "partner")),
        else_=OrganisationKind.MUNICIPALITY.value,
    )


def _group_label(key: str) -> str:
    if key == "resident":
        return _("Residents")
    if key == OrganisationKind.MUNICIPALITY.value:
        return _("Municipality")
    if key in KIND_LABELS:
        return _("Partners: %(kind)s", kind=KIND_LABELS[OrganisationKind(key)])
    return _("Partners")


def participation(process_id: int, with_comments: bool) -> list[GroupRow]:
    """Accounts that proposed, commented on or supported a visible issue, counted per group."""
    visible = sa.and_(Issue.process_id == process_id, Issue.visibility == "visible")
    sources = {
        "proposed": sa.select(Issue.author_id.label("uid")).where(visible),
        "supported": sa.select(Support.user_id.label("uid")).join(Issue, Issue.id == Support.issue_id).where(visible),
    }
    if with_comments:
        sources["commented"] = (
            sa.select(Comment.author_id.label("uid"))
            .join(Issue, Issue.id == Comment.issue_id)
            .where(visible, Comment.visibility == "visible")
        )
    sources["anyone"] = sa.union(*sources.values())
    group = _group_of_user().label("grp")
    rows: dict[str, GroupRow] = {}
    for name, source in sources.items():
        ids = source.subquery()
        counted = db.session.execute(
            sa.select(group, sa.func.count(sa.distinct(User.id)))
            .where(User.id.in_(sa.select(ids.c.uid)))
            .group_by(group)
        ).all()
        for key, n in counted:
            row = rows.setdefault(key, GroupRow(key, _group_label(key)))
            setattr(row, name, n)
    order = ["resident", *[k.value for k in OrganisationKind if k != OrganisationKind.MUNICIPALITY], "partner"]
    order.append(OrganisationKind.MUNICIPALITY.value)
    return sorted(rows.values(), key=lambda r: order.index(r.key) if r.key in order else len(order))


def bars(values: list[tuple[str, float]], width: int = 440) -> dict:
    """Geometry for a simple horizontal bar chart in inline SVG (the table beside it has the numbers)."""
    maximum = max((v for _, v in values), default=0) or 1
    height = 22
    return {
        "width": width + 200,
        "height": len(values) * height + 4,
        "bars": [
            {"y": i * height + 2, "label": label, "value": value, "w": round(width * value / maximum, 1)}
            for i, (label, value) in enumerate(values)
        ],
    }


# --- the issues --------------------------------------------------------------------------------


@dataclass
class IssueList:
    issues: list[Issue]
    total: int
    points: dict[int, int] | None

    @property
    def more(self) -> int:
        return self.total - len(self.issues)


def issue_list(process_id: int, round_) -> IssueList:
    visible = (Issue.process_id == process_id, Issue.visibility == "visible")
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Issue).where(*visible)) or 0
    stmt = sa.select(Issue).where(*visible).order_by(Issue.support_count.desc(), Issue.id)
    if total > FULL_LIST_UP_TO:
        stmt = stmt.limit(TOP_AT_SCALE)
    issues = list(db.session.scalars(stmt))
    points = None
    if round_ is not None:
        from app.issues import voting

        points = voting.totals_for(round_, [i.id for i in issues])
    return IssueList(issues, total, points)


def comment_counts(process_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Comment.kind, sa.func.count())
        .join(Issue, Issue.id == Comment.issue_id)
        .where(Issue.process_id == process_id, Issue.visibility == "visible", Comment.visibility == "visible")
        .group_by(Comment.kind)
    ).all()
    counts = {k.value: 0 for k in CommentKind}
    counts.update(dict(rows))
    return counts


# --- agendas, covenants ----------------------------------------------------------------------


def agendas_for(issues: list[Issue]) -> dict[int, list[tuple[object, dict]]]:
    """Per issue id: (agenda, its current document) per horizon, 1 then 5 then 10 years."""
    from app.agendas import services as agendas

    return {
        issue.id: [(agenda, agendas.document(agenda)) for _h, agenda in sorted(agendas.agendas_of(issue.id).items())]
        for issue in issues
    }


@dataclass
class CovenantEntry:
    covenant: object
    current: object | None
    older: list = field(default_factory=list)


def covenant_entries(process_id: int) -> list[CovenantEntry]:
    from app.covenants import services as covenants

    entries = []
    for covenant in db.session.scalars(covenants.covenants_query(process_id)):
        all_versions = covenants.versions(covenant)
        current = None if covenant.status == "draft" else covenants.version(covenant)
        older = [v for v in all_versions if current is None or v.number != current.number]
        entries.append(CovenantEntry(covenant, current, older))
    entries.sort(key=lambda e: e.covenant.id)
    return entries


# --- the booklet -------------------------------------------------------------------------------


def contents(include: set[str]) -> list[tuple[str, str]]:
    """The table of contents: (anchor, title) in the order of the booklet."""
    entries = [
        ("process", _("The process")),
        ("timeline", _("Timeline")),
        ("participation", _("Who took part")),
        ("issues", _("Issues")),
        ("votes", _("Prioritisation")),
        ("shortlist", _("Chosen for the agendas")),
        ("agendas", _("Agendas")),
        ("covenants", _("Covenants")),
        ("balance", _("Puzzling, Powering and Participation")),
        ("council", _("Positions and decisions")),
    ]
    return [(key, title) for key, title in entries if key not in SECTIONS or key in include]


def booklet_context(process: Process, include: set[str] | None = None) -> dict:
    from app.council import services as council
    from app.council.models import label as position_label
    from app.issues import decisions, voting
    from app.moderation.balance import totals
    from app.moderation.models import THREE_P_LABELS, ThreeP

    include = set(SECTIONS) if include is None else set(include) & set(SECTIONS)
    round_ = closed_round(process.id)
    groups = participation(process.id, with_comments="comments" in include)
    shortlist = decisions.shortlisted(process.id)
    shares = totals(process.id).shares()
    phase = process.phase(process.current_phase)
    target = None
    if phase is not None and phase.target_puzzling is not None:
        target = {
            ThreeP.PUZZLING.value: phase.target_puzzling,
            ThreeP.POWERING.value: phase.target_powering,
            ThreeP.PARTICIPATION.value: phase.target_participation,
        }
    context = {
        "process": process,
        "include": include,
        "contents": contents(include),
        "groups": groups,
        "group_chart": bars([(g.label, g.anyone) for g in groups]),
        "shortlist": shortlist,
        "round": round_,
        "balance": [(str(THREE_P_LABELS[p]), shares[p.value], (target or {}).get(p.value)) for p in ThreeP],
        "balance_chart": bars([(str(THREE_P_LABELS[p]), round(shares[p.value] * 100)) for p in ThreeP]),
        "names": organisation_names(),
        "period": period,
    }
    if "issues" in include:
        context["issue_list"] = issue_list(process.id, round_ if "votes" in include else None)
    if "comments" in include:
        context["comment_counts"] = comment_counts(process.id)
    if "votes" in include and round_ is not None:
        results = voting.results(round_, limit=RESULTS_LIMIT)
        context["results"] = results
        context["results_chart"] = bars([(r.issue.title[:40], r.total) for r in results[:15]])
        context["voters"] = voting.participation(round_)
    if "agendas" in include:
        context["agendas"] = agendas_for([issue for issue, _d in shortlist])
    if "covenants" in include:
        from app.covenants.fingerprint import grouped
        from app.covenants.signing import public_signer

        context["covenants"] = covenant_entries(process.id)
        context["grouped"] = grouped
        context["public_signer"] = public_signer
    if "council" in include:
        context["positions"] = council.positions_of(process.id)
        context["position_label"] = position_label
    return context


def booklet_pdf(process: Process, include: set[str] | None = None) -> bytes:
    """The congress booklet of a process as A4 PDF bytes, in the current language."""
    return render_pdf("exports/booklet.html", **booklet_context(process, include))


def filename(process: Process) -> str:
    return f"{process.slug}-stadscongres.pdf"
