"""The covenant pages read the version that counts now once per request, whoever asks for it (the
page, the policy, the signing rules), and its signatures with it: a fixed number of queries."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.covenant_helpers import make_covenant, open_covenant, sign_all, sign_as
from tests.test_query_counts import counting


def reads_of_versions(statements) -> int:
    """How many statements read covenant versions (the current one, or the list of all versions)."""
    return sum(1 for s in statements if re.search(r"\bFROM covenant_versions\b", s))


def logged_in(app, person):
    client = app.test_client()
    client.post("/language", data={"lang": "en"})  # the msgids
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


def measured(app, call):
    with counting(app) as statements:
        response = call()
    return response, statements


@pytest.fixture
def world(app):
    world = make_covenant(app)
    open_covenant(app, world)
    return world


def test_the_sign_page_reads_the_current_version_once(app, world):
    client = logged_in(app, world.signatories[0])
    response, statements = measured(app, lambda: client.get(f"/covenants/{world.covenant_id}/sign"))
    assert response.status_code == 200
    assert reads_of_versions(statements) == 1, statements


def test_a_refused_signature_shows_the_form_again_reading_the_version_once_after_the_attempt(app, world):
    client = logged_in(app, world.signatories[0])
    page = client.get(f"/covenants/{world.covenant_id}/sign").get_data(as_text=True)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    data = {
        "fingerprint": fingerprint,
        "party": str(world.orgs[0].id),
        "password": "not-the-password",
        "full_name": world.signatories[0].display_name,
        "confirm": "y",
    }
    response, statements = measured(app, lambda: client.post(f"/covenants/{world.covenant_id}/sign", data=data))
    assert response.status_code == 400
    assert "This is not your password" in response.get_data(as_text=True)
    # once before the attempt (page and policy), once after it: the signing locks the covenant and reads it again
    assert reads_of_versions(statements) <= 2, statements


def test_the_covenant_page_reads_its_versions_once_for_a_signatory(app, world):
    sign_as(app, world, world.signatories[1], str(world.orgs[1].id))
    client = logged_in(app, world.signatories[0])
    response, statements = measured(app, lambda: client.get(f"/covenants/{world.covenant_id}"))
    assert response.status_code == 200
    # the list of versions, the current one among them
    assert reads_of_versions(statements) == 1, statements


def test_the_end_page_reads_the_version_in_force_once(app, world):
    sign_all(app, world)
    client = logged_in(app, world.signatories[0])
    response, statements = measured(app, lambda: client.get(f"/covenants/{world.covenant_id}/end"))
    assert response.status_code == 200
    assert reads_of_versions(statements) == 1, statements


def test_the_sign_page_makes_as_many_queries_with_more_signatures(app, world):
    sign_as(app, world, world.signatories[0], str(world.orgs[0].id))
    client = logged_in(app, world.wethouder)
    _, few = measured(app, lambda: client.get(f"/covenants/{world.covenant_id}/sign"))
    sign_as(app, world, world.signatories[1], str(world.orgs[1].id))
    response, many = measured(app, lambda: client.get(f"/covenants/{world.covenant_id}/sign"))
    assert response.status_code == 200
    assert len(many) == len(few), (len(few), len(many))
