"""The public council page, one position, and recording and correcting positions (council role only)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.council import services
from app.council.forms import PositionForm
from app.council.models import EXPLANATIONS, Outcome, PositionKind, label
from app.extensions import db
from app.forms_common import save
from app.issues.models import Issue, IssueStatus
from app.policy import require
from app.processes.services import list_processes
from app.request_args import to_int
from app.submissions import made

bp = Blueprint("council", __name__)
# The issue and agenda pages show the council's positions on their issue through these (one query).
bp.add_app_template_global(services.positions_for_issue, "council_positions_for")
bp.add_app_template_global(label, "council_label")

PER_PAGE = 20


def position_or_404(position_id: int):
    position = services.get_position(position_id)
    if position is None:
        abort(404)
    return position


@bp.route("/council")
def index():
    processes = list_processes()
    process = next((p for p in processes if p.slug == request.args.get("process")), None)
    kind = request.args.get("kind", "")
    kind = kind if kind in {k.value for k in PositionKind} else ""
    page = db.paginate(
        services.positions_query(process.id if process else None, kind),
        per_page=current_app.config.get("COUNCIL_PAGE_SIZE", PER_PAGE),
        error_out=False,
    )
    shown = [process] if process else processes
    query_args = {k: v for k, v in (("process", process.slug if process else ""), ("kind", kind)) if v}
    return render_template(
        "council/index.html",
        page=page,
        processes=processes,
        process=process,
        kind=kind,
        kinds=list(PositionKind),
        outcomes=list(Outcome),
        explanations=EXPLANATIONS,
        shown=shown,
        checkpoints=services.checkpoints_for(shown),
        query_args=query_args,
    )


@bp.route("/council/positions/<int:position_id>")
def show(position_id: int):
    return render_template("council/show.html", position=position_or_404(position_id))


def _chosen_issues() -> list:
    """The issues chosen for an agenda, with their numbers: a reminder next to the issue numbers field."""
    return db.session.execute(
        sa.select(Issue.id, Issue.title, Issue.process_id)
        .where(Issue.status == IssueStatus.SHORTLISTED.value)
        .order_by(Issue.process_id, Issue.id)
        .limit(200)
    ).all()


def _data(form: PositionForm) -> services.PositionData:
    process = form.process_id.data or ""
    return services.PositionData(
        process_id=to_int(process),
        kind=form.kind.data or "",
        faction=form.faction.data or "",
        decided_on=form.decided_on.data,
        reference=form.reference.data or "",
        title=form.title.data or "",
        summary=form.summary.data or "",
        outcome=form.outcome.data or "",
        phase=form.phase.data or "",
        issue_ids=form.issues.data or [],
        covenant_ids=form.covenants.data or [],
    )


def _render_form(form, processes, position=None):
    names = {p.id: p.name for p in processes}
    return render_template(
        "council/form.html", form=form, position=position, chosen=_chosen_issues(), process_names=names
    )


@bp.route("/council/positions/new", methods=["GET", "POST"])
@login_required
def new():
    require("council.record")
    processes = list_processes()
    form = PositionForm(processes=processes)
    if request.method == "GET":
        wanted = request.args.get("process") or (processes[0].slug if len(processes) == 1 else "")
        form.process_id.data = next((str(p.id) for p in processes if p.slug == wanted), "")
    if form.validate_on_submit():
        saved = save(
            form,
            lambda: services.record_position(current_user, _data(form)),
            then=made("council_position", lambda position: url_for("council.show", position_id=position.id)),
        )
        if saved:
            flash(_("The position is recorded."), "success")
            return redirect(url_for("council.show", position_id=saved.value.id))
    return _render_form(form, processes)


@bp.route("/council/positions/<int:position_id>/edit", methods=["GET", "POST"])
@login_required
def edit(position_id: int):
    position = position_or_404(position_id)
    require("council.record", position)
    processes = list_processes()
    form = PositionForm(processes=processes)
    if request.method == "GET":
        form.process_id.data = str(position.process_id)
        for name in ("kind", "faction", "decided_on", "reference", "title", "summary", "outcome"):
            form[name].data = getattr(position, name)
        form.phase.data = position.phase or ""
        form.issues.data = position.issue_ids
        form.covenants.data = position.covenant_ids
        form.version.data = str(position.version)
    version = to_int(form.version.data or "")
    version = -1 if version is None else version
    change = lambda: services.update_position(current_user, position, _data(form), version)  # noqa: E731
    if form.validate_on_submit() and save(form, change):
        flash(_("The position is saved."), "success")
        return redirect(url_for("council.show", position_id=position.id))
    return _render_form(form, processes, position)
