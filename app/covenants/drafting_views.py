"""Drafting covenants: a new covenant from agreed agendas, its text (with merges, conflicts, history
and restore), its parties, and opening it for signature.

Thin views: each parses a form, asks the policy (`covenant.draft`, `covenant.open` to open), calls
app/covenants/services.py and commits once; a DomainError rolls back and shows its message next to
the field, on a page re-rendered with status 400.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.accounts.models import Organisation
from app.council.models import label as council_label
from app.covenants import council_rule, services, sources
from app.covenants.drafting_forms import AddPartyForm, NewCovenantForm, RemovePartyForm, SettingsForm, TextForm
from app.covenants.fingerprint import grouped
from app.covenants.models import MUNICIPALITY, CovenantStatus
from app.covenants.notify import parties_without_signatory
from app.extensions import db
from app.forms_common import options, save
from app.issues.forms import EmptyForm
from app.policy import can, require
from app.processes.models import Process
from app.request_args import to_int
from app.revisions.documents import MINE, THEIRS
from app.revisions.textdiff import line_diff
from app.submissions import made

bp = Blueprint("covenant_drafting", __name__, url_prefix="/covenants")

FIELD_LABELS = {"title": _l("Title"), "text": _l("Text of the covenant")}


def _covenant_or_404(covenant_id: int):
    covenant = services.get(covenant_id)
    if covenant is None:
        abort(404)
    return covenant


def _draftable(covenant_id: int):
    """The covenant, for a route that changes it: 404 first, then the policy."""
    covenant = _covenant_or_404(covenant_id)
    require("covenant.draft", covenant)
    return covenant


def _int(value) -> int:
    number = to_int(value or "")
    return -1 if number is None else number


# --- a new covenant ------------------------------------------------------------------------------


def _agenda_label(agenda) -> str:
    return _("%(issue)s, %(years)d-year agenda", issue=agenda.issue.title, years=agenda.horizon)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    process = db.session.get(Process, _int(request.args.get("process")))
    if process is None:
        abort(404)
    require("covenant.draft", process)
    agendas = sources.agreed_agendas(process.id)
    form = NewCovenantForm()
    form.agendas.choices = options((a.id, _agenda_label(a)) for a in agendas)
    if form.validate_on_submit():
        done = save(
            form,
            lambda: services.create(
                current_user, process, form.agendas.data or [], form.title.data or "", form.commits.data
            ),
            then=made("covenant", lambda covenant: url_for("covenant_drafting.edit", covenant_id=covenant.id)),
        )
        if done:
            flash(
                _("The covenant is made, with a first text proposed from the agendas. Read it, change it."), "success"
            )
            return redirect(url_for("covenant_drafting.edit", covenant_id=done.value.id))
    return render_template("covenants/new.html", process=process, agendas=agendas, form=form), _status(form)


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


# --- the text ------------------------------------------------------------------------------------


def _after_save(covenant, saved, before: tuple[int, str]):
    """Where to go after a save: the covenant, or the page to choose when the save met a conflict."""
    if saved.conflicts is not None:
        flash(_("Someone changed the same part while you were writing. Your text is kept: choose below."), "warning")
        return redirect(url_for("covenant_drafting.resolve", covenant_id=covenant.id))
    if saved.unchanged:
        flash(_("Nothing changed, so no new revision was made."), "info")
    else:
        message = _("Saved as revision %(n)d.", n=saved.revision.number)
        if saved.revision.merged:
            message += " " + _("Changes that others saved meanwhile are kept too.")
        message += " " + _changed_version(covenant, before)
        flash(message.strip(), "success")
    return redirect(url_for("covenants.show", covenant_id=covenant.id))


def _state(covenant) -> tuple[int, str]:
    """The version and status before a change, to say afterwards what the change did."""
    return covenant.current_version, covenant.status


def _changed_version(covenant, before: tuple[int, str]) -> str:
    """What a change did to an opened covenant, in words ("" before opening)."""
    version_before, status_before = before
    if covenant.current_version > version_before:
        return _("Version %(n)d is now open for signature: every party signs again.", n=covenant.current_version)
    if status_before != covenant.status and covenant.status == CovenantStatus.DRAFT.value:
        return _(
            "The open version no longer counts. The covenant is being written again until the council has approved it."
        )
    return ""


@bp.route("/<int:covenant_id>/edit", methods=["GET", "POST"])
@login_required
def edit(covenant_id: int):
    covenant = _draftable(covenant_id)
    if request.method == "GET":
        fields = services.TEXTS.document(covenant)["fields"]
        form = TextForm(data={**fields, "base": covenant.current_revision})
    else:
        form = TextForm()
    if form.validate_on_submit():
        before = _state(covenant)
        done = save(
            form,
            lambda: services.save_text(
                current_user,
                covenant,
                _int(form.base.data),
                form.title.data or "",
                form.text.data or "",
                form.message.data or "",
            ),
        )
        if done:
            return _after_save(covenant, done.value, before)
    draft = services.TEXTS.draft_of(current_user, covenant)
    return render_template("covenants/edit.html", covenant=covenant, form=form, draft=draft), _status(form)


@bp.route("/<int:covenant_id>/resolve", methods=["GET", "POST"])
@login_required
def resolve(covenant_id: int):
    covenant = _draftable(covenant_id)
    draft = services.TEXTS.draft_of(current_user, covenant)
    if draft is None:
        flash(_("There is nothing to resolve any more."), "info")
        return redirect(url_for("covenant_drafting.edit", covenant_id=covenant.id))
    form = EmptyForm()
    if form.validate_on_submit():
        choices = {}
        for conflict in services.TEXTS.draft_conflicts(covenant, draft).conflicts:
            picked = request.form.get(f"choice-{conflict.key}")
            if picked == "own":
                choices[conflict.key] = request.form.get(f"own-{conflict.key}", "")
            elif picked in (MINE, THEIRS):
                choices[conflict.key] = picked
        before = _state(covenant)
        against = _int(request.form.get("against"))
        done = save(form, lambda: services.resolve_text(current_user, covenant, against, choices))
        if done and done.value.ok:
            return _after_save(covenant, done.value, before)
        if done:
            flash(_("Someone saved again meanwhile. Look at the choices once more."), "warning")
        draft = services.TEXTS.draft_of(current_user, covenant)
        if draft is None:  # thrown away meanwhile, in another window
            flash(_("There is nothing to resolve any more."), "info")
            return redirect(url_for("covenant_drafting.edit", covenant_id=covenant.id))
    return render_template(
        "covenants/resolve.html",
        covenant=covenant,
        draft=draft,
        result=services.TEXTS.draft_conflicts(covenant, draft),
        form=form,
        labels=FIELD_LABELS,
    ), _status(form)


@bp.route("/<int:covenant_id>/discard", methods=["POST"])
@login_required
def discard(covenant_id: int):
    covenant = _draftable(covenant_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.TEXTS.discard_draft(current_user, covenant)
    db.session.commit()
    flash(_("Your version is thrown away. The covenant stays as it was."), "success")
    return redirect(url_for("covenant_drafting.edit", covenant_id=covenant.id))


# --- history -------------------------------------------------------------------------------------


@bp.route("/<int:covenant_id>/history")
def history(covenant_id: int):
    covenant = _covenant_or_404(covenant_id)
    return render_history(covenant)


def render_history(covenant, form=None, status: int = 200):
    opened = {}
    for found in services.versions(covenant):
        opened.setdefault(found.revision_number, []).append(found.number)
    return render_template(
        "covenants/history.html",
        covenant=covenant,
        revisions=services.TEXTS.history(covenant),
        opened=opened,
        button_form=form or EmptyForm(),
        may_draft=bool(can(current_user, "covenant.draft", covenant)),
    ), status


@bp.route("/<int:covenant_id>/history/<int:number>")
def revision(covenant_id: int, number: int):
    covenant = _covenant_or_404(covenant_id)
    found = services.TEXTS.revision(covenant, number)
    if found is None:
        abort(404)
    before = services.TEXTS.document(covenant, number - 1)["fields"] if number > 1 else {}
    after = services.TEXTS.document(covenant, number)["fields"]
    return render_template(
        "covenants/revision.html",
        covenant=covenant,
        revision=found,
        title_before=before.get("title", ""),
        title_after=after.get("title", ""),
        text=after.get("text", ""),
        lines=line_diff(before.get("text", ""), after.get("text", "")),
        button_form=EmptyForm(),
        may_draft=bool(can(current_user, "covenant.draft", covenant)),
    )


@bp.route("/<int:covenant_id>/history/<int:number>/restore", methods=["POST"])
@login_required
def restore(covenant_id: int, number: int):
    covenant = _draftable(covenant_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    before = _state(covenant)
    done = save(form, lambda: services.restore_text(current_user, covenant, number))
    if not done:
        return render_history(covenant, form, 400)
    message = _("Revision %(old)d is back, as revision %(new)d.", old=number, new=done.value.number)
    flash(f"{message} {_changed_version(covenant, before)}".strip(), "success")
    return redirect(url_for("covenant_drafting.history", covenant_id=covenant.id))


# --- parties, settings, opening ------------------------------------------------------------------


def _add_form(covenant, formdata=None) -> AddPartyForm:
    form = AddPartyForm(formdata=formdata, prefix="add")  # formdata None: not bound, also during a POST
    active = {p.party for p in services.active_parties(covenant)}
    choices = [("", _("Choose"))]
    if MUNICIPALITY not in active:
        choices.append((MUNICIPALITY, sources.municipality_name()))
    organisations = db.session.execute(
        sa.select(Organisation.id, Organisation.name).where(Organisation.verified.is_(True)).order_by(Organisation.name)
    )
    choices += [(str(i), name) for i, name in organisations if str(i) not in active]
    form.party.choices = options(choices)
    return form


def _remove_form(party: str, formdata=None) -> RemovePartyForm:
    return RemovePartyForm(formdata=formdata, prefix=f"remove-{party}")


def render_parties(covenant, add_form=None, remove=None, settings_form=None, open_form=None, status=200):
    """The parties page; the POST views pass their bound form back to show its errors in place.

    `remove`: (party key, its bound remove form).
    """
    parties = sorted(covenant.parties, key=lambda p: (p.removed, p.party != MUNICIPALITY, p.id))
    names = sources.party_names([p.party for p in parties])
    remove_forms = {p.party: _remove_form(p.party) for p in parties if not p.removed}
    if remove is not None:
        remove_forms[remove[0]] = remove[1]
    return render_template(
        "covenants/parties.html",
        covenant=covenant,
        active=[p for p in parties if not p.removed],
        removed=[p for p in parties if p.removed],
        names=names,
        add_form=add_form or _add_form(covenant),
        remove_forms=remove_forms,
        settings_form=settings_form or SettingsForm(formdata=None, data={"commits": covenant.commits_municipality}),
        open_form=open_form or EmptyForm(formdata=None),
        problem=services.opening_problem(covenant),
        may_open=can(current_user, "covenant.open", covenant),
        decision=council_rule.council_decision(covenant),
        council_label=council_label,
        unsigned=parties_without_signatory([p.party for p in parties if not p.removed]),
    ), status


@bp.route("/<int:covenant_id>/parties")
@login_required
def parties(covenant_id: int):
    return render_parties(_draftable(covenant_id))


def _submitted(form, call, then=None):
    """A valid form's service call, committed; or a falsy result with the error on the form."""
    return save(form, call, then) if form.validate_on_submit() else None


def _back_to_parties(covenant, message: str, before: tuple[int, str]):
    flash(f"{message} {_changed_version(covenant, before)}".strip(), "success")
    return redirect(url_for("covenant_drafting.parties", covenant_id=covenant.id))


@bp.route("/<int:covenant_id>/parties/add", methods=["POST"])
@login_required
def add_party(covenant_id: int):
    covenant = _draftable(covenant_id)
    form, before = _add_form(covenant, request.form), _state(covenant)
    add = lambda: services.add_party(current_user, covenant, form.party.data, form.reason.data or "")  # noqa: E731
    parties = made("covenant_party", lambda _party: url_for("covenant_drafting.parties", covenant_id=covenant.id))
    if _submitted(form, add, then=parties):
        return _back_to_parties(covenant, _("The party is added."), before)
    return render_parties(covenant, add_form=form, status=400)


@bp.route("/<int:covenant_id>/parties/<party>/remove", methods=["POST"])
@login_required
def remove_party(covenant_id: int, party: str):
    covenant = _draftable(covenant_id)
    if not any(p.party == party and not p.removed for p in covenant.parties):
        abort(404)
    form, before = _remove_form(party, request.form), _state(covenant)
    if _submitted(form, lambda: services.remove_party(current_user, covenant, party, form.reason.data or "")):
        return _back_to_parties(covenant, _("The party is removed."), before)
    return render_parties(covenant, remove=(party, form), status=400)


@bp.route("/<int:covenant_id>/settings", methods=["POST"])
@login_required
def settings(covenant_id: int):
    covenant = _draftable(covenant_id)
    form = SettingsForm()
    if _submitted(form, lambda: services.set_commits(current_user, covenant, form.commits.data)):
        flash(_("The setting is saved."), "success")
        return redirect(url_for("covenant_drafting.parties", covenant_id=covenant.id))
    return render_parties(covenant, settings_form=form, status=400)


@bp.route("/<int:covenant_id>/open", methods=["POST"], endpoint="open")
@login_required
def open_for_signature(covenant_id: int):
    covenant = _covenant_or_404(covenant_id)
    require("covenant.open", covenant)
    form = EmptyForm()
    done = _submitted(form, lambda: services.open_for_signature(current_user, covenant))
    if not done:
        return render_parties(covenant, open_form=form, status=400)
    found = done.value
    fingerprint = grouped(found.content_hash)
    flash(
        _(
            "Version %(n)d is open for signature. Its fingerprint is %(fingerprint)s.",
            n=found.number,
            fingerprint=fingerprint,
        ),
        "success",
    )
    return redirect(url_for("covenants.show", covenant_id=covenant.id))
