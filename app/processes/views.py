"""The process pages: the overview, one process, and its management."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.forms_common import save
from app.policy import require
from app.processes import services
from app.processes.forms import PhaseForm, ProcessForm
from app.processes.models import phase_label

bp = Blueprint("processes", __name__)


def process_or_404(slug: str):
    """The process with this address, or a 404 page (the issue pages use this too)."""
    process = services.get_process(slug)
    if process is None:
        abort(404)
    return process


def _data(form: ProcessForm) -> services.ProcessData:
    return services.ProcessData(
        name=form.name.data or "",
        neighbourhood=form.neighbourhood.data or "",
        slug=form.slug.data if "slug" in form else "",
        description=form.description.data or "",
        plan=form.plan.data or "",
        dates=form.dates(),
    )


@bp.route("/processes")
def index():
    return render_template("processes/index.html", processes=services.list_processes())


@bp.route("/processes/new", methods=["GET", "POST"])
@login_required
def new():
    require("process.create")
    form = ProcessForm()
    if form.validate_on_submit():
        saved = save(form, lambda: services.create_process(_data(form)))
        if saved:
            flash(_("The process is created."), "success")
            return redirect(url_for("processes.show", slug=saved.value.slug))
    return render_template("processes/form.html", form=form, process=None)


@bp.route("/processes/<slug>")
def show(slug: str):
    process = process_or_404(slug)
    require("process.view", process)
    return _render_show(process, PhaseForm(phase=process.current_phase))


def _render_show(process, phase_form, status: int = 200):
    from app.issues import decisions
    from app.issues import services as issue_services

    return render_template(
        "processes/show.html",
        process=process,
        phase_form=phase_form,
        shortlist=decisions.shortlisted(process.id),
        response=issue_services.response_stats(process.id),
        issue_count=issue_services.count_active(process.id),
    ), status


@bp.route("/processes/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    process = process_or_404(slug)
    require("process.edit", process)
    form = ProcessForm(obj=process)
    del form.slug  # the address stays stable once people link to it
    if request.method == "GET":
        for info, start, end in form.date_fields():
            phase = process.phase(info.key)
            start.data, end.data = (phase.starts_on, phase.ends_on) if phase else (None, None)
    if form.validate_on_submit() and save(form, lambda: services.update_process(process, _data(form))):
        flash(_("The process is saved."), "success")
        return redirect(url_for("processes.show", slug=process.slug))
    return render_template("processes/form.html", form=form, process=process)


@bp.route("/processes/<slug>/phase", methods=["POST"])
@login_required
def set_phase(slug: str):
    process = process_or_404(slug)
    require("process.set_phase", process)
    form = PhaseForm()
    change = lambda: services.set_phase(current_user, process, form.phase.data, form.note.data or "")  # noqa: E731
    if form.validate_on_submit() and save(form, change):
        flash(_("The process is now in %(phase)s.", phase=phase_label(process.current_phase)), "success")
        return redirect(url_for("processes.show", slug=process.slug))
    return _render_show(process, form, 400)
