"""The process pages: the overview, one process, and its management."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.forms_common import save
from app.policy import require
from app.processes import services
from app.processes.forms import PhaseChoiceForm, PhaseConfirmForm, ProcessForm, PublishForm
from app.processes.models import PHASE_ORDER, PhaseKey, Process, phase_label
from app.processes.phase_guard import describe, move_kind
from app.processes.visibility import process_of, require_visible
from app.submissions import made

bp = Blueprint("processes", __name__)
bp.add_app_template_global(move_kind, "phase_move_kind")


@bp.app_template_global("unpublished_process")
def unpublished_process(*things):
    """The unpublished process that one of these things (a process, issue, covenant...) belongs to, if any:
    pages of such a process carry a banner for the people preparing it."""
    for thing in things:
        process = process_of(thing) if thing is not None else None
        if isinstance(process, Process) and not process.is_published:
            return process
    return None


def process_or_404(slug: str):
    """The process with this address, or a 404 page (the issue pages use this too).

    A process that is not published yet is a 404 too, except for the people preparing it."""
    process = services.get_process(slug)
    require_visible(process)
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
        saved = save(
            form,
            lambda: services.create_process(_data(form)),
            then=made("process", lambda process: url_for("processes.show", slug=process.slug)),
        )
        if saved:
            flash(
                _(
                    "The process is created. It is not published yet: only the neighbourhood director, "
                    "facilitators and administrators see it until you publish it."
                ),
                "success",
            )
            return redirect(url_for("processes.show", slug=saved.value.slug))
    return render_template("processes/form.html", form=form, process=None)


@bp.route("/processes/<slug>")
def show(slug: str):
    process = process_or_404(slug)
    require("process.view", process)
    phase_form = PhaseChoiceForm(formdata=None, current=process.current_phase)
    phase_form.phase.data = _next_phase(process)
    return _render_show(process, phase_form)


def _render_show(process, phase_form, status: int = 200):
    from app.issues import decisions
    from app.issues import services as issue_services

    return render_template(
        "processes/show.html",
        process=process,
        phase_form=phase_form,
        publish_form=PublishForm(),
        phase_history=services.phase_history(process),
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


@bp.route("/processes/<slug>/phase", methods=["GET", "POST"])
@login_required
def set_phase(slug: str):
    """A change of phase in two steps that work without JavaScript: choose the phase (GET, from the
    process page), then read what it means and confirm with a reason (POST)."""
    process = process_or_404(slug)
    require("process.set_phase", process)
    if request.method == "GET":
        choice = PhaseChoiceForm(request.args, current=process.current_phase)
        if "phase" not in request.args:
            choice.phase.data = _next_phase(process)
            return _render_choice(process, choice)
        if not choice.validate():
            return _render_choice(process, choice, 400)
        form = PhaseConfirmForm(formdata=None, phase=choice.phase.data, from_phase=process.current_phase)
        return _render_confirm(process, form)

    form = PhaseConfirmForm()
    target = form.phase.data or ""
    if target == process.current_phase and form.from_phase.data not in ("", target):
        flash(_("Someone else moved the process to %(phase)s a moment ago.", phase=phase_label(target)), "info")
        return redirect(url_for("processes.show", slug=process.slug, _anchor="phase-history"))
    if target not in {k.value for k in PhaseKey} or target == process.current_phase:
        choice = PhaseChoiceForm(formdata=None, current=process.current_phase)
        choice.phase.errors = [_("Choose a phase from the list.")]
        return _render_choice(process, choice, 400)
    if form.from_phase.data != process.current_phase:  # someone else changed it since the page was shown
        form.form_errors.append(
            _("Someone else changed the phase a moment ago. Check what the change means now, and confirm again.")
        )
        form.from_phase.data = process.current_phase
        return _render_confirm(process, form, 409)
    change = lambda: services.set_phase(  # noqa: E731
        current_user,
        process,
        target,
        form.reason.data or "",
        expected=form.from_phase.data,
        confirmed=bool(form.confirm.data),
    )
    if form.validate_on_submit() and save(form, change):
        flash(_("The process is now in %(phase)s.", phase=phase_label(process.current_phase)), "success")
        return redirect(url_for("processes.show", slug=process.slug, _anchor="phase-history"))
    for hidden in (form.phase, form.from_phase):  # errors about the move itself go to the top of the form
        form.form_errors.extend(hidden.errors)
        hidden.errors = []
    return _render_confirm(process, form, 400)


def _next_phase(process) -> str:
    index = PHASE_ORDER.index(process.current_phase_key)
    return PHASE_ORDER[min(index + 1, len(PHASE_ORDER) - 1)].value


def _render_choice(process, form, status: int = 200):
    return render_template("processes/phase_choose.html", process=process, form=form), status


def _render_confirm(process, form, status: int = 200):
    move = describe(process, form.phase.data)
    if not move.guarded:
        del form.confirm
    return render_template("processes/phase_confirm.html", process=process, form=form, move=move), status


@bp.route("/processes/<slug>/publish", methods=["POST"])
@login_required
def publish(slug: str):
    process = process_or_404(slug)
    require("process.publish", process)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    published = save(form, lambda: services.publish(current_user, process))
    if published and published.value:
        flash(_("The process is published. Everyone can see it now."), "success")
    elif published:
        flash(_("The process was published already."), "info")
    return redirect(url_for("processes.show", slug=process.slug))
