"""Signing and ending covenants through the pages: password re-entry, typed name and confirmation, only
authorised signatories, one signature per party and version (also when two requests race), the
in-force rule, signatures that stop counting when the text changes, and ending with a public reason."""

import re
import threading

import pytest
import sqlalchemy as sa

from app.covenants.models import Covenant, CovenantVersion, Signature
from app.extensions import db
from tests.conftest import PASSWORD, make_organisation, make_user
from tests.covenant_helpers import make_covenant, open_covenant, sign_all, sign_as


def browser(app, person):
    """A client logged in as `person`, reading the site in English (the msgids)."""
    client = app.test_client()
    client.post("/language", data={"lang": "en"})
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


def hidden_fingerprint(html: str) -> str:
    return re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', html).group(1)


def sign_page(client, world):
    response = client.get(f"/covenants/{world.covenant_id}/sign")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def post_sign(client, world, party, person, fingerprint=None, **changes):
    if fingerprint is None:
        fingerprint = hidden_fingerprint(sign_page(client, world))
    data = {
        "fingerprint": fingerprint,
        "party": party,
        "password": person.password,
        "full_name": person.display_name,
        "confirm": "y",
    }
    data.update(changes)
    return client.post(f"/covenants/{world.covenant_id}/sign", data={k: v for k, v in data.items() if v is not None})


def field_error(html: str, field: str) -> str:
    """The error text shown right next to a field (the macro's `<field>-error` block)."""
    found = re.search(rf'id="{field}-error">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


def signatures(app, covenant_id) -> list[Signature]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Signature).where(Signature.covenant_id == covenant_id))
        return [
            type("S", (), {c: getattr(s, c) for c in ("party", "user_id", "content_hash", "version_id", "signer_name")})
            for s in rows
        ]


def covenant_state(app, covenant_id):
    with app.app_context():
        covenant = db.session.get(Covenant, covenant_id)
        return covenant.status, covenant.current_version


@pytest.fixture
def world(app):
    world = make_covenant(app)
    world.fingerprint = open_covenant(app, world)
    world.party_a, world.party_b = str(world.orgs[0].id), str(world.orgs[1].id)
    return world


def test_a_signatory_signs_with_password_name_and_confirmation(app, world):
    signer = world.signatories[0]
    client = browser(app, signer)
    page = sign_page(client, world)
    assert world.fingerprint in page and "Lantaarns plaatsen" in page  # the full text and its fingerprint
    assert 'autocomplete="current-password"' in page and 'autocomplete="name"' in page
    assert f"on behalf of {world.orgs[0].name}" in page and "…your name…" in page  # the statement, before signing
    assert hidden_fingerprint(page) == world.fingerprint

    response = post_sign(client, world, world.party_a, signer, full_name="  Anna   de Vries ")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/covenants/{world.covenant_id}")
    with app.app_context():
        signature = db.session.scalar(sa.select(Signature))
        version = db.session.scalar(sa.select(CovenantVersion))
        assert (
            signature.version_id == version.id and signature.content_hash == world.fingerprint == version.content_hash
        )
        assert signature.user_id == signer.id and signature.party == world.party_a
        assert signature.party_name == world.orgs[0].name and signature.signer_role == "signatory"
        assert signature.signer_name == "Anna de Vries" and signature.signed_at is not None
        assert "Anna de Vries" in signature.statement and world.fingerprint in signature.statement
    assert covenant_state(app, world.covenant_id) == ("open", 1)
    assert "Thank you, you signed" in client.get(f"/covenants/{world.covenant_id}").get_data(as_text=True)


def test_a_wrong_password_is_refused_next_to_the_field_and_nothing_is_saved(app, world):
    signer = world.signatories[0]
    client = browser(app, signer)
    response = post_sign(client, world, world.party_a, signer, password="niet-mijn-wachtwoord")
    assert response.status_code == 400
    assert "This is not your password" in field_error(response.get_data(as_text=True), "password")
    assert signatures(app, world.covenant_id) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "Type your full name"),
        ({"full_name": " x "}, "full_name", "Type your full name"),
        ({"confirm": None}, "confirm", "Confirm the statement to sign"),
        ({"password": ""}, "password", "Type the password you log in with"),
    ],
)
def test_a_missing_name_password_or_confirmation_is_refused(app, world, changes, field, message):
    signer = world.signatories[0]
    client = browser(app, signer)
    response = post_sign(client, world, world.party_a, signer, **changes)
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert signatures(app, world.covenant_id) == []


@pytest.mark.parametrize("role", ["resident", "partner", "wijkregisseur", "facilitator"])
def test_people_who_do_not_sign_are_refused(app, world, role):
    person = {"resident": world.resident, "partner": world.partner, "wijkregisseur": world.drafter}.get(role)
    person = person or make_user(app, role=role)
    client = browser(app, person)
    assert client.get(f"/covenants/{world.covenant_id}/sign").status_code == 403
    response = post_sign(client, world, world.party_a, person, fingerprint=world.fingerprint)
    assert response.status_code == 403
    assert f'/covenants/{world.covenant_id}/sign"' not in client.get(f"/covenants/{world.covenant_id}").get_data(
        as_text=True
    )
    assert signatures(app, world.covenant_id) == []


def test_a_visitor_is_sent_to_log_in(app, client, world):
    for response in (
        client.get(f"/covenants/{world.covenant_id}/sign"),
        client.post(f"/covenants/{world.covenant_id}/sign", data={"party": world.party_a}),
        client.get(f"/covenants/{world.covenant_id}/end"),
        client.post(f"/covenants/{world.covenant_id}/end", data={"party": world.party_a, "reason": "x" * 20}),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert signatures(app, world.covenant_id) == []


def test_a_signatory_of_an_organisation_that_is_no_party_is_refused(app, world):
    outsider_org = make_organisation(app, "Sportclub De Meerpaal")
    outsider = make_user(app, role="partner", org=outsider_org.name, signatory=True)
    client = browser(app, outsider)
    page = client.get(f"/covenants/{world.covenant_id}/sign")
    assert page.status_code == 403
    assert "still has to sign" in page.get_data(as_text=True)  # the reason, in plain words
    assert post_sign(client, world, str(outsider_org.id), outsider, fingerprint=world.fingerprint).status_code == 403
    assert signatures(app, world.covenant_id) == []


def test_the_municipality_signs_only_through_an_alderman(app, world):
    signer = world.signatories[0]
    client = browser(app, signer)
    response = post_sign(client, world, "municipality", signer)  # a partner's signatory tries the municipality
    assert response.status_code == 400
    assert "You may not sign for this party" in field_error(response.get_data(as_text=True), "party")
    assert signatures(app, world.covenant_id) == []

    alderman = browser(app, world.wethouder)
    page = sign_page(alderman, world)
    assert 'name="party" value="municipality"' in page and "Gemeente Zoetermeer" in page
    assert post_sign(alderman, world, world.party_a, world.wethouder).status_code == 400  # not for a partner
    response = post_sign(alderman, world, "municipality", world.wethouder)
    assert response.status_code == 302
    (signature,) = signatures(app, world.covenant_id)
    assert signature.party == "municipality" and signature.user_id == world.wethouder.id


def test_someone_signing_for_two_parties_chooses_one_each_time(app, world):
    from app.accounts.models import Membership, Organisation, User

    both = make_user(app, role="partner", org=world.orgs[0].name, signatory=True, name="Dirk Dubbel")
    with app.app_context():  # also the signatory of the second organisation
        db.session.add(
            Membership(
                user=db.session.get(User, both.id),
                organisation=db.session.get(Organisation, world.orgs[1].id),
                status="approved",
                is_signatory=True,
            )
        )
        db.session.commit()
    client = browser(app, both)
    page = sign_page(client, world)
    assert "<select" in page and world.orgs[0].name in page and world.orgs[1].name in page
    assert "…the party you choose…" in page
    response = post_sign(client, world, "", both)
    assert response.status_code == 400
    assert "Choose the party you sign for" in field_error(response.get_data(as_text=True), "party")
    assert post_sign(client, world, world.party_b, both).status_code == 302
    page = sign_page(client, world)  # one party left for them: now fixed
    assert "<select" not in page and f'name="party" value="{world.party_a}"' in page
    assert post_sign(client, world, world.party_a, both).status_code == 302
    assert sorted(s.party for s in signatures(app, world.covenant_id)) == sorted([world.party_a, world.party_b])


def test_a_party_signs_a_version_once(app, world):
    signer = world.signatories[0]
    client = browser(app, signer)
    assert post_sign(client, world, world.party_a, signer).status_code == 302
    again = post_sign(client, world, world.party_a, signer, fingerprint=world.fingerprint)
    assert again.status_code == 403  # nothing of theirs left to sign
    colleague = make_user(app, role="partner", org=world.orgs[0].name, signatory=True)  # same organisation
    other = browser(app, colleague)
    assert other.get(f"/covenants/{world.covenant_id}/sign").status_code == 403
    assert post_sign(other, world, world.party_a, colleague, fingerprint=world.fingerprint).status_code == 403
    assert len(signatures(app, world.covenant_id)) == 1


def test_a_signature_on_a_text_that_changed_meanwhile_is_refused(app, world):
    from app.accounts.models import User
    from app.covenants import services

    signer = world.signatories[0]
    client = browser(app, signer)
    read = hidden_fingerprint(sign_page(client, world))
    with app.app_context():  # the drafter changes the text while the signatory reads
        covenant = services.get(world.covenant_id)
        document = services.TEXTS.document(covenant)
        saved = services.save_text(
            db.session.get(User, world.drafter.id),
            covenant,
            covenant.current_revision,
            document["fields"]["title"],
            document["fields"]["text"] + "\nExtra afspraak: de lantaarns branden tot middernacht.\n",
            "extra afspraak",
        )
        assert saved.revision is not None
        db.session.commit()
        new = services.version(covenant).content_hash
    assert new != read and covenant_state(app, world.covenant_id) == ("open", 2)

    response = post_sign(client, world, world.party_a, signer, fingerprint=read, full_name="")
    html = response.get_data(as_text=True)  # stopped by the form's own check, but the change is said too
    assert response.status_code == 400 and html.count("The covenant changed while you were reading it") == 1
    assert "Type your full name" in field_error(html, "full_name") and hidden_fingerprint(html) == new

    response = post_sign(client, world, world.party_a, signer, fingerprint=read)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.count("The covenant changed while you were reading it") == 1  # said once, by the service
    assert "de lantaarns branden tot middernacht" in html and hidden_fingerprint(html) == new  # the new text
    assert signatures(app, world.covenant_id) == []

    assert post_sign(client, world, world.party_a, signer, fingerprint=new).status_code == 302
    (signature,) = signatures(app, world.covenant_id)
    assert signature.content_hash == new


def test_in_force_only_when_every_party_signed_the_same_version(app, world):
    reader = app.test_client()
    reader.post("/language", data={"lang": "en"})
    for person, party in ((world.signatories[0], world.party_a), (world.signatories[1], world.party_b)):
        assert post_sign(browser(app, person), world, party, person).status_code == 302
    assert covenant_state(app, world.covenant_id) == ("open", 1)
    page = reader.get(f"/covenants/{world.covenant_id}").get_data(as_text=True)
    assert "Waiting for 1 of 3 parties" in page

    alderman = browser(app, world.wethouder)
    response = post_sign(alderman, world, "municipality", world.wethouder)
    assert response.status_code == 302
    assert "the covenant is in force" in alderman.get(response.headers["Location"]).get_data(as_text=True)
    assert covenant_state(app, world.covenant_id) == ("in_force", 1)
    with app.app_context():
        covenant = db.session.get(Covenant, world.covenant_id)
        version = db.session.scalar(sa.select(CovenantVersion))
        assert covenant.in_force_since is not None and version.in_force_at == covenant.in_force_since
    assert "In force since" in reader.get(f"/covenants/{world.covenant_id}").get_data(as_text=True)


def test_a_change_after_opening_asks_every_party_again_and_keeps_the_old_signatures(app, world):
    from app.accounts.models import User
    from app.covenants import services

    sign_all(app, world)
    assert covenant_state(app, world.covenant_id) == ("in_force", 1)
    with app.app_context():
        covenant = services.get(world.covenant_id)
        document = services.TEXTS.document(covenant)
        services.save_text(
            db.session.get(User, world.drafter.id),
            covenant,
            covenant.current_revision,
            document["fields"]["title"],
            document["fields"]["text"] + "\nDe buurtavond wordt twee keer per jaar gehouden.\n",
            "tweede buurtavond",
        )
        db.session.commit()
        first, second = services.version(covenant, 1), services.version(covenant, 2)
        assert first.superseded_at is not None and first.in_force_at is not None
        assert {s.content_hash for s in first.signatures} == {first.content_hash}
        assert len(first.signatures) == 3 and second.signatures == []
        assert second.content_hash != first.content_hash
    assert covenant_state(app, world.covenant_id) == ("open", 2)

    signer = world.signatories[0]
    client = browser(app, signer)
    page = sign_page(client, world)  # every party signs again
    assert "twee keer per jaar" in page
    assert post_sign(client, world, world.party_a, signer).status_code == 302
    old = client.get(f"/covenants/{world.covenant_id}/versions/1").get_data(as_text=True)
    assert "replaced by version 2; its signatures no longer count" in old
    assert old.count("signatory of ") >= 2 and "alderman" in old  # still readable with its signatures
    assert len(signatures(app, world.covenant_id)) == 4


def test_ending_needs_a_signatory_of_a_party_and_a_reason_everyone_can_read(app, world):
    signer = world.signatories[0]
    client = browser(app, signer)
    assert client.get(f"/covenants/{world.covenant_id}/end").status_code == 403  # only open, not in force
    assert (
        client.post(
            f"/covenants/{world.covenant_id}/end", data={"party": world.party_a, "reason": "Wij stoppen ermee."}
        ).status_code
        == 403
    )

    sign_all(app, world)
    resident = browser(app, world.resident)
    assert resident.get(f"/covenants/{world.covenant_id}/end").status_code == 403
    assert (
        resident.post(
            f"/covenants/{world.covenant_id}/end", data={"party": world.party_a, "reason": "Ik wil dit niet meer."}
        ).status_code
        == 403
    )
    for role in ("wijkregisseur", "partner"):
        person = world.drafter if role == "wijkregisseur" else world.partner
        assert browser(app, person).get(f"/covenants/{world.covenant_id}/end").status_code == 403

    page = client.get(f"/covenants/{world.covenant_id}/end")
    assert page.status_code == 200 and world.orgs[0].name in page.get_data(as_text=True)
    for reason in ("", "Te kort"):
        response = client.post(f"/covenants/{world.covenant_id}/end", data={"party": world.party_a, "reason": reason})
        assert response.status_code == 400 and field_error(response.get_data(as_text=True), "reason")
    assert covenant_state(app, world.covenant_id)[0] == "in_force"

    reason = "De woningcorporatie verkoopt de woningen aan het fietspad."
    response = client.post(f"/covenants/{world.covenant_id}/end", data={"party": world.party_a, "reason": reason})
    assert response.status_code == 302
    assert covenant_state(app, world.covenant_id)[0] == "ended"
    visitor = app.test_client()
    visitor.post("/language", data={"lang": "en"})
    page = visitor.get(f"/covenants/{world.covenant_id}").get_data(as_text=True)
    assert reason in page and f"by {world.orgs[0].name}" in page and "Ended on" in page
    assert client.get(f"/covenants/{world.covenant_id}/end").status_code == 403  # once


def test_two_signatures_at_once_for_the_same_party_make_one(app, world):
    """Two signatories of the same organisation press "sign" at the same moment."""
    colleague = make_user(app, role="partner", org=world.orgs[0].name, signatory=True, name="Carla Bos")
    people = [world.signatories[0], colleague]
    clients = [browser(app, person) for person in people]
    for client in clients:
        sign_page(client, world)
    barrier = threading.Barrier(2)
    statuses = []

    def attempt(client, person):
        barrier.wait()
        statuses.append(post_sign(client, world, world.party_a, person, fingerprint=world.fingerprint).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, people, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses)[0] == 302 and sorted(statuses)[1] in (400, 403), statuses  # never a 500
    assert len(signatures(app, world.covenant_id)) == 1


def test_a_lost_race_on_the_unique_constraint_becomes_the_message(app, world, monkeypatch):
    """The other request's signature lands after this one's check: the constraint refuses it, no 500."""
    from sqlalchemy.orm.attributes import set_committed_value

    from app.accounts.models import User
    from app.covenants import services, signing
    from app.errors import DomainError

    sign_as(app, world, world.signatories[0], world.party_a)  # the request that wins
    colleague = make_user(app, role="partner", org=world.orgs[0].name, signatory=True, name="Carla Bos")
    with app.app_context():
        covenant = services.get(world.covenant_id)
        seen = services.version(covenant)
        set_committed_value(seen, "signatures", [])  # what the losing request saw before the winner committed
        monkeypatch.setattr(signing, "current_version", lambda covenant: seen)
        data = signing.SignData(world.fingerprint, world.party_a, PASSWORD, "Carla Bos", True)
        with pytest.raises(DomainError) as refused:
            signing.sign(db.session.get(User, colleague.id), covenant, data)
        assert refused.value.field == "party"
        assert refused.value.message == "Deze partij heeft deze versie al ondertekend."
        db.session.rollback()
    (signature,) = signatures(app, world.covenant_id)
    assert signature.user_id == world.signatories[0].id


def test_guessing_the_password_on_the_sign_page_is_rate_limited(database_url, monkeypatch, tmp_path):
    from tests.conftest import make_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_SIGN="2 per minute")
    try:
        world = make_covenant(app)
        world.fingerprint = open_covenant(app, world)
        signer = world.signatories[0]
        client = browser(app, signer)
        party = str(world.orgs[0].id)
        statuses = [
            post_sign(client, world, party, signer, fingerprint=world.fingerprint, password=f"gok-{i}").status_code
            for i in range(3)
        ]
        assert statuses == [400, 400, 429]
        assert signatures(app, world.covenant_id) == []
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
