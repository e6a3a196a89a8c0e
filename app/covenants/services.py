"""Covenants: drafting from agreed agendas, parties, opening for signature, signing, changing, ending.

The text is saved through the same `RevisionStore` as agendas (history, diff, drafts on conflict).
Every change once a covenant has been opened (to the text or to the parties) opens the next
version at once: the old version keeps its signatures and fingerprint, and every party signs again.

Signing and ending are in app/covenants/signing.py.

Concurrency: every step that changes the state of a covenant first locks its row (`lock`), so a
signature never lands on a version that a change is superseding, and the last two signatures can't
both miss each other when deciding whether the covenant is in force. The unique constraint on
(version, party) is the last guard against a party signing a version twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.accounts.models import Organisation, User
from app.covenants.council_rule import council_approves, council_message
from app.covenants.fingerprint import fingerprint
from app.covenants.models import (
    MUNICIPALITY,
    Covenant,
    CovenantDraft,
    CovenantParty,
    CovenantRevision,
    CovenantStatus,
    CovenantVersion,
    covenant_agendas,
)
from app.covenants.sources import (
    agendas_commit_municipality,
    agreed_agendas,
    party_names,
    proposal,
)
from app.covenants.versions import WITH_SIGNATURES, current_version, remember_current
from app.errors import DomainError, unique_or
from app.extensions import db
from app.models_common import utcnow
from app.notifications import events
from app.revisions.documents import normalise
from app.revisions.store import RevisionStore

TITLE_MAX, TEXT_MAX, REASON_MIN = 200, 60_000, 10


def validate_document(doc: dict) -> dict:
    doc = normalise(doc)
    title = " ".join((doc["fields"].get("title") or "").split())
    text = (doc["fields"].get("text") or "").replace("\r\n", "\n").strip()
    if len(title) < 3:
        raise DomainError(_("Give the covenant a title of at least 3 characters."), "title")
    if len(title) > TITLE_MAX:
        raise DomainError(_("Keep the title under %(n)d characters.", n=TITLE_MAX), "title")
    if not text:
        raise DomainError(_("Write the text of the covenant."), "text")
    if len(text) > TEXT_MAX:
        raise DomainError(_("The text is too long: at most %(n)d characters.", n=TEXT_MAX), "text")
    return {"fields": {"title": title, "text": text + "\n"}, "items": []}


def _follow_title(covenant: Covenant) -> None:
    covenant.title = TEXTS.document(covenant)["fields"].get("title", covenant.title)


TEXTS = RevisionStore(
    owner=Covenant,
    revision=CovenantRevision,
    draft=CovenantDraft,
    key="covenant_id",
    validate=validate_document,
    on_revision=_follow_title,
)


# --- reading -------------------------------------------------------------------------------------


def get(covenant_id: int) -> Covenant | None:
    return db.session.get(Covenant, covenant_id)


def covenants_query(process_id: int | None = None, status: str = "") -> sa.Select:
    stmt = sa.select(Covenant).options(selectinload(Covenant.process))
    if process_id is not None:
        stmt = stmt.where(Covenant.process_id == process_id)
    if status:
        stmt = stmt.where(Covenant.status == status)
    return stmt.order_by(Covenant.updated_at.desc(), Covenant.id.desc())


def active_parties(covenant: Covenant) -> list[CovenantParty]:
    return [p for p in covenant.parties if not p.removed]


def party_list(covenant: Covenant) -> list[dict]:
    """The current parties as a version stores them: [{"party", "name"}], sorted by key."""
    parties = active_parties(covenant)
    names = party_names([p.party for p in parties])
    return sorted(({"party": p.party, "name": names.get(p.party, p.party)} for p in parties), key=lambda p: p["party"])


def version(covenant: Covenant, number: int | None = None) -> CovenantVersion | None:
    """Version `number` with its signatures; the current one when `number` is None or its number."""
    if number is None or number == covenant.current_version:
        return current_version(covenant)
    return db.session.scalar(
        sa.select(CovenantVersion)
        .where(CovenantVersion.covenant_id == covenant.id, CovenantVersion.number == number)
        .options(WITH_SIGNATURES)
    )


def versions(covenant: Covenant) -> list[CovenantVersion]:
    """Every version, newest first, with signatures (the current one among them, so it is not read again)."""
    found = list(
        db.session.scalars(
            sa.select(CovenantVersion)
            .where(CovenantVersion.covenant_id == covenant.id)
            .order_by(CovenantVersion.number.desc())
            .options(WITH_SIGNATURES)
        )
    )
    remember_current(v for v in found if v.number == covenant.current_version)
    return found


def missing_parties(covenant: Covenant, found: CovenantVersion | None = None) -> list[dict]:
    """The parties of the current version (or of `found`) that have not signed it yet."""
    found = found or current_version(covenant)
    if found is None:
        return []
    signed = {s.party for s in found.signatures}
    return [p for p in found.parties if p["party"] not in signed]


def version_fingerprint(title: str, parties: list[dict], text: str) -> str:
    return fingerprint(title, [(p["party"], p["name"]) for p in parties], text)


# --- drafting ------------------------------------------------------------------------------------


def create(user: User, process, agenda_ids: list[int], title: str, commits_municipality: bool = False) -> Covenant:
    """A new covenant from agreed agendas, with the proposed first text as revision 1."""
    available = {a.id: a for a in agreed_agendas(process.id)}
    chosen = [available[i] for i in dict.fromkeys(agenda_ids) if i in available]
    if not agenda_ids:
        raise DomainError(_("Choose at least one agreed agenda."), "agendas")
    if len(chosen) != len(set(agenda_ids)):
        raise DomainError(_("Choose only agreed agendas of this process."), "agendas")
    text, keys, commits = proposal(chosen)
    document = validate_document({"fields": {"title": title, "text": text}})
    covenant = Covenant(
        process_id=process.id,
        title=document["fields"]["title"],
        created_by_id=user.id,
        commits_municipality=bool(commits or commits_municipality),
    )
    db.session.add(covenant)
    db.session.flush()
    db.session.execute(sa.insert(covenant_agendas), [{"covenant_id": covenant.id, "agenda_id": a.id} for a in chosen])
    for key in keys:
        db.session.add(
            CovenantParty(
                covenant_id=covenant.id,
                party=key,
                organisation_id=int(key) if key.isdigit() else None,
                from_agendas=True,
                changed_by_id=user.id,
            )
        )
    db.session.flush()
    TEXTS.save(user, covenant, 0, document, _("First text, proposed from the agendas"))
    return covenant


def _editable(covenant: Covenant) -> Covenant:
    """The covenant locked for this change, refused once ended (checked on the locked row, so a change
    racing the end of the covenant can't slip in after it)."""
    covenant = lock(covenant)
    if covenant.status == CovenantStatus.ENDED.value:
        raise DomainError(_("This covenant has ended. Its text and parties can no longer change."))
    return covenant


def save_text(user: User, covenant: Covenant, base: int, title: str, text: str, message: str):
    """Save the text (merging with changes saved meanwhile); once opened, this opens the next version."""
    covenant = _editable(covenant)
    saved = TEXTS.save(user, covenant, base, {"fields": {"title": title, "text": text}, "items": []}, message)
    if saved.revision is not None:
        _after_change(user, covenant)
    return saved


def resolve_text(user: User, covenant: Covenant, against: int, choices: dict):
    covenant = _editable(covenant)
    saved = TEXTS.resolve_draft(user, covenant, against, choices)
    if saved.revision is not None:
        _after_change(user, covenant)
    return saved


def restore_text(user: User, covenant: Covenant, number: int):
    covenant = _editable(covenant)
    restored = TEXTS.restore(user, covenant, number)
    _after_change(user, covenant)
    return restored


def set_commits(user: User, covenant: Covenant, commits: bool) -> None:
    """Mark whether the covenant commits municipal money or staff (then the council must approve it).

    It can always be switched on. It can't be switched off while the agendas give the municipality
    money or staff, so the council's approval can't be skipped by unticking a box.
    """
    covenant = _editable(covenant)
    commits = bool(commits)
    if not commits and agendas_commit_municipality(covenant):
        raise DomainError(
            _(
                "The agendas of this covenant give the municipality money, hours or staff, so the council "
                "must approve it. This can't be switched off."
            ),
            "commits",
        )
    if commits == covenant.commits_municipality:
        return
    covenant.commits_municipality = commits
    covenant.updated_at = utcnow()
    db.session.flush()
    if commits:
        _after_change(user, covenant, force=True)  # an open version now needs the council's approval


def reason_text(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise DomainError(_("Write why, in at least %(n)d characters.", n=REASON_MIN), "reason")
    return reason[:2000]


def add_party(user: User, covenant: Covenant, party: str, reason: str) -> CovenantParty:
    reason = reason_text(reason)
    party = str(party or "")
    if party != MUNICIPALITY:
        digits = party.isascii() and party.isdigit() and len(party) <= 12
        organisation = db.session.get(Organisation, int(party)) if digits else None
        if organisation is None or not organisation.verified:
            raise DomainError(_("Choose the organisation from the list."), "party")
        # one spelling of the key ("01" and "1" are the same organisation), and the municipality's own
        # organisation is the party "municipality", which signs through an alderman
        party = MUNICIPALITY if organisation.kind == "municipality" else str(organisation.id)
    covenant = _editable(covenant)
    existing = next((p for p in covenant.parties if p.party == party), None)
    if existing is not None and not existing.removed:
        raise DomainError(_("This organisation is already a party."), "party")
    if existing is None:
        with unique_or(DomainError(_("This organisation is already a party."), "party")):
            existing = CovenantParty(
                covenant_id=covenant.id, party=party, organisation_id=int(party) if party.isdigit() else None
            )
            db.session.add(existing)
    existing.removed, existing.reason = False, reason
    existing.changed_by_id, existing.changed_at = user.id, utcnow()
    db.session.flush()
    db.session.refresh(covenant, ["parties"])
    _after_change(user, covenant)
    return existing


def remove_party(user: User, covenant: Covenant, party: str, reason: str) -> None:
    reason = reason_text(reason)
    covenant = _editable(covenant)
    existing = next((p for p in covenant.parties if p.party == party and not p.removed), None)
    if existing is None:
        raise DomainError(_("This party is not in the covenant (any more)."), "party")
    if party == MUNICIPALITY and covenant.commits_municipality:
        raise DomainError(
            _("This covenant commits municipal money or staff, so the municipality stays a party."), "party"
        )
    if len(active_parties(covenant)) <= 1:
        raise DomainError(_("A covenant needs at least one party."), "party")
    existing.removed, existing.reason = True, reason
    existing.changed_by_id, existing.changed_at = user.id, utcnow()
    db.session.flush()
    db.session.refresh(covenant, ["parties"])
    _after_change(user, covenant)


# --- opening and versions ------------------------------------------------------------------------


def lock(covenant: Covenant) -> Covenant:
    return TEXTS.lock(covenant)


def opening_problem(covenant: Covenant) -> str | None:
    """Why this covenant can't be opened for signature now, or None."""
    if covenant.status == CovenantStatus.ENDED.value:
        return _("This covenant has ended.")
    if covenant.status in (CovenantStatus.OPEN.value, CovenantStatus.IN_FORCE.value):
        return _("This covenant is already open for signature. Changes open the next version by themselves.")
    if covenant.process is not None and not covenant.process.is_published:
        # Opening mails every signatory a link, and they cannot see a process that is not published yet.
        return _("Publish the process first: until then, the parties cannot see the covenant.")
    if not active_parties(covenant):
        return _("Add at least one party first.")
    if covenant.commits_municipality and not council_approves(covenant):
        return council_message(covenant)
    return None


def open_for_signature(user: User, covenant: Covenant) -> CovenantVersion:
    covenant = lock(covenant)
    problem = opening_problem(covenant)
    if problem:
        raise DomainError(problem)
    return _new_version(user, covenant)


def _new_version(user: User, covenant: Covenant) -> CovenantVersion:
    """Freeze the current text and parties as the next version; the one before stops counting."""
    document = TEXTS.document(covenant)
    title, text = document["fields"]["title"], document["fields"]["text"]
    parties = party_list(covenant)
    now = utcnow()
    previous = current_version(covenant)
    if previous is not None and previous.superseded_at is None:
        previous.superseded_at = now
    found = CovenantVersion(
        covenant_id=covenant.id,
        number=covenant.current_version + 1,
        revision_number=covenant.current_revision,
        title=title,
        text=text,
        parties=parties,
        content_hash=version_fingerprint(title, parties, text),
        opened_at=now,
        opened_by_id=user.id,
    )
    db.session.add(found)
    covenant.current_version = found.number
    covenant.status = CovenantStatus.OPEN.value
    covenant.in_force_since = None
    covenant.updated_at = now
    db.session.flush()
    # Its signatories and the parties' members hear of it (app/notifications/audience.py): a first version
    # asks them to sign, a later one to sign again.
    events.record(
        "covenant_opened" if previous is None else "covenant_new_version",
        actor=user,
        covenant=covenant,
        version=found.number,
        title=found.title,
        fingerprint=found.content_hash,
    )
    return found


def _after_change(user: User, covenant: Covenant, force: bool = False) -> None:
    """Once opened, any change to text or parties opens the next version (every party signs again).

    A covenant that needs the council's approval and doesn't have it for the new text goes back to
    being written: its last version stops counting, and it opens again once the council approved.
    """
    covenant.updated_at = utcnow()
    if not covenant.current_version or covenant.status not in (
        CovenantStatus.OPEN.value,
        CovenantStatus.IN_FORCE.value,
    ):
        return
    current = current_version(covenant)
    document = TEXTS.document(covenant)
    same = current is not None and current.content_hash == version_fingerprint(
        document["fields"]["title"], party_list(covenant), document["fields"]["text"]
    )
    if same and not force:
        return  # back to what is already open (a restore, say): nothing new to sign
    if covenant.commits_municipality and not council_approves(covenant):
        if current is not None and current.superseded_at is None:
            current.superseded_at = utcnow()
        covenant.status = CovenantStatus.DRAFT.value
        covenant.in_force_since = None
        db.session.flush()
        # Those who were asked to sign hear that their signature is not asked now: the council comes first.
        events.record(
            "covenant_back_to_writing",
            actor=user,
            covenant=covenant,
            version=current.number if current is not None else None,
            title=covenant.title,
        )
        return
    if not same:
        _new_version(user, covenant)
