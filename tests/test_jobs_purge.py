"""The daily removal of accounts never confirmed: once their confirmation link has expired, they go whole
(memberships, the organisation they named, the mails to them), in batches; nothing else is touched."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import Membership, Organisation, User
from app.extensions import db
from app.jobs.housekeeping import purge_unconfirmed
from app.mail.models import OutboxMail
from app.models_common import utcnow
from tests.conftest import make_organisation, make_user
from tests.test_registration import form


def register(client, email, **fields):
    response = client.post("/register", data=form(email=email, **fields))
    assert response.status_code == 200, response.data[:300]


def age(app, email, days):
    """Make the account `days` old (registered then, and its confirmation mail sent then)."""
    then = utcnow() - timedelta(days=days)
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == email).values(created_at=then))
        db.session.execute(sa.update(OutboxMail).where(OutboxMail.to_address == email).values(created_at=then))
        db.session.commit()


def emails(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(sa.select(User.email)))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_expired_unconfirmed_accounts_go_with_their_rows_and_nothing_else(app, client, runner):
    max_days = app.config["EMAIL_VERIFY_MAX_AGE"] / 86400
    register(client, "vergeten@example.org")
    register(client, "nieuw@example.org")
    register(
        client, "club@example.org", role="partner", new_organisation="Vergeten Club", new_organisation_kind="network"
    )
    checked = make_organisation(app, "Bestaande Club")
    with app.app_context():  # the neighbourhood director checked this one: it stays
        db.session.get(Organisation, checked.id).verified = True
        db.session.commit()
    register(client, "lid@example.org", role="partner", organisation_id=str(checked.id))
    confirmed = make_user(app, email="bevestigd@example.org")  # confirmed when made
    age(app, confirmed.email, max_days + 30)
    for email in ("vergeten@example.org", "club@example.org", "lid@example.org"):
        age(app, email, max_days + 1)
    age(app, "nieuw@example.org", max_days - 1)  # its link still works

    result = runner.invoke(args=["jobs", "run", "purge_unconfirmed"])
    assert result.exit_code == 0, result.output
    assert "accounts: 3, organisations: 1" in result.output
    assert emails(app) == {"nieuw@example.org", "bevestigd@example.org"}
    with app.app_context():
        assert set(db.session.scalars(sa.select(Organisation.name))) == {"Bestaande Club"}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 0
        left = set(db.session.scalars(sa.select(OutboxMail.to_address)))
    assert not left & {"vergeten@example.org", "club@example.org", "lid@example.org"}, "no trace of the addresses"

    register(client, "vergeten@example.org")  # the address is free: registering works as for a new one
    assert "vergeten@example.org" in emails(app)


def test_an_account_that_asked_for_the_link_again_stays_while_the_new_link_works(app, client, outbox):
    max_days = app.config["EMAIL_VERIFY_MAX_AGE"] / 86400
    register(client, "traag@example.org")
    age(app, "traag@example.org", max_days + 1)
    client.post("/register/resend", data={"email": "traag@example.org"})  # a fresh link, valid for days again
    assert "/register/confirm/" in outbox[-1].body
    with app.app_context():
        assert purge_unconfirmed() == {"accounts": 0, "organisations": 0}
    assert emails(app) == {"traag@example.org"}


def test_an_account_that_once_logged_in_is_never_removed(app):
    user = make_user(app, email="oud@example.org")
    with app.app_context():  # e.g. an address changed later and not confirmed again
        db.session.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(email_verified_at=None, last_login_at=utcnow(), created_at=utcnow() - timedelta(days=400))
        )
        db.session.commit()
        assert purge_unconfirmed() == {"accounts": 0, "organisations": 0}
    assert emails(app) == {"oud@example.org"}


def test_many_accounts_are_removed_in_batches(app):
    with app.app_context():
        old = utcnow() - timedelta(days=30)
        db.session.add_all(
            User(
                email=f"bulk{n}@example.org",
                display_name="x",
                password_hash="x",
                email_verified_at=sa.null(),
                created_at=old,
            )
            for n in range(25)
        )
        db.session.commit()
        commits = []

        def count_commit(session):
            commits.append(session)

        sa.event.listen(db.session, "after_commit", count_commit)
        try:
            assert purge_unconfirmed(batch=10) == {"accounts": 25, "organisations": 0}
        finally:
            sa.event.remove(db.session, "after_commit", count_commit)
        assert len(commits) == 3, "one short transaction per batch"
    assert count(app, User) == 0
