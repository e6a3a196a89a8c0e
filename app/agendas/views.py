"""Agenda pages: reading, editing texts and activities, resolving conflicts, history, diff and restore."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, Organisation, User
from app.agendas import consent, links, services
from app.agendas.forms import ActivityForm, ConsentForm, JoinForm, LinkForm, RespondForm, TextsForm
from app.agendas.models import HORIZONS, AgendaRevision
from app.errors import DomainError, apply_to_form
from app.extensions import db
from app.forms_common import options
from app.issues.forms import EmptyForm
from app.issues.models import Issue
from app.issues.views import issue_or_404
from app.policy import can, require
from app.request_args import arg_int, to_int
from app.revisions.documents import MINE, THEIRS, diff
from app.submissions import remember

bp = Blueprint("agendas", __name__)

FIELD_LABELS = {
    "summary": _l("Summary"),
    "review_moment": _l("When do we look at it again?"),
    "reviewers": _l("Who looks at it then?"),
    "success": _l("How do we judge whether it works?"),
    "title": _l("Activity"),
    "description": _l("Description"),
    "responsible": _l("Responsible"),
    "contributors": _l("Contributing"),
    "euros": _l("Money (euros)"),
    "hours": _l("Hours"),
    "fte": _l("People (FTE)"),
    "in_kind": _l("In kind"),
    "from_q": _l("From (quarter)"),
    "to_q": _l("To (quarter)"),
    "indicator": _l("How do we see it worked?"),
    "status": _l("Status"),
}


def _editable(issue_id: int, horizon: int):
    """(issue, horizon, agenda or None) for a route that edits: 404s first, then the policy."""
    issue = issue_or_404(issue_id)
    horizon = _horizon_or_404(horizon)
    require("agenda.edit", issue)
    return issue, horizon, services.agenda_for(issue, horizon)


def _horizon_or_404(horizon: int) -> int:
    if horizon not in HORIZONS:
        abort(404)
    return horizon


def organisation_names() -> dict[str, str]:
    names = {
        str(i): n
        for i, n in db.session.execute(
            sa.select(Organisation.id, Organisation.name)
            .where(Organisation.verified.is_(True))
            .order_by(Organisation.name)
        ).all()
    }
    return {services.MUNICIPALITY: _("Municipality"), **names}


def _base(form) -> int:
    number = to_int(form.base.data or "")
    return -1 if number is None else number


def _form_number(name: str) -> int:
    """A revision number posted in the form; -1 when it is not one (the save then meets a conflict)."""
    number = to_int(request.form.get(name, ""))
    return -1 if number is None else number


def _after_save(issue, horizon, saved):
    """Where to go after a save: the agenda, or the conflict page when the save met one."""
    if saved.unchanged:
        flash(_("Nothing changed, so no new revision was made."), "info")
    elif saved.ok:
        message = _("Saved as revision %(n)d.", n=saved.revision.number)
        if saved.revision.merged:
            message += " " + _("Changes that others saved meanwhile are kept too.")
        flash(message, "success")
    else:
        flash(_("Someone changed the same part while you were writing. Your text is kept: choose below."), "warning")
        return redirect(url_for("agendas.conflict", issue_id=issue.id, horizon=horizon))
    return redirect(url_for("agendas.show", issue_id=issue.id, horizon=horizon))


def _save(form, issue, horizon, build):
    """Validate, build the new document from the base revision, save; errors land on the form."""
    agenda = services.agenda_for(issue, horizon, create=True)
    try:
        base = _base(form)
        new_document = build(services.document(agenda, max(base, 0)))
        saved = services.save(current_user, agenda, base, new_document, form.message.data or "")
        if saved.ok and not saved.unchanged:  # a form with a one-time token (a new activity) is not saved twice
            remember("agenda_revision", saved.revision.id, url_for("agendas.show", issue_id=issue.id, horizon=horizon))
    except DomainError as error:
        db.session.rollback()
        apply_to_form(form, error)
        return None
    db.session.commit()
    return _after_save(issue, horizon, saved)


@bp.route("/issues/<int:issue_id>/agendas/<int:horizon>")
def show(issue_id: int, horizon: int):
    return render_agenda(issue_or_404(issue_id), _horizon_or_404(horizon))


def render_agenda(issue: Issue, horizon: int, consent_form=None, link_form=None, status: int = 200):
    """The agenda page; the consent and link views pass their bound forms back to show errors in place."""
    agenda = services.agenda_for(issue, horizon)
    round_ = consent.open_round_of(agenda)
    if link_form is None and can(current_user, "agenda.link", issue):
        link_form = _link_form(issue)
    issue_links = links.links_of(issue.id)
    return render_template(
        "agendas/show.html",
        issue=issue,
        horizon=horizon,
        agenda=agenda,
        doc=services.document(agenda),
        agendas=services.agendas_of(issue.id),
        names=organisation_names(),
        draft=services.draft_of(current_user, agenda),
        round=round_,
        answers=consent.answers(round_),
        consent_form=consent_form or ConsentForm(),
        respond_form=RespondForm(),
        missing=consent.missing_for_consent(agenda) if agenda else list(services.REQUIRED_FOR_CONSENT),
        button_form=EmptyForm(),
        links=issue_links,
        link_form=link_form,
        link_titles=links.titles_for(issue_links),
        join_form=JoinForm(),
        membership=services.membership_of(current_user, issue) if current_user.is_authenticated else None,
    ), status


@bp.route("/issues/<int:issue_id>/agendas/<int:horizon>/texts", methods=["GET", "POST"])
@login_required
def texts(issue_id: int, horizon: int):
    issue, horizon, agenda = _editable(issue_id, horizon)
    if request.method == "GET":
        form = TextsForm(data={**services.document(agenda)["fields"], "base": agenda.current_revision if agenda else 0})
    else:
        form = TextsForm()
    if form.validate_on_submit():
        done = _save(form, issue, horizon, lambda doc: services.with_texts(doc, form.data))
        if done:
            return done
    return render_template("agendas/texts.html", issue=issue, horizon=horizon, form=form)


def _activity_form(formdata=None, **data) -> ActivityForm:
    form = ActivityForm(formdata=formdata, data=data) if data else ActivityForm()
    names = organisation_names()
    # the municipality's own organisation is "Municipality" (one party, which an alderman signs for)
    own = {str(i) for i in db.session.scalars(sa.select(Organisation.id).where(Organisation.kind == "municipality"))}
    current = data.get("responsible")
    names = {k: v for k, v in names.items() if k not in own or k == current}
    form.responsible.choices = options([("", _("Nobody yet")), *names.items()])
    form.contributors.choices = options((k, v) for k, v in names.items() if k != services.MUNICIPALITY)
    return form


def _activity_data(form: ActivityForm, activity_id: str | None) -> dict:
    data = {
        name: form[name].data
        for name in (
            "title",
            "description",
            "responsible",
            "contributors",
            "euros",
            "hours",
            "fte",
            "in_kind",
            "from_q",
            "to_q",
            "indicator",
            "status",
        )
    }
    data["id"] = activity_id
    return data


@bp.route("/issues/<int:issue_id>/agendas/<int:horizon>/activities/new", methods=["GET", "POST"])
@bp.route("/issues/<int:issue_id>/agendas/<int:horizon>/activities/<activity_id>", methods=["GET", "POST"])
@login_required
def activity(issue_id: int, horizon: int, activity_id: str | None = None):
    issue, horizon, agenda = _editable(issue_id, horizon)
    # On a POST the activity is looked up in the version the form came from: if someone removed it
    # meanwhile, the save meets a conflict and keeps this editor's text, instead of losing it.
    base_value = to_int(request.form.get("base", "")) if request.method == "POST" else None
    shown = services.document(agenda, base_value) if base_value is not None and agenda else services.document(agenda)
    existing = next((i for i in shown["items"] if i["id"] == activity_id), None) if activity_id else None
    if activity_id and existing is None:
        abort(404)
    if request.method == "GET":
        values = {k: ("" if v is None else v) for k, v in (existing or {}).items() if k != "id"}
        form = _activity_form(None, **values, base=agenda.current_revision if agenda else 0)
    else:
        form = _activity_form()
    if form.validate_on_submit():

        def build(doc):
            checked = services.validate_activity(_activity_data(form, activity_id), services.organisation_ids())
            return services.with_activity(doc, checked)

        done = _save(form, issue, horizon, build)
        if done:
            return done
    return render_template("agendas/activity.html", issue=issue, horizon=horizon, form=form, existing=existing)


@bp.route(
    "/issues/<int:issue_id>/agendas/<int:horizon>/activities/<activity_id>/<any(up, down, remove):action>",
    methods=["POST"],
)
@login_required
def arrange(issue_id: int, horizon: int, activity_id: str, action: str):
    issue, horizon, agenda = _editable(issue_id, horizon)
    if agenda is None or not EmptyForm().validate_on_submit():
        abort(400)
    base = _form_number("base")
    try:
        doc = services.document(agenda, max(base, 0))
        if action == "remove":
            title = next((i["title"] for i in doc["items"] if i["id"] == activity_id), "")
            new, event, args = services.without_activity(doc, activity_id), "removed", {"title": title}
        else:
            new, event, args = services.shifted(doc, activity_id, -1 if action == "up" else 1), "reordered", {}
        saved = services.save(current_user, agenda, base, new, "", event=event, event_args=args)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("agendas.show", issue_id=issue.id, horizon=horizon))
    db.session.commit()
    return _after_save(issue, horizon, saved)


@bp.route("/issues/<int:issue_id>/agendas/<int:horizon>/activities/<activity_id>/move", methods=["POST"])
@login_required
def move(issue_id: int, horizon: int, activity_id: str):
    issue, horizon, agenda = _editable(issue_id, horizon)
    target = to_int(request.form.get("to", ""))
    if agenda is None or not EmptyForm().validate_on_submit() or target is None:
        abort(400)
    try:
        base = _form_number("base")
        moved_to = services.move_to_horizon(current_user, agenda, base, activity_id, _horizon_or_404(target))
    except (DomainError, ValueError) as error:
        db.session.rollback()
        flash(getattr(error, "message", _("Please try again.")), "error")
        return redirect(url_for("agendas.show", issue_id=issue.id, horizon=horizon))
    db.session.commit()
    flash(_("The activity moved to the %(n)d-year agenda.", n=moved_to.horizon), "success")
    return redirect(url_for("agendas.show", issue_id=issue.id, horizon=moved_to.horizon))


@bp.route("/issues/<int:issue_id>/agendas/<int:horizon>/conflict", methods=["GET", "POST"])
@login_required
def conflict(issue_id: int, horizon: int):
    issue, horizon, agenda = _editable(issue_id, horizon)
    draft = services.draft_of(current_user, agenda)
    if draft is None:
        flash(_("There is nothing to resolve any more."), "info")
        return redirect(url_for("agendas.show", issue_id=issue.id, horizon=horizon))
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("discard"):
            services.discard_draft(current_user, agenda)
            db.session.commit()
            flash(_("Your version is thrown away. The agenda stays as it was."), "success")
            return redirect(url_for("agendas.show", issue_id=issue.id, horizon=horizon))
        choices = {}
        for item in services.draft_conflicts(agenda, draft).conflicts:
            picked = request.form.get(f"choice-{item.key}")
            if picked == "own":
                choices[item.key] = request.form.get(f"own-{item.key}", "")
            elif picked in (MINE, THEIRS):
                choices[item.key] = picked
        against = _form_number("against")
        try:
            saved = services.resolve_draft(current_user, agenda, against, choices)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            if saved.ok:
                return _after_save(issue, horizon, saved)
            flash(_("Someone saved again meanwhile. Look at the choices once more."), "warning")
    result = services.draft_conflicts(agenda, draft)
    return render_template(
        "agendas/conflict.html",
        issue=issue,
        horizon=horizon,
        agenda=agenda,
        draft=draft,
        result=result,
        form=form,
        names=organisation_names(),
        titles={**_titles_of(services.document(agenda)), **_titles_of(draft.document)},
        labels=FIELD_LABELS,
    )


@bp.route("/issues/<int:issue_id>/agendas/<int:horizon>/history")
def history(issue_id: int, horizon: int):
    issue = issue_or_404(issue_id)
    horizon = _horizon_or_404(horizon)
    agenda = services.agenda_for(issue, horizon)
    revisions = []
    if agenda is not None:
        revisions = db.paginate(
            sa.select(AgendaRevision)
            .where(AgendaRevision.agenda_id == agenda.id)
            .order_by(AgendaRevision.number.desc())
            .options(
                selectinload(AgendaRevision.author).selectinload(User.memberships).selectinload(Membership.organisation)
            ),
            per_page=50,
            error_out=False,
        )
    return render_template(
        "agendas/history.html",
        issue=issue,
        horizon=horizon,
        agenda=agenda,
        revisions=revisions,
        button_form=EmptyForm(),
        may_edit=bool(can(current_user, "agenda.edit", issue)),
    )


@bp.route("/issues/<int:issue_id>/agendas/<int:horizon>/history/diff")
def compare(issue_id: int, horizon: int):
    issue = issue_or_404(issue_id)
    horizon = _horizon_or_404(horizon)
    agenda = services.agenda_for(issue, horizon)
    if agenda is None:
        abort(404)
    to_number = arg_int("to", agenda.current_revision)
    from_number = arg_int("from", to_number - 1)
    older, newer = services.revision(agenda, from_number), services.revision(agenda, to_number)
    if newer is None or (older is None and from_number != 0):
        abort(404)
    changes = diff(older.document if older else {"fields": {}, "items": []}, newer.document)
    return render_template(
        "agendas/diff.html",
        issue=issue,
        horizon=horizon,
        agenda=agenda,
        older=older,
        newer=newer,
        changes=changes,
        names=organisation_names(),
        labels=FIELD_LABELS,
        titles={**_titles_of(older.document if older else None), **_titles_of(newer.document)},
    )


def _titles_of(doc) -> dict[str, str]:
    return {item["id"]: item.get("title", "") for item in (doc or {}).get("items", [])}


@bp.route("/issues/<int:issue_id>/agendas/<int:horizon>/restore/<int:number>", methods=["POST"])
@login_required
def restore(issue_id: int, horizon: int, number: int):
    issue, horizon, agenda = _editable(issue_id, horizon)
    if agenda is None or not EmptyForm().validate_on_submit():
        abort(400)
    try:
        restored = services.restore(current_user, agenda, number)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Revision %(old)d is back, as revision %(new)d.", old=number, new=restored.number), "success")
    return redirect(url_for("agendas.history", issue_id=issue.id, horizon=horizon))


def _link_form(issue: Issue, formdata=None) -> LinkForm:
    form = LinkForm(prefix="link") if formdata is None else LinkForm(formdata=formdata, prefix="link")
    others = links.targets(issue)
    activities = links.activities_of_many([issue.id, *(other_id for other_id, _title in others)])
    form.from_activity.choices = options([("", _("The issue as a whole")), *activities[issue.id].items()])
    targets = [("", _("Choose"))]
    for other_id, title in others:
        targets.append((f"{other_id}:", title))
        for activity_id, activity_title in activities[other_id].items():
            targets.append((f"{other_id}:{activity_id}", f"{title} – {activity_title}"))
    form.target.choices = options(targets)
    return form
