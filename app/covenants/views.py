"""Covenant pages everyone can read (list, covenant, versions, PDF, fingerprint check), signing and ending.

A *convenant* is the agreement the partners' boards and the aldermen sign. Signing and ending are
done by app/covenants/signing.py; these views ask the policy, fill the forms and show the outcome.
Drafting (text, parties, opening) is in app/covenants/drafting_views.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from app.accounts.models import Role
from app.covenants import council_rule, services, signing, sources
from app.covenants.fingerprint import FORMAT, canonical_form, clean_fingerprint, grouped
from app.covenants.forms import EndForm, SignForm, VerifyForm
from app.covenants.models import Covenant, CovenantStatus, CovenantVersion
from app.covenants.pdf import filename, version_pdf
from app.covenants.versions import current_version, current_versions, versions_with_fingerprint
from app.extensions import db, limiter
from app.forms_common import options, save
from app.policy import can, require
from app.processes.services import get_process
from app.processes.visibility import is_visible

bp = Blueprint("covenants", __name__, url_prefix="/covenants")

PER_PAGE = 20


# --- what the templates (pages and PDF) use -------------------------------------------------------


@dataclass(frozen=True)
class VersionState:
    key: str  # "open", "in_force", "ended" or "superseded"
    replaced_by: int | None = None  # the number of the version that replaced it, if there is one


def version_state(covenant: Covenant, version: CovenantVersion) -> VersionState:
    if version.superseded_at is not None or version.number != covenant.current_version:
        later = version.number + 1 if version.number < covenant.current_version else None
        return VersionState("superseded", later)
    if covenant.status == CovenantStatus.ENDED.value:
        return VersionState("ended" if version.in_force_at else "superseded")
    if covenant.status == CovenantStatus.IN_FORCE.value:
        return VersionState("in_force")
    if covenant.status == CovenantStatus.DRAFT.value:
        return VersionState("superseded")
    return VersionState("open")


def party_name(covenant: Covenant, key: str, version: CovenantVersion | None = None) -> str:
    if version is not None:
        for party in version.parties:
            if party["party"] == key:
                return party["name"]
    return sources.party_names([key]).get(key, key)


bp.add_app_template_global(signing.public_signer, "covenant_signer")
bp.add_app_template_global(version_state, "covenant_version_state")
bp.add_app_template_global(grouped, "fingerprint_grouped")


# --- finding things -------------------------------------------------------------------------------


def covenant_or_404(covenant_id: int) -> Covenant:
    covenant = services.get(covenant_id)
    if covenant is None:
        abort(404)
    return covenant


def version_or_404(covenant: Covenant, number: int) -> CovenantVersion:
    found = services.version(covenant, number) if number > 0 else None
    if found is None:
        abort(404)
    return found


# --- public pages ---------------------------------------------------------------------------------


@bp.route("/")
def index():
    """Every covenant (`?process=slug`: of one process), and first the ones waiting for your signature."""
    process = get_process(request.args.get("process") or "") if request.args.get("process") else None
    page = db.paginate(
        services.covenants_query(process.id if process else None).options(selectinload(Covenant.parties)),
        per_page=current_app.config.get("COVENANTS_PAGE_SIZE", PER_PAGE),
        error_out=False,
    )
    waiting = []
    if current_user.is_authenticated and current_user.has_role(Role.PARTNER, Role.WETHOUDER):
        candidates = list(db.session.scalars(services.covenants_query(status="open").limit(50)))
        current_versions(candidates)  # the policy asks for each one's current version: read them at once
        waiting = [c for c in candidates if can_sign(c)]
    return render_template(
        "covenants/index.html",
        page=page,
        versions=current_versions(page.items),
        process=process,
        waiting=waiting,
    )


def can_sign(covenant) -> bool:
    return bool(can(current_user, "covenant.sign", covenant))


@bp.route("/<int:covenant_id>")
def show(covenant_id: int):
    covenant = covenant_or_404(covenant_id)
    all_versions = services.versions(covenant)
    current = current_version(covenant)  # one of them: not read again
    drafting = covenant.status == CovenantStatus.DRAFT.value or current is None
    if drafting:
        document = services.TEXTS.document(covenant)
        title, text = document["fields"].get("title") or covenant.title, document["fields"].get("text", "")
        parties = [(p, None) for p in services.party_list(covenant)]
    else:
        title, text = current.title, current.text
        signed = {s.party: s for s in current.signatures}
        parties = [(p, signed.get(p["party"])) for p in current.parties]
    return render_template(
        "covenants/show.html",
        covenant=covenant,
        current=current,
        drafting=drafting,
        title=title,
        text=text,
        parties=parties,
        missing=services.missing_parties(covenant, current) if current else [],
        versions=all_versions,
        council=council_rule.council_decision(covenant) if covenant.commits_municipality else None,
        paused=council_rule.signing_paused(covenant),
        agendas=sources.agendas_of(covenant),
        ended_party=party_name(covenant, covenant.ended_party, current) if covenant.ended_party else "",
    )


@bp.route("/<int:covenant_id>/versions/<int:number>")
def version(covenant_id: int, number: int):
    covenant = covenant_or_404(covenant_id)
    found = version_or_404(covenant, number)
    signed = {s.party: s for s in found.signatures}
    return render_template(
        "covenants/version.html",
        covenant=covenant,
        version=found,
        state=version_state(covenant, found),
        parties=[(p, signed.get(p["party"])) for p in found.parties],
    )


@bp.route("/<int:covenant_id>/versions/<int:number>.pdf")
@limiter.limit(lambda: current_app.config["RATELIMIT_PDF"])  # rendering takes a while
def pdf(covenant_id: int, number: int):
    covenant = covenant_or_404(covenant_id)
    found = version_or_404(covenant, number)
    response = make_response(version_pdf(covenant, found))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename(covenant, found)}"'
    return response


@bp.route("/<int:covenant_id>/versions/<int:number>/canonical.txt")
def canonical(covenant_id: int, number: int):
    """The exact bytes that are hashed into the version's fingerprint, to check it with any SHA-256 tool."""
    covenant = covenant_or_404(covenant_id)
    found = version_or_404(covenant, number)
    form = canonical_form(found.title, [(p["party"], p["name"]) for p in found.parties], found.text)
    response = make_response(form.encode("utf-8"))
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="convenant-{covenant.id}-versie-{found.number}.txt"'
    return response


@bp.route("/verify")
def verify():
    """Which covenant version has this fingerprint, and who signed it.

    Always 200: a malformed fingerprint gets a message next to the field, an unknown one a plain
    "no covenant version has this fingerprint" (it is an answer to a question, not a missing page).
    """
    form = VerifyForm(formdata=request.args)
    typed = (request.args.get("fingerprint") or "").strip()
    cleaned, results = None, None
    if typed:
        cleaned = clean_fingerprint(typed)
        if cleaned is None:
            form.fingerprint.errors = [
                _(
                    "A fingerprint has exactly 64 characters: the digits 0 to 9 and the letters a to f. "
                    "Check what you typed or copy it again."
                )
            ]
        else:
            # a version of a covenant in a process that is not published has no covenant for this reader
            results = [v for v in versions_with_fingerprint(cleaned) if is_visible(v.covenant)]
    return render_template(
        "covenants/verify.html",
        form=form,
        typed=typed,
        cleaned=cleaned,
        results=results,
        canonical_format=FORMAT,
    )


# --- signing and ending ---------------------------------------------------------------------------


def _per_person(config_key: str, default: str):
    """Only failed attempts count, per signed-in person: the password can't be guessed here."""
    return limiter.limit(
        lambda: current_app.config.get(config_key, default),
        methods=["POST"],
        key_func=lambda: f"sign:{current_user.get_id() if current_user.is_authenticated else request.remote_addr}",
        deduct_when=lambda response: response.status_code != 302,
    )


CHANGED = _l(
    "The covenant changed while you were reading it. Read the new version below and sign that one if you agree."
)


def _party_choices(form_field, covenant: Covenant, keys: list[str], version: CovenantVersion | None) -> None:
    """The parties this person may act for: fixed when there is one, else a choice to make."""
    pairs = [(key, party_name(covenant, key, version)) for key in keys]
    if len(keys) == 1:
        form_field.data = form_field.data or keys[0]
    else:
        pairs.insert(0, ("", _("Choose the party")))
    form_field.choices = options(pairs)


@bp.route("/<int:covenant_id>/sign", methods=["GET", "POST"])
@_per_person("RATELIMIT_SIGN", "10 per minute;50 per hour")
@login_required
def sign(covenant_id: int):
    covenant = covenant_or_404(covenant_id)
    require("covenant.sign", covenant)
    current = current_version(covenant)
    parties = signing.can_sign_now(current_user, covenant)
    form = SignForm()
    _party_choices(form.party, covenant, parties, current)
    if request.method == "GET":
        form.fingerprint.data = current.content_hash
    status = 200
    if form.validate_on_submit():
        data = signing.SignData(
            fingerprint=form.fingerprint.data or "",
            party=form.party.data or "",
            password=form.password.data or "",
            full_name=form.full_name.data or "",
            confirmed=bool(form.confirm.data),
        )
        saved = save(form, lambda: signing.sign(current_user, covenant, data))
        if saved:
            if saved.value.version.in_force_at:
                flash(_("Thank you, you signed. Every party has now signed: the covenant is in force."), "success")
            else:
                flash(_("Thank you, you signed. The covenant is in force once every party has signed."), "success")
            return redirect(url_for("covenants.show", covenant_id=covenant_id))
        covenant = covenant_or_404(covenant_id)  # re-read: it may have changed meanwhile
        current = current_version(covenant)
        parties = signing.can_sign_now(current_user, covenant)
        _party_choices(form.party, covenant, parties, current)
    if request.method == "POST":
        status = 400
        if current is not None and form.fingerprint.data != current.content_hash:
            form.fingerprint.data = current.content_hash  # the text below is the one they sign now
            if str(CHANGED) not in form.form_errors:  # the form's own checks stopped it before the service did
                form.form_errors.append(str(CHANGED))
    if len(parties) == 1:
        statement_party = party_name(covenant, parties[0], current)
    else:
        statement_party = _("…the party you choose…")
    return render_template(
        "covenants/sign.html",
        covenant=covenant,
        version=current,
        form=form,
        parties=parties,
        statement=signing.statement(current, statement_party, _("…your name…")) if current else "",
    ), status


@bp.route("/<int:covenant_id>/end", methods=["GET", "POST"])
@login_required
def end(covenant_id: int):
    covenant = covenant_or_404(covenant_id)
    require("covenant.end", covenant)
    current = current_version(covenant)
    form = EndForm()
    _party_choices(form.party, covenant, signing.can_end(current_user, covenant), current)
    if form.validate_on_submit():
        reason, party = form.reason.data or "", form.party.data or ""
        if save(form, lambda: signing.end(current_user, covenant, party, reason)):
            flash(_("The covenant has ended. The reason is shown on its page."), "success")
            return redirect(url_for("covenants.show", covenant_id=covenant_id))
        covenant = covenant_or_404(covenant_id)
        _party_choices(form.party, covenant, signing.can_end(current_user, covenant), current)
    return render_template(
        "covenants/end.html", covenant=covenant, version=current, form=form
    ), 400 if request.method == "POST" else 200
