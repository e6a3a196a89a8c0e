"""The work overview (/dashboard): what waits now, per published process or for all, with links to the work."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from app.dashboard import services
from app.dashboard.permissions import SECTIONS, version_for
from app.policy import require
from app.request_args import page_number

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def index():
    require("dashboard.view")
    version = version_for(current_user)
    processes = services.published_processes()
    process = _chosen(processes)
    sections = SECTIONS[version]
    return render_template(
        "dashboard/index.html",
        version=version,
        sections=sections,
        processes=processes,
        process=process,
        work=services.gather(current_user, sections, process),
        target_days=services.groene_loper_days(),
    )


@bp.route("/dashboard/waiting")
@login_required
def waiting():
    """The whole list of residents waiting longer than the Groene Loper promises, a page at a time."""
    require("dashboard.view")
    asked = page_number()
    processes = services.published_processes()
    process = _chosen(processes)
    per_page = current_app.config.get("DASHBOARD_PAGE_SIZE", services.WAITING_PER_PAGE)
    page = services.residents_waiting_page(process.id if process else None, asked, per_page)
    if asked > page.pages:
        abort(404)
    return render_template(
        "dashboard/waiting.html",
        page=page,
        processes=processes,
        process=process,
        target_days=services.groene_loper_days(),
    )


def _chosen(processes):
    """The process of `?process=<slug>`: one of the published processes, or None for all; 404 for another."""
    slug = request.args.get("process", "")
    if not slug:
        return None
    found = next((p for p in processes if p.slug == slug), None)
    if found is None:
        abort(404)
    return found
