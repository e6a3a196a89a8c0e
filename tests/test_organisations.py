"""Organisations, memberships approved by the wijkregisseur, signatories set by an administrator."""

import sqlalchemy as sa

from app.accounts.models import Membership, Organisation
from app.extensions import db
from tests.conftest import make_organisation, make_user


def membership(app, user_id):
    with app.app_context():
        return db.session.scalar(sa.select(Membership).where(Membership.user_id == user_id))


def test_wijkregisseur_adds_an_organisation_with_kind_and_sectors(app, client, auth):
    auth.login_as("wijkregisseur")
    response = client.post(
        "/admin/organisations/new",
        data={
            "name": "Woningcorporatie Test",
            "kind": "housing",
            "sectors": ["physical", "social"],
            "description": "Huurwoningen",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation))
        assert org.kind == "housing"
        assert {s.value for s in org.sectors} == {"physical", "social"}


def test_organisation_name_must_be_unique(app, client, auth):
    make_organisation(app, "Halte 2717")
    auth.login_as("wijkregisseur")
    response = client.post("/admin/organisations/new", data={"name": "HALTE 2717", "kind": "network"})
    assert b'id="name-error"' in response.data


def test_editing_an_organisation_replaces_its_sectors(app, client, auth):
    org = make_organisation(app, "Piëzo", sectors=("social", "economy"))
    auth.login_as("wijkregisseur")
    client.post(
        f"/admin/organisations/{org.id}", data={"name": "Stichting Piëzo", "kind": "welfare", "sectors": ["safety"]}
    )
    with app.app_context():
        saved = db.session.get(Organisation, org.id)
        assert saved.name == "Stichting Piëzo"
        assert [s.value for s in saved.sectors] == ["safety"]


def test_partner_is_pending_until_approved(app, client, auth):
    partner = make_user(app, role="partner", org="Halte 2717", status="pending")
    m = membership(app, partner.id)
    auth.login_as("wijkregisseur")
    listing = client.get("/admin/memberships").get_data(as_text=True)
    assert partner.display_name in listing
    response = client.post(f"/admin/memberships/{m.id}/decide", data={"decision": "approve"})
    assert response.status_code == 302
    assert membership(app, partner.id).status == "approved"


def test_wijkregisseur_can_reject(app, client, auth):
    partner = make_user(app, role="partner", org="Halte 2717", status="pending")
    m = membership(app, partner.id)
    auth.login_as("wijkregisseur")
    client.post(f"/admin/memberships/{m.id}/decide", data={"decision": "reject"})
    assert membership(app, partner.id).status == "rejected"


def test_residents_and_partners_cannot_approve(app, client, auth):
    partner = make_user(app, role="partner", org="Halte 2717", status="pending")
    m = membership(app, partner.id)
    for role in ("resident", "partner", "facilitator", "wethouder", "council"):
        auth.login_as(role, org="Halte 2717" if role == "partner" else None)
        assert client.post(f"/admin/memberships/{m.id}/decide", data={"decision": "approve"}).status_code == 403
        assert client.get("/admin/memberships").status_code == 403
        auth.logout()
    assert membership(app, partner.id).status == "pending"


def test_only_admin_makes_a_signatory(app, client, auth):
    partner = make_user(app, role="partner", org="De Goede Woning")
    m = membership(app, partner.id)
    auth.login_as("wijkregisseur")
    assert client.post(f"/admin/memberships/{m.id}/signatory", data={"signatory": "1"}).status_code == 403
    auth.logout()
    auth.login_as("admin")
    assert client.post(f"/admin/memberships/{m.id}/signatory", data={"signatory": "1"}).status_code == 302
    assert membership(app, partner.id).is_signatory is True
    client.post(f"/admin/memberships/{m.id}/signatory", data={"signatory": "0"})
    assert membership(app, partner.id).is_signatory is False


def test_pending_member_cannot_be_signatory(app, client, auth):
    partner = make_user(app, role="partner", org="De Goede Woning", status="pending")
    m = membership(app, partner.id)
    auth.login_as("admin")
    client.post(f"/admin/memberships/{m.id}/signatory", data={"signatory": "1"})
    assert membership(app, partner.id).is_signatory is False


def test_partner_asks_to_represent_another_organisation(app, client, auth):
    org = make_organisation(app, "Basisscholen Buytenwegh", kind="school")
    partner = auth.login_as("partner", org="Stichting Piëzo")
    assert client.post("/account/organisations", data={"organisation_id": str(org.id)}).status_code == 302
    again = client.post("/account/organisations", data={"organisation_id": str(org.id)})
    assert b'id="organisation_id-error"' in again.data
    with app.app_context():
        rows = db.session.scalars(sa.select(Membership).where(Membership.user_id == partner.id)).all()
        assert sorted(m.status for m in rows) == ["approved", "pending"]


def test_admin_changes_a_role_but_not_their_own(app, client, auth):
    target = make_user(app, role="resident")
    admin = auth.login_as("admin")
    assert client.post(f"/admin/users/{target.id}", data={"role": "facilitator", "active": "y"}).status_code == 302
    response = client.post(f"/admin/users/{admin.id}", data={"role": "resident", "active": "y"})
    assert b'id="role-error"' in response.data
    from app.accounts.models import User

    with app.app_context():
        assert db.session.get(User, target.id).role == "facilitator"
        assert db.session.get(User, admin.id).role == "admin"


def test_admin_user_list_searches_and_paginates(app, client, auth):
    auth.login_as("admin")
    for i in range(30):
        make_user(app, email=f"zoek{i}@example.org")
    page1 = client.get("/admin/users?q=zoek").get_data(as_text=True)
    assert "30" in page1 and "zoek" in page1
    page2 = client.get("/admin/users?q=zoek&page=2").get_data(as_text=True)
    assert page2.count("zoek") >= 5


def test_only_admin_manages_accounts(app, client, auth):
    target = make_user(app)
    for role in ("resident", "partner", "wijkregisseur", "facilitator", "wethouder", "council"):
        auth.login_as(role)
        assert client.get("/admin/users").status_code == 403
        assert client.post(f"/admin/users/{target.id}", data={"role": "admin", "active": "y"}).status_code == 403
        auth.logout()


def test_residents_cannot_manage_organisations(app, client, auth):
    auth.login_as("resident")
    assert client.get("/admin/organisations").status_code == 403
    assert client.post("/admin/organisations/new", data={"name": "X", "kind": "network"}).status_code == 403
