"""/api/v1: processes, issues, council positions and covenants as JSON.

Lists are paginated as {"items", "page", "pages", "total"}. No e-mail address ever appears here.
What each endpoint returns is described in app/api/openapi.py (served at /api/v1/openapi.json).
Every response gets an ETag and Cache-Control once, in `conditional_and_cached` below.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, request, session
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, Organisation, User
from app.agendas import services as agendas
from app.api.openapi import document
from app.api.params import MAX_AGE, PER_PAGE, choice, page_number, process_filter
from app.council.services import positions_query
from app.covenants import services as covenant_services
from app.covenants.models import CovenantStatus
from app.covenants.signing import public_signer
from app.covenants.versions import current_version, current_versions
from app.extensions import db
from app.issues import decisions, voting
from app.issues.models import Issue, IssueStatus, RoundStatus
from app.processes.models import PHASES, Process
from app.processes.services import get_process
from app.urls import absolute_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_app_request
def conditional_and_cached(response):
    """Every /api/v1 response: a strong ETag (SHA-256 of the body) and a short public cache; an
    If-None-Match with that ETag gives 304 without a body. Errors are never stored.

    An app-wide hook (limited to the API's paths), so that a 404 for an unknown /api/v1 URL, which
    matches no route of this blueprint, is covered too."""
    if not (request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/")):
        return response
    # The texts can follow the visitor's language, kept in the session cookie (public names of signatories).
    response.vary.add("Cookie")
    if response.status_code >= 400:
        response.headers.pop("ETag", None)
        response.headers["Cache-Control"] = "no-store"
        return response
    if response.status_code != 200 or response.is_streamed:
        return response
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    # A visitor with a session (signed in, or a chosen language) gets its cookie refreshed on the response,
    # which Flask adds after this hook: a shared cache must not keep that.
    scope = "private" if _has_session() else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age={MAX_AGE}"
    return response.make_conditional(request)


def _has_session() -> bool:
    return bool(session) or current_app.config["SESSION_COOKIE_NAME"] in request.cookies


def _paginated(stmt, render, number: int | None = None):
    number = number if number is not None else page_number()
    page = db.paginate(stmt, page=number, per_page=PER_PAGE, error_out=False, max_per_page=PER_PAGE)
    return jsonify(items=[render(item) for item in page.items], page=page.page, pages=page.pages, total=page.total)


def _date(value):
    return value.isoformat() if value else None


def _process(process: Process) -> dict:
    return {
        "slug": process.slug,
        "name": process.name,
        "neighbourhood": process.neighbourhood,
        "current_phase": process.current_phase,
        "url": absolute_url("processes.show", slug=process.slug),
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
        "url": absolute_url("issues.show", issue_id=issue.id),
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


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document describing every endpoint here."""
    return jsonify(document())


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
    status = choice("status", [s.value for s in IssueStatus])
    if status:
        stmt = stmt.where(Issue.status == status)
    page = db.paginate(stmt, page=page_number(), per_page=PER_PAGE, error_out=False, max_per_page=PER_PAGE)
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
            {
                "event": "merged" if change.is_merge_note else "decision",
                "status": change.to_status,
                "at": _date(change.changed_at),
                "reason": change.reason,
                "merged_from": change.merged_from.id if change.merged_from and change.merged_from.is_visible else None,
            }
            for change in decisions.history(found)
        ],
        agendas=_agendas(found),
    )
    return jsonify(data)


@bp.route("/council/positions")
def council_positions():
    """Council positions and decisions, newest first; `?process=slug` for one process."""
    process_id = process_filter()
    number = page_number()

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
            "covenants": position.covenant_ids,
            "url": absolute_url("council.show", position_id=position.id),
        }

    return _paginated(positions_query(process_id), render, number)


# --- covenants ---------------------------------------------------------------------------------


def _signature(signature, number: int) -> dict:
    """A signature as open data: the party, who signed (public name, or the role), when, and on what."""
    shown = signature.user is not None and signature.user.show_name_publicly
    return {
        "party": signature.party_name,
        "signatory": signature.signer_name if shown else None,
        "role": signature.signer_role,  # "wethouder", or "signatory" of the party's organisation
        "public_name": public_signer(signature),
        "signed_at": _date(signature.signed_at),
        "content_hash": signature.content_hash,
        "version": number,
    }


def _covenant(covenant, current) -> dict:
    if covenant.status == "draft":
        current = None  # being written (again): no version counts now
    return {
        "id": covenant.id,
        "title": covenant.title,
        "process": covenant.process.slug,
        "status": covenant.status,
        "version": current.number if current else None,
        "content_hash": current.content_hash if current else None,
        "commits_municipality": covenant.commits_municipality,
        "parties": [p["name"] for p in current.parties] if current else [],
        "signatures": [_signature(s, current.number) for s in current.signatures] if current else [],
        "in_force_since": _date(covenant.in_force_since),
        "ended": (
            {
                "at": _date(covenant.ended_at),
                "party": next(
                    (p["name"] for p in (current.parties if current else []) if p["party"] == covenant.ended_party),
                    covenant.ended_party,
                ),
                "reason": covenant.end_reason,
            }
            if covenant.ended_at
            else None
        ),
        "url": absolute_url("covenants.show", covenant_id=covenant.id),
    }


@bp.route("/covenants")
def covenants():
    """Covenants, newest first; `?process=slug` for one process, `?status=in_force` for one status."""
    process_id = process_filter()
    status = choice("status", [s.value for s in CovenantStatus])
    stmt = covenant_services.covenants_query(process_id, status)
    page = db.paginate(stmt, page=page_number(), per_page=PER_PAGE, error_out=False, max_per_page=PER_PAGE)
    current = current_versions(page.items)
    return jsonify(
        items=[_covenant(c, current.get(c.id)) for c in page.items], page=page.page, pages=page.pages, total=page.total
    )


@bp.route("/covenants/<int:covenant_id>")
def covenant(covenant_id: int):
    """One covenant: its current version's text, and every version with its fingerprint and signatures."""
    found = covenant_services.get(covenant_id)
    if found is None:
        abort(404)
    all_versions = covenant_services.versions(found)
    current = current_version(found)  # one of all_versions: not read again
    data = _covenant(found, current)
    if found.status == "draft":
        current = None
    data.update(
        text=current.text if current else covenant_services.TEXTS.document(found)["fields"].get("text", ""),
        agendas=[{"issue_id": a.issue_id, "horizon": a.horizon} for a in found.agendas],
        versions=[
            {
                "version": v.number,
                "content_hash": v.content_hash,
                "parties": [p["name"] for p in v.parties],
                "opened_at": _date(v.opened_at),
                "superseded_at": _date(v.superseded_at),
                "in_force_at": _date(v.in_force_at),
                "signatures": [_signature(s, v.number) for s in v.signatures],
            }
            for v in all_versions
        ],
    )
    return jsonify(data)
