"""The public covenant pages: the list, a covenant, its versions, the PDF and the fingerprint check.

Everyone can read them; signers show by the name they typed only when they chose to show their name,
otherwise by their role, and never by their e-mail address.
"""

import io
import re

import pytest
from pypdf import PdfReader

from app.accounts.models import User
from app.extensions import db
from app.workdays import today as local_today
from tests.conftest import PASSWORD
from tests.covenant_helpers import make_covenant, open_covenant, sign_as


@pytest.fixture
def reader(app):
    """A visitor reading in English (the msgids)."""
    client = app.test_client()
    client.post("/language", data={"lang": "en"})
    return client


@pytest.fixture
def world(app):
    world = make_covenant(app)
    with app.app_context():  # Bart chose to show his name; the others did not
        db.session.get(User, world.signatories[1].id).show_name_publicly = True
        db.session.commit()
    world.party_a, world.party_b = str(world.orgs[0].id), str(world.orgs[1].id)
    return world


def opened_and_partly_signed(app, world) -> str:
    fingerprint = open_covenant(app, world)
    sign_as(app, world, world.signatories[0], world.party_a, full_name="Anna de Vries")
    sign_as(app, world, world.signatories[1], world.party_b, full_name="B. Jansen")
    return fingerprint


def change_text(app, world, addition="\nDe werkgroep komt elk kwartaal samen.\n") -> str:
    from app.covenants import services

    with app.app_context():
        covenant = services.get(world.covenant_id)
        document = services.TEXTS.document(covenant)
        services.save_text(
            db.session.get(User, world.drafter.id),
            covenant,
            covenant.current_revision,
            document["fields"]["title"],
            document["fields"]["text"] + addition,
            "wijziging",
        )
        db.session.commit()
        return services.version(covenant).content_hash


def text_of(response) -> str:
    return response.get_data(as_text=True)


def no_private_data(page: str, world) -> None:
    assert "@example.org" not in page
    assert "Anna de Vries" not in page  # Anna did not choose to show her name
    assert world.wethouder.display_name not in page


def grouped(value: str) -> str:
    return " ".join(value[i : i + 8] for i in range(0, 64, 8))


def test_the_list_shows_every_covenant_with_status_version_and_signatures(app, reader, world):
    from app.covenants import services
    from app.processes.models import Process

    opened_and_partly_signed(app, world)
    with app.app_context():
        second = services.create(
            db.session.get(User, world.drafter.id),
            db.session.get(Process, world.process.id),
            world.agenda_ids,
            "Tweede convenant over het fietspad",
        )
        db.session.commit()
    response = reader.get("/covenants/")
    page = text_of(response)
    assert response.status_code == 200
    assert page.index("Tweede convenant over het fietspad") < page.index("Veilig fietspad")  # newest first
    assert "open for signature" in page and "being written" in page
    assert "Version 1" in page and "2 of 3 parties signed" in page and "3 parties" in page
    assert "Wijk van de toekomst Teststad" in page
    assert f"/covenants/{world.covenant_id}" in page and "/covenants/verify" in page

    app.config["COVENANTS_PAGE_SIZE"] = 1
    first_page = text_of(reader.get("/covenants/"))
    assert "Tweede convenant" in first_page and "Veilig fietspad" not in first_page and "page=2" in first_page
    assert "Veilig fietspad" in text_of(reader.get("/covenants/?page=2"))
    assert second is not None


def test_a_covenant_being_written_shows_its_draft_text_and_no_fingerprint(app, reader, world):
    response = reader.get(f"/covenants/{world.covenant_id}")
    page = text_of(response)
    assert response.status_code == 200
    assert "This covenant is being written" in page and "Draft: this text is still being written" in page
    assert "Lantaarns plaatsen" in page and "not open for signature yet" in page
    assert "Fingerprint of version" not in page and "there are no versions" in page
    for party in (world.orgs[0].name, world.orgs[1].name, "Gemeente Zoetermeer"):
        assert party in page


def test_the_covenant_page_is_public_with_status_fingerprint_parties_and_signatures(app, reader, world):
    fingerprint = opened_and_partly_signed(app, world)
    response = reader.get(f"/covenants/{world.covenant_id}")
    page = text_of(response)
    assert response.status_code == 200
    assert "Version 1 is open for signature. Waiting for 1 of 3 parties." in page
    assert f'<code class="fingerprint-code" id="fingerprint-full">{fingerprint}</code>' in page
    assert grouped(fingerprint) in page
    assert f"signatory of {world.orgs[0].name}" in page  # Anna: her role
    assert "B. Jansen" in page  # Bart: the name he typed, as he chose to show his name
    assert "Gemeente Zoetermeer" in page and "not yet" in page
    assert "Lantaarns plaatsen" in page and "Draft" not in page  # the text of the version
    issue_id = world.issue.id
    assert f"/issues/{issue_id}/agendas/1" in page and "Meer licht op het fietspad" in page
    assert f"/covenants/{world.covenant_id}/versions/1" in page
    assert f"/covenants/{world.covenant_id}/versions/1.pdf" in page
    assert f"/covenants/verify?fingerprint={fingerprint}" in page
    assert "/sign" not in page and "/end" not in page and "/edit" not in page  # a visitor may do nothing
    no_private_data(page, world)


def test_the_page_offers_what_the_reader_may_do(app, world):
    opened_and_partly_signed(app, world)

    def page_as(person) -> str:
        client = app.test_client()
        client.post("/login", data={"email": person.email, "password": PASSWORD})
        return text_of(client.get(f"/covenants/{world.covenant_id}"))

    alderman = page_as(world.wethouder)
    assert f"/covenants/{world.covenant_id}/sign" in alderman and "/end" not in alderman
    signed = page_as(world.signatories[0])
    assert f"/covenants/{world.covenant_id}/sign" not in signed  # already signed for its party
    drafter = page_as(world.drafter)
    assert f"/covenants/{world.covenant_id}/edit" in drafter and f"/covenants/{world.covenant_id}/parties" in drafter
    assert f"/covenants/{world.covenant_id}/sign" not in drafter
    assert f"/covenants/{world.covenant_id}/edit" not in page_as(world.resident)

    sign_as(app, world, world.wethouder, "municipality")
    assert f"/covenants/{world.covenant_id}/end" in page_as(world.signatories[0])  # in force: a party may end it


def test_a_covenant_that_commits_municipal_money_shows_the_council_decision(app, reader):
    from app.council import services as council

    world = make_covenant(app, municipal_money=True)
    page = text_of(reader.get(f"/covenants/{world.covenant_id}"))
    assert "Decision of the municipal council" in page and "The council has not decided on this covenant yet" in page
    with app.app_context():
        council.record_position(
            None,
            council.PositionData(
                process_id=world.process.id,
                kind="council_decision",
                decided_on=local_today(),
                reference="2027/004",
                title="Raadsbesluit convenant fietspad",
                outcome="approved",
                covenant_ids=[world.covenant_id],
            ),
        )
        db.session.commit()
    page = text_of(reader.get(f"/covenants/{world.covenant_id}"))
    assert "Raadsbesluit convenant fietspad" in page and "2027/004" in page


def test_a_version_page_shows_its_exact_text_parties_fingerprint_and_signatures(app, reader, world):
    fingerprint = opened_and_partly_signed(app, world)
    response = reader.get(f"/covenants/{world.covenant_id}/versions/1")
    page = text_of(response)
    assert response.status_code == 200
    assert "the current version" in page and "This is not the current version" not in page
    assert fingerprint in page and grouped(fingerprint) in page and "Lantaarns plaatsen" in page
    assert f"signatory of {world.orgs[0].name}" in page and "B. Jansen" in page and "Gemeente Zoetermeer" in page
    assert "Opened for signature" in page
    no_private_data(page, world)

    new = change_text(app, world)
    old = text_of(reader.get(f"/covenants/{world.covenant_id}/versions/1"))
    assert "This is not the current version." in old
    assert "It was replaced by version 2; its signatures no longer count." in old
    assert f"/covenants/{world.covenant_id}/versions/2" in old and fingerprint in old and "B. Jansen" in old
    current = text_of(reader.get(f"/covenants/{world.covenant_id}/versions/2"))
    assert new in current and "De werkgroep komt elk kwartaal samen." in current and "B. Jansen" not in current
    show = text_of(reader.get(f"/covenants/{world.covenant_id}"))
    assert "replaced by version 2; its signatures no longer count" in show and "2 versions" in show


def test_the_pdf_carries_the_fingerprint_and_the_signatures(app, reader, world):
    fingerprint = opened_and_partly_signed(app, world)
    sign_as(app, world, world.wethouder, "municipality")
    response = reader.get(f"/covenants/{world.covenant_id}/versions/1.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (f'inline; filename="convenant-{world.covenant_id}-versie-1.pdf"')
    pdf = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert fingerprint in text and grouped(fingerprint) in text
    assert "Veilig fietspad" in text and "Lantaarns plaatsen" in text
    assert f"signatory of {world.orgs[0].name}" in text  # Anna, by her role, for her organisation
    assert "B. Jansen" in text and world.orgs[1].name in text
    assert "alderman" in text and "Gemeente Zoetermeer" in text
    assert re.search(
        r"\d{1,2}:\d{2}:\d{2}( [AP]M)? (CET|CEST|\+0[12]00)", text
    )  # times in Amsterdam time, with the zone
    assert "@example.org" not in text and "Anna de Vries" not in text


def test_verify_names_the_covenant_version_and_its_signers(app, reader, world):
    fingerprint = opened_and_partly_signed(app, world)
    typed = "SHA256: " + grouped(fingerprint).upper()  # spaces, capitals and a prefix are fine
    response = reader.get("/covenants/verify", query_string={"fingerprint": typed})
    page = text_of(response)
    assert response.status_code == 200
    assert "Veilig fietspad, version 1" in page and "This is the current version of the covenant." in page
    assert f"/covenants/{world.covenant_id}/versions/1" in page
    assert f"{world.orgs[0].name}: signatory of {world.orgs[0].name}, " in page
    assert f"{world.orgs[1].name}: B. Jansen, " in page
    assert "Did not sign this version: Gemeente Zoetermeer" in page
    no_private_data(page, world)


def test_a_replaced_version_still_verifies_and_says_so(app, reader, world):
    fingerprint = opened_and_partly_signed(app, world)
    new = change_text(app, world)
    page = text_of(reader.get("/covenants/verify", query_string={"fingerprint": fingerprint}))
    assert "Veilig fietspad, version 1" in page and "This is not the current version of the covenant." in page
    assert "replaced by version 2; its signatures no longer count" in page and "B. Jansen" in page
    current = text_of(reader.get("/covenants/verify", query_string={"fingerprint": new}))
    assert "Veilig fietspad, version 2" in current and "Nobody has signed this version." in current


def test_verify_explains_a_malformed_or_unknown_fingerprint(app, reader, world):
    opened_and_partly_signed(app, world)
    empty = reader.get("/covenants/verify")
    assert empty.status_code == 200 and "How the fingerprint is computed" in text_of(empty)
    assert "Result" not in text_of(empty)

    malformed = reader.get("/covenants/verify", query_string={"fingerprint": "abc123"})
    page = text_of(malformed)
    assert malformed.status_code == 200
    assert re.search(r'id="fingerprint-error">\s*<p class="field-error">A fingerprint has exactly 64 characters', page)
    assert 'aria-invalid="true"' in page and 'value="abc123"' in page

    unknown = reader.get("/covenants/verify", query_string={"fingerprint": "0" * 64})
    assert unknown.status_code == 200
    assert "No covenant version has this fingerprint." in text_of(unknown)


def test_unknown_covenants_and_versions_are_404(app, reader, world, client):
    opened_and_partly_signed(app, world)
    cid = world.covenant_id
    for url in (
        "/covenants/999",
        "/covenants/999/versions/1",
        "/covenants/999/versions/1.pdf",
        f"/covenants/{cid}/versions/0",
        f"/covenants/{cid}/versions/2",
        f"/covenants/{cid}/versions/2.pdf",
    ):
        assert reader.get(url).status_code == 404, url
    client.post("/login", data={"email": world.wethouder.email, "password": PASSWORD})
    assert client.get("/covenants/999/sign").status_code == 404
    assert client.get("/covenants/999/end").status_code == 404


def test_the_list_takes_a_constant_number_of_queries(app, reader, world):
    from app.covenants import services
    from app.processes.models import Process
    from tests.test_query_counts import queries

    opened_and_partly_signed(app, world)
    few = queries(app, reader, "/covenants/")
    with app.app_context():
        drafter = db.session.get(User, world.drafter.id)
        process = db.session.get(Process, world.process.id)
        for n in range(3):
            covenant = services.create(drafter, process, world.agenda_ids, f"Convenant {n}")
            if n:
                services.open_for_signature(drafter, covenant)
            db.session.commit()
    assert queries(app, reader, "/covenants/") == few
