"""The work overview (/dashboard): what waits now, per published process or for all, with links to the work."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from app.dashboard import services
from app.dashboard.permissions import SECTIONS, version_for
from app.policy import require

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


def _chosen(processes):
    """The process of `?process=<slug>`: one of the published processes, or None for all; 404 for another."""
    slug = request.args.get("process", "")
    if not slug:
        return None
    found = next((p for p in processes if p.slug == slug), None)
    if found is None:
        abort(404)
    return found
