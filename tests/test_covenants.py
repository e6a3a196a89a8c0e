"""Covenants through their services: drafting from agendas, parties, the council rule, versions, the
in-force rule, ending, the policy per role and phase, the balance, the council page, the API and the demo."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.extensions import db
from app.workdays import today as local_today
from tests.conftest import make_organisation, make_process, make_user
from tests.covenant_helpers import make_covenant, open_covenant, sign_all, sign_as


def _user(user_id):
    from app.accounts.models import User

    return db.session.get(User, user_id)


def _covenant(world):
    from app.covenants import services

    return services.get(world.covenant_id)


def _approve_in_council(app, world, outcome="approved"):
    from app.council import services as council

    clerk = make_user(app, role="council")
    with app.app_context():
        council.record_position(
            _user(clerk.id),
            council.PositionData(
                process_id=world.process.id,
                kind="council_decision",
                decided_on=local_today(),
                reference="2026/099",
                title="Instemming convenant",
                outcome=outcome,
                covenant_ids=[world.covenant_id],
            ),
        )
        db.session.commit()


# --- drafting -------------------------------------------------------------------------------------


def test_the_first_text_is_proposed_from_the_agendas(app):
    world = make_covenant(app)
    from app.covenants import services

    with app.app_context():
        covenant = _covenant(world)
        text = services.TEXTS.document(covenant)["fields"]["text"]
        for expected in (
            "Woningcorporatie De Veste",
            "Welzijn Zoetermeer",
            "Lantaarns plaatsen",
            "€ 25.000",
            "2027-Q1",
            "Buurtavond over veiligheid",
            "40",
            "Elk kwartaal in de wijkraad.",  # how the agenda stays current
            "Minder meldingen van onveilige plekken.",  # how success is judged
            "Het pad is overal zichtbaar.",  # the activity's indicator
        ):
            assert expected in text, expected
        # the sections: parties, commitments, staying current, success, duration and evaluation, stepping out
        assert text.count("\n## ") + text.startswith("## ") == 7
        assert covenant.current_revision == 1 and covenant.status == "draft"
        parties = sorted(p.party for p in covenant.parties)
        assert parties == sorted([str(world.orgs[0].id), str(world.orgs[1].id), "municipality"])
        assert all(p.from_agendas for p in covenant.parties)
        assert covenant.commits_municipality is False


def test_municipal_money_in_the_agendas_marks_the_covenant(app):
    world = make_covenant(app, municipal_money=True)
    with app.app_context():
        assert _covenant(world).commits_municipality is True


def test_only_agreed_agendas_of_the_process_can_be_used(app):
    from app.covenants import services
    from app.errors import DomainError
    from app.processes.models import Process

    world = make_covenant(app)
    other = make_process(app, phase="covenants")
    with app.app_context():
        drafter = _user(world.drafter.id)
        with pytest.raises(DomainError) as error:
            services.create(drafter, db.session.get(Process, other.id), world.agenda_ids, "Een titel")
        assert error.value.field == "agendas"
        with pytest.raises(DomainError):
            services.create(drafter, db.session.get(Process, other.id), [], "Een titel")


def test_the_text_uses_the_same_revision_mechanism_as_agendas(app):
    from app.covenants import services
    from app.revisions.store import RevisionStore

    world = make_covenant(app)
    assert isinstance(services.TEXTS, RevisionStore)
    with app.app_context():
        covenant = _covenant(world)
        drafter = _user(world.drafter.id)
        text = services.TEXTS.document(covenant)["fields"]["text"]
        first = services.save_text(drafter, covenant, 1, "Veilig fietspad", text + "\nEen eerste alinea.\n", "")
        assert first.revision.number == 2
        # someone else, still on revision 1, changes the title: it merges with the text change
        other = services.save_text(drafter, covenant, 1, "Veilig en licht fietspad", text, "")
        assert other.revision is not None and other.revision.merged
        document = services.TEXTS.document(covenant)
        assert document["fields"]["title"] == "Veilig en licht fietspad"
        assert "Een eerste alinea." in document["fields"]["text"]
        assert covenant.title == "Veilig en licht fietspad"
        assert [r.number for r in services.TEXTS.history(covenant)] == [3, 2, 1]


def test_bad_text_is_refused_next_to_its_field(app):
    from app.covenants import services
    from app.errors import DomainError

    world = make_covenant(app)
    with app.app_context():
        covenant = _covenant(world)
        for title, text, field in (("ab", "tekst", "title"), ("Titel", "   ", "text"), ("x" * 201, "t", "title")):
            with pytest.raises(DomainError) as error:
                services.save_text(_user(world.drafter.id), covenant, 1, title, text, "")
            assert error.value.field == field
        assert covenant.current_revision == 1


# --- parties -------------------------------------------------------------------------------------


def test_parties_are_adjusted_with_a_reason(app):
    from app.covenants import services
    from app.errors import DomainError

    world = make_covenant(app)
    extra = make_organisation(app, "Basisschool De Regenboog")
    with app.app_context():
        covenant = _covenant(world)
        drafter = _user(world.drafter.id)
        with pytest.raises(DomainError) as error:
            services.add_party(drafter, covenant, str(extra.id), "kort")
        assert error.value.field == "reason"
        services.add_party(drafter, covenant, str(extra.id), "De school doet mee met de buurtavond.")
        with pytest.raises(DomainError):
            services.add_party(drafter, covenant, str(extra.id), "Nog een keer toevoegen kan niet.")
        services.remove_party(drafter, covenant, str(world.orgs[1].id), "Welzijn doet de buurtavond niet meer.")
        db.session.commit()
        active = {p.party: p for p in services.active_parties(covenant)}
        assert set(active) == {str(world.orgs[0].id), str(extra.id), "municipality"}
        removed = next(p for p in covenant.parties if p.removed)
        assert removed.reason == "Welzijn doet de buurtavond niet meer."
        assert active[str(extra.id)].reason == "De school doet mee met de buurtavond."
        with pytest.raises(DomainError):
            services.add_party(drafter, covenant, "999999", "Een organisatie die niet bestaat.")


# --- opening and the council rule ----------------------------------------------------------------


def test_opening_fixes_a_version_with_its_fingerprint(app):
    from app.covenants import services
    from app.covenants.fingerprint import fingerprint

    world = make_covenant(app)
    content_hash = open_covenant(app, world)
    with app.app_context():
        covenant = _covenant(world)
        version = services.version(covenant)
        assert covenant.status == "open" and covenant.current_version == 1 and version.number == 1
        document = services.TEXTS.document(covenant)
        parties = [(p["party"], p["name"]) for p in version.parties]
        assert content_hash == fingerprint(document["fields"]["title"], parties, document["fields"]["text"])
        assert {name for _, name in parties} == {
            "Woningcorporatie De Veste",
            "Welzijn Zoetermeer",
            "Gemeente Zoetermeer",
        }
        # the same content gives the same fingerprint, recomputed from what the version stored
        assert services.version_fingerprint(version.title, version.parties, version.text) == content_hash


def test_opening_tells_the_signatories_and_the_parties_members(app, outbox):
    """Opening records covenant_opened (tests/test_events_recorded.py); its notification reaches, at once by
    default, everyone who may sign and the members of the parties, never someone outside them."""
    world = make_covenant(app)
    outbox.clear()
    open_covenant(app, world)
    recipients = {mail.to for mail in outbox}
    assert {world.signatories[0].email, world.signatories[1].email, world.wethouder.email} <= recipients
    assert world.partner.email in recipients  # a member of a party: hears of it, cannot sign
    assert world.resident.email not in recipients and world.drafter.email not in recipients  # nor the one who opened
    assert all("Veilig fietspad" in mail.body and f"/covenants/{world.covenant_id}" in mail.body for mail in outbox)


def test_the_mail_on_opening_quotes_the_fingerprint(app, outbox):
    """The mail (not the short line in the site) quotes the version's fingerprint and links to the covenant
    page and to the page for signing, absolute from BASE_URL, in each reader's language."""
    from app.accounts.models import User

    world = make_covenant(app)
    with app.app_context():
        db.session.get(User, world.signatories[1].id).language = "en"
        db.session.commit()
    outbox.clear()
    content_hash = open_covenant(app, world)
    by_address = {mail.to: mail.body for mail in outbox}
    sign_link = f"http://localhost/covenants/{world.covenant_id}/sign"
    assert outbox and all(content_hash in body and sign_link in body for body in by_address.values())
    assert all(f"http://localhost/covenants/{world.covenant_id}\n" in body for body in by_address.values())
    dutch, english = by_address[world.signatories[0].email], by_address[world.signatories[1].email]
    assert (
        f"Vingerafdruk van versie 1: {content_hash}" in dutch and f"Lees en onderteken het hier: {sign_link}" in dutch
    )
    assert (
        f"Fingerprint of version 1: {content_hash}" in english and f"Read it and sign it here: {sign_link}" in english
    )
    # a member of a party who cannot sign is not asked to, but sees where the signatories sign
    assert f"ondertekenaars van de partijen ondertekenen het hier: {sign_link}" in by_address[world.partner.email]


def test_the_mail_on_a_new_version_quotes_the_new_fingerprint(app, outbox):
    from app.covenants import services

    world = make_covenant(app)
    first_hash = open_covenant(app, world)
    outbox.clear()
    with app.app_context():
        covenant = _covenant(world)
        text = services.TEXTS.document(covenant)["fields"]["text"]
        services.save_text(
            _user(world.drafter.id), covenant, covenant.current_revision, covenant.title, text + "X\n", ""
        )
        db.session.commit()
        new_hash = services.version(covenant).content_hash
    mail = next(m for m in outbox if m.to == world.signatories[0].email)
    assert f"Vingerafdruk van versie 2: {new_hash}" in mail.body and first_hash not in mail.body
    assert f"/covenants/{world.covenant_id}/sign" in mail.body


def test_a_mail_sent_after_the_text_changed_again_names_no_stale_fingerprint(app):
    """Written when sent: if a newer version opened meanwhile, the first mail no longer asks to sign the old one."""
    from app.covenants import services
    from app.mail.models import OutboxMail
    from app.notifications.mails import compose
    from app.notifications.models import Notification

    world = make_covenant(app)
    app.extensions["mail_composers"] = {}  # nothing is written at the commit: we compose the rows below
    first_hash = open_covenant(app, world)
    with app.app_context():
        covenant = _covenant(world)
        text = services.TEXTS.document(covenant)["fields"]["text"]
        services.save_text(
            _user(world.drafter.id), covenant, covenant.current_revision, covenant.title, text + "X\n", ""
        )
        db.session.commit()
        rows = db.session.scalars(sa.select(OutboxMail).where(OutboxMail.user_id == world.signatories[0].id))
        kind_of = {row.id: db.session.get(Notification, row.refs[0]).event.kind for row in rows}
        first = db.session.get(OutboxMail, next(i for i, kind in kind_of.items() if kind == "covenant_opened"))
        _subject, body = compose(first)
        assert first_hash not in body and "/sign" not in body
        assert "niet meer de versie om te ondertekenen" in body


def test_municipal_money_needs_the_councils_approval_before_opening(app):
    from app.covenants import services
    from app.errors import DomainError

    world = make_covenant(app, municipal_money=True)
    with app.app_context(), force_locale("en"):
        covenant = _covenant(world)
        problem = services.opening_problem(covenant)
        assert "council" in problem and "money or staff" in problem
        with pytest.raises(DomainError) as error:
            services.open_for_signature(_user(world.drafter.id), covenant)
        assert error.value.message == problem
        assert covenant.current_version == 0
    _approve_in_council(app, world, outcome="rejected")
    with app.app_context():
        assert services.opening_problem(_covenant(world)) is not None  # a rejection does not open it
    _approve_in_council(app, world, outcome="approved")
    with app.app_context():
        assert services.opening_problem(_covenant(world)) is None
    open_covenant(app, world)
    with app.app_context():
        assert _covenant(world).status == "open"


def test_the_council_page_shows_the_covenant_as_a_checkpoint(app, client):
    world = make_covenant(app, municipal_money=True)
    page = client.get("/council").get_data(as_text=True)
    assert "Veilig fietspad" in page and f"/covenants/{world.covenant_id}" in page
    _approve_in_council(app, world)
    page = client.get("/council").get_data(as_text=True)
    assert "2026/099" in page


def test_the_council_form_links_a_position_to_covenants(app, client, auth):
    from app.council.models import CouncilPosition

    world = make_covenant(app, municipal_money=True)
    auth.login_as("council")
    data = {
        "process_id": str(world.process.id),
        "kind": "council_decision",
        "decided_on": local_today().isoformat(),
        "reference": "2026/100",
        "title": "Instemming",
        "outcome": "approved",
        "covenants": "999",
    }
    response = client.post("/council/positions/new", data=data)
    assert response.status_code == 200 and "999" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CouncilPosition.id))) == 0
    response = client.post("/council/positions/new", data={**data, "covenants": str(world.covenant_id)})
    assert response.status_code == 302
    with app.app_context():
        from app.covenants import council_rule, services

        assert services.opening_problem(_covenant(world)) is None
        assert council_rule.council_decision(_covenant(world)).reference == "2026/100"


# --- versions, signatures and the in-force rule ----------------------------------------------------


def test_in_force_only_when_every_party_signed_the_same_version(app):
    world = make_covenant(app)
    open_covenant(app, world)
    sign_as(app, world, world.signatories[0], str(world.orgs[0].id))
    sign_as(app, world, world.wethouder, "municipality")
    with app.app_context():
        assert _covenant(world).status == "open"
    sign_as(app, world, world.signatories[1], str(world.orgs[1].id))
    with app.app_context():
        covenant = _covenant(world)
        assert covenant.status == "in_force" and covenant.in_force_since is not None


def test_a_change_after_opening_makes_a_new_version_that_everyone_signs_again(app, outbox):
    from app.covenants import services

    world = make_covenant(app)
    first_hash = open_covenant(app, world)
    sign_as(app, world, world.signatories[0], str(world.orgs[0].id))
    sign_as(app, world, world.signatories[1], str(world.orgs[1].id))
    outbox.clear()
    with app.app_context():
        covenant = _covenant(world)
        text = services.TEXTS.document(covenant)["fields"]["text"]
        services.save_text(
            _user(world.drafter.id), covenant, covenant.current_revision, covenant.title, text + "X\n", ""
        )
        db.session.commit()
        assert covenant.current_version == 2 and covenant.status == "open"
        old, new = services.version(covenant, 1), services.version(covenant)
        assert old.content_hash == first_hash and old.superseded_at is not None and len(old.signatures) == 2
        assert new.content_hash != first_hash and new.signatures == []
        assert len(services.missing_parties(covenant)) == 3
    assert outbox, "the signatories hear that they must sign again"
    # a party change after opening does the same
    extra = make_organisation(app, "Buurthuis De Kroon")
    with app.app_context():
        covenant = _covenant(world)
        services.add_party(_user(world.drafter.id), covenant, str(extra.id), "Het buurthuis biedt de ruimte.")
        db.session.commit()
        assert covenant.current_version == 3
        assert "Buurthuis De Kroon" in [p["name"] for p in services.version(covenant).parties]


def test_a_covenant_in_force_changes_back_to_open_on_a_change(app):
    from app.covenants import services

    world = make_covenant(app)
    open_covenant(app, world)
    sign_all(app, world)
    with app.app_context():
        covenant = _covenant(world)
        services.save_text(
            _user(world.drafter.id), covenant, covenant.current_revision, "Veilig fietspad, herzien", "Nieuw.", ""
        )
        db.session.commit()
        assert covenant.status == "open" and covenant.in_force_since is None
        assert services.version(covenant, 1).in_force_at is not None  # the history keeps that it was in force


def test_a_restore_to_the_open_text_opens_no_new_version(app):
    from app.covenants import services

    world = make_covenant(app)
    open_covenant(app, world)
    with app.app_context():
        covenant = _covenant(world)
        drafter = _user(world.drafter.id)
        services.save_text(drafter, covenant, 1, covenant.title, "Iets anders.", "")
        assert covenant.current_version == 2
        services.restore_text(drafter, covenant, 1)
        db.session.commit()
        # back to version 1's content: the next version has the same fingerprint as version 1
        assert services.version(covenant).content_hash == services.version(covenant, 1).content_hash


# --- ending --------------------------------------------------------------------------------------


def test_a_party_ends_a_covenant_in_force_with_a_reason(app):
    from app.covenants import services, signing
    from app.errors import DomainError

    world = make_covenant(app)
    open_covenant(app, world)
    with app.app_context(), pytest.raises(DomainError):  # only a covenant in force can be ended
        signing.end(_user(world.wethouder.id), _covenant(world), "municipality", "Wij stoppen hiermee.")
    sign_all(app, world)
    with app.app_context():
        covenant = _covenant(world)
        with pytest.raises(DomainError) as error:
            signing.end(_user(world.wethouder.id), covenant, "municipality", "kort")
        assert error.value.field == "reason"
        with pytest.raises(DomainError):  # not their party
            signing.end(_user(world.wethouder.id), covenant, str(world.orgs[0].id), "Dat is niet onze partij.")
        signing.end(_user(world.wethouder.id), covenant, "municipality", "Het budget is door de raad geschrapt.")
        db.session.commit()
        assert covenant.status == "ended" and covenant.end_reason == "Het budget is door de raad geschrapt."
        with pytest.raises(DomainError):  # an ended covenant no longer changes
            services.save_text(_user(world.drafter.id), covenant, covenant.current_revision, "Nieuw", "Tekst", "")


# --- the policy ----------------------------------------------------------------------------------

ROLES = ("resident", "partner", "wijkregisseur", "facilitator", "wethouder", "council", "admin")


@pytest.mark.parametrize("phase", ["issues", "agendas", "covenants"])
def test_who_may_draft_and_open_per_phase(app, phase):
    from app.covenants import services
    from app.policy import can

    world = make_covenant(app, phase=phase)
    people = {role: make_user(app, role=role) for role in ROLES}
    with app.test_request_context():
        covenant = _covenant(world)
        for role, made in people.items():
            user = _user(made.id)
            drafter = role in ("wijkregisseur", "facilitator", "admin")
            assert bool(can(user, "covenant.draft", covenant.process)) == (drafter and phase != "issues"), role
            assert bool(can(user, "covenant.draft", covenant)) == (drafter and phase != "issues"), role
            assert bool(can(user, "covenant.open", covenant)) == (drafter and phase == "covenants"), role
        assert services.get(world.covenant_id) is not None


def test_who_may_sign_and_end(app):
    from flask_login import AnonymousUserMixin

    from app.policy import can

    world = make_covenant(app)
    outsider = make_user(app, role="partner", org="Een andere stichting", signatory=True)
    with app.test_request_context():
        assert not can(_user(world.signatories[0].id), "covenant.sign", _covenant(world))  # not open yet
    open_covenant(app, world)
    with app.test_request_context():
        covenant = _covenant(world)
        assert can(_user(world.signatories[0].id), "covenant.sign", covenant)
        assert can(_user(world.wethouder.id), "covenant.sign", covenant)
        for person in (world.partner, world.resident, world.drafter, outsider):
            assert not can(_user(person.id), "covenant.sign", covenant), person
        assert can(AnonymousUserMixin(), "covenant.sign", covenant).needs_login
        assert not can(_user(world.wethouder.id), "covenant.end", covenant)  # open, not in force
    sign_as(app, world, world.signatories[0], str(world.orgs[0].id))
    with app.test_request_context():
        assert not can(_user(world.signatories[0].id), "covenant.sign", _covenant(world))  # signed already
    sign_all_rest = [(world.signatories[1], str(world.orgs[1].id)), (world.wethouder, "municipality")]
    for person, party in sign_all_rest:
        sign_as(app, world, person, party)
    with app.test_request_context():
        covenant = _covenant(world)
        assert can(_user(world.wethouder.id), "covenant.end", covenant)
        assert can(_user(world.signatories[1].id), "covenant.end", covenant)
        for person in (world.partner, world.resident, world.drafter, outsider):
            assert not can(_user(person.id), "covenant.end", covenant), person


# --- the balance, the API and the demo --------------------------------------------------------------


def test_signatures_count_as_powering(app):
    from app.moderation import balance

    world = make_covenant(app)
    open_covenant(app, world)
    sign_all(app, world)
    with app.test_request_context():
        total = balance.totals(world.process.id)
        assert total.counts["signature"] == 3
        assert balance.KINDS["signature"].category.value == "powering"


def test_the_api_lists_covenants_with_status_version_hash_and_signatures(app, client):
    world = make_covenant(app)
    draft_only = make_covenant(app, title="Nog in de maak")
    content_hash = open_covenant(app, world)
    sign_as(app, world, world.signatories[0], str(world.orgs[0].id))
    listing = client.get("/api/v1/covenants").get_json()
    assert listing["total"] == 2 and listing["page"] == 1 and listing["pages"] == 1
    item = next(i for i in listing["items"] if i["id"] == world.covenant_id)
    assert item["status"] == "open" and item["version"] == 1 and item["content_hash"] == content_hash
    assert item["signatures"][0]["party"] == "Woningcorporatie De Veste"
    assert item["signatures"][0]["content_hash"] == content_hash and item["signatures"][0]["signed_at"]
    # the signatory did not choose to show their name: the role shows, not the name
    assert item["signatures"][0]["signatory"] is None and item["signatures"][0]["role"] == "signatory"
    assert next(i for i in listing["items"] if i["id"] == draft_only.covenant_id)["version"] is None

    detail = client.get(f"/api/v1/covenants/{world.covenant_id}").get_json()
    assert detail["status"] == "open" and detail["version"] == 1 and detail["content_hash"] == content_hash
    assert detail["versions"][0]["content_hash"] == content_hash and len(detail["signatures"]) == 1
    assert "Lantaarns plaatsen" in detail["text"]
    body = client.get(f"/api/v1/covenants/{world.covenant_id}").get_data(as_text=True)
    assert "@example.org" not in body and "@" not in client.get("/api/v1/covenants").get_data(as_text=True)
    assert client.get("/api/v1/covenants/999").status_code == 404
    assert client.get("/api/v1/covenants?process=nope").status_code == 404
    in_process = client.get(f"/api/v1/covenants?process={world.process.slug}").get_json()
    assert [i["id"] for i in in_process["items"]] == [world.covenant_id]


def test_the_api_shows_a_public_name_when_the_signatory_chose_so(app, client):
    from app.accounts.models import User

    world = make_covenant(app)
    with app.app_context():
        db.session.get(User, world.signatories[0].id).show_name_publicly = True
        db.session.commit()
    open_covenant(app, world)
    sign_as(app, world, world.signatories[0], str(world.orgs[0].id), full_name="Anna Maria de Vries")
    signature = client.get(f"/api/v1/covenants/{world.covenant_id}").get_json()["signatures"][0]
    assert signature["signatory"] == "Anna Maria de Vries" and signature["public_name"] == "Anna Maria de Vries"


def test_the_api_list_is_paginated(app, client):
    from app.api.views import PER_PAGE

    world = make_covenant(app)
    with app.app_context():
        from app.covenants import services
        from app.processes.models import Process

        process = db.session.get(Process, world.process.id)
        for n in range(PER_PAGE):
            services.create(_user(world.drafter.id), process, world.agenda_ids, f"Convenant {n}")
        db.session.commit()
    first = client.get("/api/v1/covenants").get_json()
    second = client.get("/api/v1/covenants?page=2").get_json()
    assert first["total"] == PER_PAGE + 1 and first["pages"] == 2 and len(first["items"]) == PER_PAGE
    assert len(second["items"]) == 1


def test_the_demo_has_a_covenant_in_force_and_one_open(app, runner):
    from app.covenants.models import Covenant

    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "2 covenants added" in result.output
    with app.app_context():
        statuses = sorted(db.session.scalars(sa.select(Covenant.status)))
        assert statuses == ["in_force", "open"]
    assert "0 covenants added" in runner.invoke(args=["seed", "demo"]).output


# --- the council rule can't be walked around ---------------------------------------------------------


def test_an_approval_counts_only_for_the_text_it_approved(app):
    from app.covenants import services

    world = make_covenant(app, municipal_money=True)
    _approve_in_council(app, world)
    with app.app_context():
        covenant = _covenant(world)
        assert services.opening_problem(covenant) is None
        services.save_text(_user(world.drafter.id), covenant, 1, covenant.title, "Een andere tekst.", "")
        db.session.commit()
        assert services.opening_problem(covenant) is not None  # the council approved the old text


def test_a_change_after_opening_waits_for_the_council_and_then_opens_again(app):
    from app.covenants import services

    world = make_covenant(app, municipal_money=True)
    _approve_in_council(app, world)
    open_covenant(app, world)
    with app.app_context():
        covenant = _covenant(world)
        services.save_text(_user(world.drafter.id), covenant, 1, covenant.title, "Meer geld voor licht.", "")
        db.session.commit()
        assert covenant.status == "draft" and services.version(covenant).superseded_at is not None
    _approve_in_council(app, world)
    second = open_covenant(app, world)
    with app.app_context():
        covenant = _covenant(world)
        assert covenant.status == "open" and covenant.current_version == 2
        assert services.version(covenant).content_hash == second != services.version(covenant, 1).content_hash


def test_a_later_rejection_pauses_signing(app):
    from app.errors import DomainError

    world = make_covenant(app, municipal_money=True)
    _approve_in_council(app, world)
    open_covenant(app, world)
    _approve_in_council(app, world, outcome="rejected")
    with pytest.raises(DomainError) as error:
        sign_as(app, world, world.wethouder, "municipality")
    assert error.value.message.startswith("Ondertekenen is gestopt")
    with app.app_context():
        assert _covenant(world).status == "open"


def test_the_municipality_stays_a_party_while_it_commits_money(app):
    from app.covenants import services
    from app.errors import DomainError

    world = make_covenant(app, municipal_money=True)
    with app.app_context():
        with pytest.raises(DomainError) as error:
            services.remove_party(_user(world.drafter.id), _covenant(world), "municipality", "Wij doen niet mee.")
        assert error.value.field == "party"


@pytest.mark.parametrize("typed", ["0{id}", "000000000000000000000{id}", "\u00b2", "\u0661", "x", ""])
def test_party_keys_have_one_spelling(app, typed):
    from app.covenants import services
    from app.errors import DomainError

    world = make_covenant(app)
    extra = make_organisation(app, "Bibliotheek Buytenwegh")
    key = typed.format(id=extra.id)
    with app.app_context():
        covenant = _covenant(world)
        drafter = _user(world.drafter.id)
        if key.isascii() and key.isdigit() and len(key) <= 12:
            services.add_party(drafter, covenant, key, "De bibliotheek biedt de ruimte.")
            assert str(extra.id) in [p.party for p in services.active_parties(covenant)]
            with pytest.raises(DomainError):  # "01" and "1" are the same party
                services.add_party(drafter, covenant, str(extra.id), "Nog een keer, anders geschreven.")
        else:
            with pytest.raises(DomainError) as error:
                services.add_party(drafter, covenant, key, "Een sleutel die niet bestaat.")
            assert error.value.field == "party"
        assert all(p.party == MUNICIPALITY or p.party == str(int(p.party)) for p in covenant.parties)


MUNICIPALITY = "municipality"


def test_the_canonical_form_is_served_byte_for_byte(app, client):
    import hashlib

    world = make_covenant(app)
    content_hash = open_covenant(app, world)
    response = client.get(f"/covenants/{world.covenant_id}/versions/1/canonical.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert hashlib.sha256(response.data).hexdigest() == content_hash
    assert response.data.startswith(b"buytenwegh-covenant/1\ntitle: Veilig fietspad\nparty: ")
    assert client.get(f"/covenants/{world.covenant_id}/versions/2/canonical.txt").status_code == 404


def test_the_list_filters_by_process_and_shows_what_waits_for_your_signature(app, client, auth):
    world = make_covenant(app)
    other = make_covenant(app, title="Ander convenant")
    open_covenant(app, world)
    page = client.get(f"/covenants/?process={world.process.slug}").get_data(as_text=True)
    assert "Veilig fietspad" in page and "Ander convenant" not in page
    assert "Ander convenant" in client.get("/covenants/").get_data(as_text=True)
    auth.login(world.wethouder.email)
    page = client.get("/covenants/").get_data(as_text=True)
    assert f"/covenants/{world.covenant_id}/sign" in page and f"/covenants/{other.covenant_id}/sign" not in page
    sign_as(app, world, world.wethouder, "municipality")
    assert f"/covenants/{world.covenant_id}/sign" not in client.get("/covenants/").get_data(as_text=True)


def test_the_covenant_page_says_when_signing_is_paused_by_the_council(app, client):
    world = make_covenant(app, municipal_money=True)
    _approve_in_council(app, world)
    open_covenant(app, world)
    assert "Ondertekenen is gestopt" not in client.get(f"/covenants/{world.covenant_id}").get_data(as_text=True)
    _approve_in_council(app, world, outcome="rejected")
    assert "Ondertekenen is gestopt" in client.get(f"/covenants/{world.covenant_id}").get_data(as_text=True)


def test_the_municipalitys_own_organisation_is_the_party_municipality(app):
    from app.accounts.services import create_organisation
    from app.covenants import services
    from app.processes.models import Process
    from tests.conftest import make_issue
    from tests.covenant_helpers import agreed_agenda

    world = make_covenant(app)
    with app.app_context():
        town = create_organisation("Gemeente Teststad", "municipality")
        db.session.commit()
        town_id = town.id
    issue = make_issue(app, world.process.id, world.resident.id, title="Speeltuin", status="shortlisted")
    money = [{"title": "Nieuwe speeltoestellen", "responsible": str(town_id), "euros": 250000}]
    agenda_id = agreed_agenda(app, issue.id, world.drafter.id, money)
    employee = make_user(app, role="partner", org="Gemeente Teststad", signatory=True)
    with app.app_context():
        process = db.session.get(Process, world.process.id)
        covenant = services.create(_user(world.drafter.id), process, [agenda_id], "Speeltuin")
        db.session.commit()
        assert [p.party for p in covenant.parties] == ["municipality"]
        assert covenant.commits_municipality  # its money needs the council
        assert services.opening_problem(covenant) is not None
        services.add_party(_user(world.drafter.id), covenant, str(world.orgs[0].id), "De Veste doet ook mee.")
        from app.errors import DomainError

        with pytest.raises(DomainError):  # adding the town's organisation is adding the municipality again
            services.add_party(_user(world.drafter.id), covenant, str(town_id), "De gemeente als organisatie.")
        from app.covenants.signing import signatory_parties

        assert signatory_parties(_user(employee.id), ["municipality", str(town_id)]) == []  # only an alderman


def test_a_decision_dated_before_the_change_does_not_approve_the_new_text(app):
    import datetime

    from app.council import services as council
    from app.covenants import services

    world = make_covenant(app, municipal_money=True)
    clerk = make_user(app, role="council")
    with app.app_context():
        council.record_position(
            _user(clerk.id),
            council.PositionData(
                process_id=world.process.id,
                kind="council_decision",
                decided_on=local_today() - datetime.timedelta(days=30),
                reference="2026/001",
                title="Oud besluit",
                outcome="approved",
                covenant_ids=[world.covenant_id],
            ),
        )
        db.session.commit()
        assert services.opening_problem(_covenant(world)) is not None


def test_signing_is_refused_by_the_policy_while_the_council_pauses_it(app):
    from app.policy import can

    world = make_covenant(app, municipal_money=True)
    _approve_in_council(app, world)
    open_covenant(app, world)
    with app.test_request_context():
        assert can(_user(world.wethouder.id), "covenant.sign", _covenant(world))
    _approve_in_council(app, world, outcome="rejected")
    with app.test_request_context():
        decision = can(_user(world.wethouder.id), "covenant.sign", _covenant(world))
        assert not decision and decision.because == "state"


def test_the_api_shows_no_version_once_a_covenant_is_back_to_being_written(app, client):
    from app.covenants import services

    world = make_covenant(app, municipal_money=True)
    _approve_in_council(app, world)
    open_covenant(app, world)
    with app.app_context():
        covenant = _covenant(world)
        services.save_text(_user(world.drafter.id), covenant, 1, covenant.title, "Nieuwe tekst.", "")
        db.session.commit()
    detail = client.get(f"/api/v1/covenants/{world.covenant_id}").get_json()
    assert detail["status"] == "draft" and detail["version"] is None and detail["content_hash"] is None
    assert detail["signatures"] == [] and detail["text"].strip() == "Nieuwe tekst."
    assert detail["versions"][0]["superseded_at"] is not None


def test_dropped_municipal_money_does_not_need_the_council(app):
    from app.covenants import drafting

    source = drafting.AgendaSource(
        "x", 1, {"items": [{"title": "t", "responsible": "municipality", "euros": 5, "status": "dropped"}]}
    )
    assert not drafting.commits_municipality([source])
    source.document["items"][0]["status"] = "agreed"
    assert drafting.commits_municipality([source])


def test_a_signatory_reads_why_signing_is_not_possible_yet(app, client, auth):
    from app.processes.models import Process

    world = make_covenant(app)
    open_covenant(app, world)
    with app.app_context():
        db.session.get(Process, world.process.id).current_phase = "agendas"
        db.session.commit()
    auth.login(world.wethouder.email)
    page = client.get(f"/covenants/{world.covenant_id}").get_data(as_text=True)
    assert "Convenanten ondertekenen" in page and f"/covenants/{world.covenant_id}/sign" not in page


def test_the_parties_page_warns_about_a_party_nobody_can_sign_for(app, client, auth):
    from app.covenants.notify import parties_without_signatory

    world = make_covenant(app)
    lonely = make_organisation(app, "Stichting Zonder Bestuur")
    with app.app_context():
        from app.covenants import services

        services.add_party(_user(world.drafter.id), _covenant(world), str(lonely.id), "Zij doen de koffie.")
        db.session.commit()
        keys = [p.party for p in services.active_parties(_covenant(world))]
        assert parties_without_signatory(keys) == [str(lonely.id)]
    auth.login(world.drafter.email)
    page = client.get(f"/covenants/{world.covenant_id}/parties").get_data(as_text=True)
    assert page.count("Niemand kan op het platform tekenen") == 1
