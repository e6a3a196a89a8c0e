"""The working group of an issue, consent rounds on its agendas, and links between issues."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.agendas import consent, links, services
from app.agendas.forms import ConsentForm, JoinForm, RespondForm
from app.agendas.models import HORIZONS, ConsentAnswer, IssueLink, WorkingGroupMember
from app.agendas.views import _link_form, render_agenda
from app.errors import DomainError
from app.extensions import db
from app.forms_common import save
from app.issues.forms import EmptyForm
from app.issues.models import Issue
from app.issues.views import issue_or_404
from app.issues.visibility import get_including_hidden
from app.policy import require
from app.processes.views import process_or_404
from app.request_args import to_int
from app.submissions import made, remember

bp = Blueprint("working", __name__)


def _agenda_or_404(issue: Issue, horizon: int):
    if horizon not in HORIZONS:
        abort(404)
    agenda = services.agenda_for(issue, horizon)
    if agenda is None:
        abort(404)
    return agenda


def _back(issue: Issue, horizon: int, anchor: str = "consent"):
    return redirect(_back_url(issue, horizon, anchor))


def _back_url(issue: Issue, horizon: int, anchor: str = "consent") -> str:
    return url_for("agendas.show", issue_id=issue.id, horizon=horizon, _anchor=anchor)


def _run(call, success: str):
    """Run a service for a button; show its refusal as a message."""
    try:
        call()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


# --- working group ----------------------------------------------------------------------------


@bp.route("/issues/<int:issue_id>/working-group")
def group(issue_id: int):
    issue = issue_or_404(issue_id)
    return render_template(
        "agendas/working_group.html",
        issue=issue,
        members=services.resident_members(issue),
        join_form=JoinForm(),
        button_form=EmptyForm(),
        membership=services.membership_of(current_user, issue) if current_user.is_authenticated else None,
    )


@bp.route("/issues/<int:issue_id>/working-group/join", methods=["POST"])
@login_required
def join(issue_id: int):
    issue = issue_or_404(issue_id)
    require("agenda.join", issue)
    form = JoinForm()
    if form.validate_on_submit() and save(
        form,
        lambda: services.ask_to_join(current_user, issue, form.motivation.data),
        then=made("working_group_request", lambda _member: url_for("working.group", issue_id=issue.id)),
    ):
        flash(_("Your request is sent. The neighbourhood director lets you know."), "success")
    return redirect(url_for("working.group", issue_id=issue.id))


@bp.route("/working-group/<int:member_id>/<any(admit, reject):decision>", methods=["POST"])
@login_required
def decide(member_id: int, decision: str):
    member = db.session.get(WorkingGroupMember, member_id)
    if member is None:
        abort(404)
    require("agenda.admit", member)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.decide_member(member, decision == "admit", actor=current_user)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("working.group", issue_id=member.issue_id))


# --- consent rounds ----------------------------------------------------------------------------


@bp.route("/issues/<int:issue_id>/agendas/<int:horizon>/consent/<any(open, close, cancel):action>", methods=["POST"])
@login_required
def manage_round(issue_id: int, horizon: int, action: str):
    issue = issue_or_404(issue_id)
    agenda = _agenda_or_404(issue, horizon)
    require("consent.manage", agenda)
    if not EmptyForm().validate_on_submit():
        abort(400)
    round_ = consent.open_round_of(agenda)
    if action == "open":
        _run(lambda: consent.open_round(current_user, agenda), _("The consent round is open."))
    elif round_ is None:
        flash(_("There is no open consent round."), "error")
    elif action == "close":
        _run(
            lambda: consent.close_round(current_user, round_, agenda),
            _("The agenda is agreed, at revision %(n)d.", n=round_.revision_number),
        )
    else:
        _run(lambda: consent.cancel_round(current_user, round_, agenda), _("The consent round is stopped."))
    return _back(issue, horizon)


@bp.route("/issues/<int:issue_id>/agendas/<int:horizon>/consent/answer", methods=["POST"])
@login_required
def answer(issue_id: int, horizon: int):
    issue = issue_or_404(issue_id)
    agenda = _agenda_or_404(issue, horizon)
    require("consent.answer", agenda)
    round_ = consent.open_round_of(agenda)
    form = ConsentForm()
    if round_ is None:
        flash(_("There is no open consent round."), "error")
        return _back(issue, horizon)
    if form.validate_on_submit() and save(
        form,
        lambda: consent.answer(current_user, round_, agenda, form.answer.data, form.reason.data),
        then=made("consent_answer", lambda _answer: _back_url(issue, horizon)),
    ):
        flash(_("Your answer is saved."), "success")
        return _back(issue, horizon)
    return render_agenda(issue, horizon, consent_form=form, status=400)  # the message sits next to the field


@bp.route("/consent-answers/<int:answer_id>/respond", methods=["POST"])
@login_required
def respond(answer_id: int):
    objection = db.session.get(ConsentAnswer, answer_id)
    if objection is None:
        abort(404)
    from app.agendas.models import Agenda, ConsentRound

    round_ = db.session.get(ConsentRound, objection.round_id)
    # Its issue may be hidden: 404 unless the policy lets this person see it (then `agenda.issue` is loaded).
    agenda = get_including_hidden(Agenda, round_.agenda_id)
    issue_or_404(agenda.issue_id)
    require("consent.respond", agenda)
    form = RespondForm()
    if not round_.open:
        flash(_("This consent round is closed."), "error")
    elif form.validate_on_submit():

        def respond_once():
            consent.respond(current_user, objection, agenda, form.response.data, form.with_revision.data)
            remember("consent_response", objection.id, _back_url(agenda.issue, agenda.horizon))

        _run(respond_once, _("Your answer to the objection is saved."))
    return _back(agenda.issue, agenda.horizon)


# --- links ----------------------------------------------------------------------------------------


@bp.route("/issues/<int:issue_id>/links", methods=["POST"])
@login_required
def add_link(issue_id: int):
    issue = issue_or_404(issue_id)
    require("agenda.link", issue)
    form = _link_form(issue, formdata=request.form)
    horizon = int(request.form.get("horizon", "1")) if request.form.get("horizon", "") in ("1", "5", "10") else 1

    def add():
        target_issue, _sep, target_activity = (form.target.data or "").partition(":")
        return links.add_link(
            current_user,
            issue,
            to_int(target_issue),
            form.kind.data,
            form.note.data,
            form.from_activity.data or "",
            target_activity,
        )

    if form.validate_on_submit() and save(
        form, add, then=made("issue_link", lambda _link: _back_url(issue, horizon, anchor="links"))
    ):
        flash(_("The link is saved. It shows on both issues."), "success")
        return _back(issue, horizon, anchor="links")
    return render_agenda(issue, horizon, link_form=form, status=400)


@bp.route("/links/<int:link_id>/delete", methods=["POST"])
@login_required
def delete_link(link_id: int):
    link = db.session.get(IssueLink, link_id)
    if link is None:
        abort(404)
    if link.from_issue is None:  # its issue is hidden (app/issues/visibility.py): the link waits for it
        abort(404)
    require("agenda.link", link.from_issue)
    if not EmptyForm().validate_on_submit():
        abort(400)
    links.remove_link(link)
    db.session.commit()
    flash(_("The link is removed."), "success")
    return redirect(url_for("agendas.show", issue_id=link.from_issue_id, horizon=1, _anchor="links"))


@bp.route("/processes/<slug>/links")
def process_links(slug: str):
    process = process_or_404(slug)
    found = links.links_of_process(process.id)
    return render_template("agendas/process_links.html", process=process, links=found, titles=links.titles_for(found))
