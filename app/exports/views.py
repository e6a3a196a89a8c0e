"""The export page: choose a process and its parts, follow the build, download the bundle.

Only facilitators, the wijkregisseur and admins may export (policy rule "export.congress").
A build belongs to the person who started it: only they see its progress and download it;
anyone else gets "not found", even another facilitator (a bundle is made for one person to hand on).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.exports import jobs
from app.exports.bundle import PARTS
from app.exports.forms import ExportForm
from app.forms_common import options
from app.policy import require
from app.processes.services import get_process, list_processes

bp = Blueprint("exports", __name__)


def _step_label(step: str) -> str:
    labels = {
        "queued": _("Waiting for its turn"),
        "start": _("Starting"),
        "issues": _("Issues"),
        "votes": _("Support and points"),
        "comments": _("Comments"),
        "agendas": _("Agendas"),
        "activities": _("Activities"),
        "covenants": _("Covenants"),
        "signatures": _("Signatures"),
        "council": _("Positions of the council"),
        "xlsx": _("Workbook"),
        "booklet": _("Booklet"),
        "posters": _("Posters"),
        "readme": _("Explanation"),
        "done": _("Done"),
    }
    return labels.get(step, step)


@bp.route("/exports", methods=["GET", "POST"])
def index():
    require("export.congress")
    form = ExportForm()
    form.process_slug.choices = options([("", _("Choose a process"))] + [(p.slug, p.name) for p in list_processes()])
    if not form.is_submitted():
        form.include.data = list(PARTS)
    elif form.validate():
        process = get_process(form.process_slug.data)
        if process is None:
            form.process_slug.errors.append(_("Choose the process you want to export."))
        else:
            token = jobs.start(process, set(form.include.data), current_user.id)
            return redirect(url_for("exports.status", token=token), 303)
    return render_template("exports/index.html", form=form), 400 if form.errors else 200


def _own_status(token: str) -> dict:
    require("export.congress")
    jobs.cleanup()  # bundles older than a day go also when nobody starts a new one
    status = jobs.status_for(token, current_user.id)
    if status is None:
        abort(404)
    return status


@bp.route("/exports/<token>")
def status(token: str):
    status = _own_status(token)
    running = not status.get("done") and not status.get("error")
    response = render_template(
        "exports/status.html", status=status, token=token, running=running, step=_step_label(status.get("step", ""))
    )
    headers = {"Refresh": "2", "Cache-Control": "no-store"} if running else {"Cache-Control": "no-store"}
    return response, 200, headers


@bp.route("/exports/<token>/download")
def download(token: str):
    status = _own_status(token)
    path = jobs.zip_path(token)
    if not status.get("done") or not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{status['process']}-congres.zip",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"  # one person's bundle: no cache keeps it
    return response
