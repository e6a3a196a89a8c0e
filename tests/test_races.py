"""Lost races on unique constraints become a message next to the field, never a 500 or half a save.

The check-then-insert window is forced open by hiding the existing row from the pre-check,
which is what a concurrent request sees.
"""

import sqlalchemy as sa

from app.accounts import registration, services
from app.accounts.models import Membership, Organisation, User
from app.errors import DomainError
from app.extensions import db
from tests.conftest import PASSWORD, make_organisation, make_user


def test_same_email_registered_twice_at_once(app, monkeypatch):
    """The loser of the race creates nothing and answers like every other registration (no error, no 500)."""
    make_user(app, email="tegelijk@example.org")
    monkeypatch.setattr(registration, "find_user_by_email", lambda email: None)  # the other request's check ran first
    with app.app_context():
        made = registration.register(
            registration.Registration(
                email="tegelijk@example.org", display_name="B", password=PASSWORD, accepted_privacy=True
            )
        )
        assert made is None
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_same_new_organisation_named_twice_at_once_joins_the_first(app, monkeypatch):
    org = make_organisation(app, "Buurtkracht")
    real_find = services.find_organisation
    calls = []

    def find_late(name):
        calls.append(name)
        return None if len(calls) == 1 else real_find(name)  # the first look misses the other's insert

    monkeypatch.setattr(services, "find_organisation", find_late)
    with app.app_context():
        found = services.organisation_from_choice(None, "Buurtkracht", "network")
        assert found.id == org.id
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1


def test_membership_requested_twice_at_once(app, monkeypatch):
    org = make_organisation(app, "Halte 2717")
    partner = make_user(app, role="partner", org="Stichting Piëzo")
    with app.app_context():
        services.request_membership(db.session.get(User, partner.id), db.session.get(Organisation, org.id))
        db.session.commit()
        monkeypatch.setattr(services, "find_membership", lambda *args: None)  # the check sees nothing yet
        try:
            services.request_membership(db.session.get(User, partner.id), db.session.get(Organisation, org.id))
        except DomainError as error:
            assert error.field == "organisation_id"
        else:
            raise AssertionError("a second membership request was stored")
        db.session.rollback()
        count = db.session.scalar(
            sa.select(sa.func.count()).select_from(Membership).where(Membership.user_id == partner.id)
        )
        assert count == 2


def test_rollback_after_a_failed_step_undoes_the_savepoint_work(app):
    """A released savepoint is still part of the request's transaction (SQLite needs BEGIN for this)."""
    with app.app_context():
        services.create_organisation("Tijdelijk", "network")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0


def test_slow_login_and_a_concurrent_write_both_succeed(app, monkeypatch):
    """A login reads, hashes for a while, then writes; another request commits in between.

    On SQLite a deferred transaction would then fail at once with "database is locked".
    """
    import threading
    import time

    from app.accounts import passwords

    resident = make_user(app, email="traag@example.org")
    writer = make_user(app, email="schrijver@example.org")
    writer_client = app.test_client()
    assert writer_client.post("/login", data={"email": writer.email, "password": PASSWORD}).status_code == 302

    real_verify = passwords.verify_password
    started = threading.Event()

    def slow_verify(password_hash, password):
        started.set()
        time.sleep(0.4)
        return real_verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", slow_verify)
    results = {}

    def slow_login():
        results["login"] = app.test_client().post("/login", data={"email": resident.email, "password": PASSWORD})

    thread = threading.Thread(target=slow_login)
    thread.start()
    assert started.wait(5)
    results["write"] = writer_client.post("/account", data={"display_name": "Nieuwe naam"})
    thread.join(10)
    assert results["write"].status_code == 302
    assert results["login"].status_code == 302


def test_two_writers_at_once_wait_for_each_other(app):
    """Many simultaneous profile saves: none fails with a locked database."""
    import threading

    people = [make_user(app, email=f"tegelijk{i}@example.org") for i in range(8)]
    clients = []
    for person in people:
        client = app.test_client()
        client.post("/login", data={"email": person.email, "password": PASSWORD})
        clients.append(client)
    statuses = []
    barrier = threading.Barrier(len(clients))

    def save(client, i):
        barrier.wait()
        statuses.append(client.post("/account", data={"display_name": f"Naam {i}"}).status_code)

    threads = [threading.Thread(target=save, args=(c, i)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert statuses == [302] * len(clients)
