"""/api/v1: processes and issues as JSON. Lists are paginated as {"items", "page", "pages", "total"}."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, request, url_for
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, Organisation, User
from app.extensions import db
from app.issues import decisions, voting
from app.issues.models import Issue, IssueStatus, RoundStatus
from app.processes.models import PHASES, Process
from app.processes.services import get_process

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PER_PAGE = 50


def _page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _paginated(stmt, render):
    page = db.paginate(stmt, page=_page_number(), per_page=PER_PAGE, error_out=False, max_per_page=PER_PAGE)
    return jsonify(items=[render(item) for item in page.items], page=page.page, pages=page.pages, total=page.total)


def _date(value):
    return value.isoformat() if value else None


def _process(process: Process) -> dict:
    return {
        "slug": process.slug,
        "name": process.name,
        "neighbourhood": process.neighbourhood,
        "current_phase": process.current_phase,
        "url": url_for("processes.show", slug=process.slug, _external=True),
        "phases": [
            {
                "key": info.key.value,
                "starts_on": _date(phase.starts_on if phase else None),
                "ends_on": _date(phase.ends_on if phase else None),
            }
            for info in PHASES
            for phase in [process.phase(info.key)]
        ],
    }


def _issue(issue: Issue, points: dict[int, int] | None) -> dict:
    item = {
        "id": issue.id,
        "title": issue.title,
        "status": issue.status,
        "support_count": issue.support_count,
        "comment_count": issue.comment_count,
        "domains": [d.value for d in issue.domains],
        "scale": issue.scale,
        "term": issue.term,
        "breadth": issue.breadth,
        "place": issue.place,
        "created_at": _date(issue.created_at),
        "url": url_for("issues.show", issue_id=issue.id, _external=True),
    }
    if points is not None:  # only once the round is closed
        item["priority_points"] = points.get(issue.id, 0)
    return item


def _closed_round_points(process_id: int, issue_ids: list[int]) -> dict[int, int] | None:
    """Totals of these issues once the round is closed; None while it is open (results are hidden)."""
    round_ = voting.get_round(process_id)
    if round_ is None or round_.status != RoundStatus.CLOSED.value:
        return None
    return voting.totals_for(round_, issue_ids)


def _agendas(issue: Issue) -> list[dict]:
    """The current revision of each agenda, with its activities (names of organisations, not ids)."""
    from app.agendas import services as agendas

    names = {str(i): n for i, n in db.session.execute(sa.select(Organisation.id, Organisation.name)).all()}
    municipality = db.session.scalar(
        sa.select(Organisation.name).where(Organisation.kind == "municipality").order_by(Organisation.id).limit(1)
    )
    names[agendas.MUNICIPALITY] = municipality or "municipality"  # open data: the same in every language
    result = []
    for horizon, agenda in sorted(agendas.agendas_of(issue.id).items()):
        doc = agendas.document(agenda)
        result.append(
            {
                "horizon": horizon,
                "status": agenda.status,
                "revision": agenda.current_revision,
                "agreed_revision": agenda.agreed_revision,
                "summary": doc["fields"].get("summary", ""),
                "review_moment": doc["fields"].get("review_moment", ""),
                "success": doc["fields"].get("success", ""),
                "activities": [
                    {
                        "title": item.get("title", ""),
                        "responsible": names.get(item.get("responsible") or ""),
                        "contributors": [names.get(c) for c in item.get("contributors") or [] if c in names],
                        "resources": {
                            "euros": item.get("euros"),
                            "hours": item.get("hours"),
                            "fte": item.get("fte"),
                            "in_kind": item.get("in_kind") or "",
                        },
                        "period": {"from": item.get("from_q") or None, "to": item.get("to_q") or None},
                        "indicator": item.get("indicator", ""),
                        "status": item.get("status", "proposed"),
                    }
                    for item in doc["items"]
                ],
            }
        )
    return result


@bp.route("/processes")
def processes():
    return _paginated(sa.select(Process).order_by(Process.created_at, Process.id), _process)


@bp.route("/processes/<slug>/issues")
def process_issues(slug: str):
    process = get_process(slug)
    if process is None:
        abort(404)
    stmt = (
        sa.select(Issue)
        .where(Issue.process_id == process.id, Issue.visibility == "visible")
        .order_by(Issue.created_at.desc(), Issue.id.desc())
    )
    if request.args.get("status"):
        stmt = stmt.where(Issue.status == request.args["status"])
    page = db.paginate(stmt, page=_page_number(), per_page=PER_PAGE, error_out=False, max_per_page=PER_PAGE)
    points = _closed_round_points(process.id, [i.id for i in page.items])
    return jsonify(items=[_issue(i, points) for i in page.items], page=page.page, pages=page.pages, total=page.total)


@bp.route("/issues/<int:issue_id>")
def issue(issue_id: int):
    found = db.session.scalar(
        sa.select(Issue)
        .where(Issue.id == issue_id)
        .options(selectinload(Issue.author).selectinload(User.memberships).selectinload(Membership.organisation))
    )
    if found is None or not found.is_visible:  # hidden by moderation, or waiting for a check
        abort(404)
    data = _issue(found, _closed_round_points(found.process_id, [found.id]))
    data.update(
        process=found.process.slug,
        description=found.description,
        author=found.author.public_name if found.author else None,
        involved_organisations=[row.organisation.name for row in found.involved_rows],
        merged_into=found.merged_into_id if found.status == IssueStatus.MERGED.value else None,
        first_response_at=_date(found.first_response_at),
        discussion_closed=found.discussion_locked,
        feedback={"text": found.feedback, "at": _date(found.feedback_at)} if found.feedback else None,
        history=[
            {"status": change.to_status, "at": _date(change.changed_at), "reason": change.reason}
            for change in decisions.history(found)
        ],
        agendas=_agendas(found),
    )
    return jsonify(data)


@bp.route("/council/positions")
def council_positions():
    """Council positions and decisions, newest first; `?process=slug` for one process."""
    from app.council.services import positions_query

    process_id = None
    if request.args.get("process"):
        process = get_process(request.args["process"])
        if process is None:
            abort(404)
        process_id = process.id

    def render(position) -> dict:
        return {
            "id": position.id,
            "process": position.process.slug,
            "kind": position.kind,
            "faction": position.faction or None,
            "decided_on": _date(position.decided_on),
            "reference": position.reference,
            "title": position.title,
            "summary": position.summary,
            "outcome": position.outcome,
            "phase": position.phase,
            "issues": position.issue_ids,
            "url": url_for("council.show", position_id=position.id, _external=True),
        }

    return _paginated(positions_query(process_id), render)
