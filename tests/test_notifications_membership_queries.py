"""Notifications about memberships name the organisation; listing them costs the same number of queries
however many organisations they are about."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from tests.conftest import make_organisation, make_user


def approve_memberships(app, user_id: int, director_id: int, names: list[str]) -> None:
    from app.accounts.models import Membership, User
    from app.notifications.events import record

    organisations = [make_organisation(app, name) for name in names]
    with app.app_context():
        user, director = db.session.get(User, user_id), db.session.get(User, director_id)
        for organisation in organisations:
            membership = Membership(user_id=user.id, organisation_id=organisation.id, status="approved")
            db.session.add(membership)
            db.session.flush()
            record("membership_approved", actor=director, membership=membership)
        db.session.commit()
        db.session.expunge_all()


def queries_for(app, client, url: str) -> tuple[int, str]:
    statements = []
    with app.app_context():
        engine = db.engine

        def listener(*args):
            statements.append(args[2])

        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            response = client.get(url)
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_membership_notifications_cost_no_query_per_organisation(app, client, auth):
    partner = make_user(app, role="partner")
    director = make_user(app, role="wijkregisseur")
    approve_memberships(app, partner.id, director.id, ["Buurthuis De Kern", "Sportclub Noord"])
    auth.login(partner.email)
    few, page = queries_for(app, client, "/notifications")
    assert "Buurthuis De Kern" in page and "Sportclub Noord" in page

    approve_memberships(app, partner.id, director.id, [f"Vereniging {n}" for n in range(6)])
    more, page = queries_for(app, client, "/notifications")
    assert "Vereniging 5" in page
    assert more == few
