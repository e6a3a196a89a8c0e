"""Database settings: SQLite with WAL, foreign keys and a busy timeout; UTC datetimes everywhere."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.accounts.models import Membership, User
from app.extensions import db
from tests.conftest import PG_URL, make_user


@pytest.mark.skipif(bool(PG_URL), reason="SQLite settings")
def test_sqlite_pragmas(app):
    with app.app_context():
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 5000


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")
def test_postgres_uses_psycopg3(app):
    with app.app_context():
        assert db.engine.dialect.driver == "psycopg"
        assert db.session.execute(sa.text("SHOW server_version_num")).scalar() >= "150000"


def test_foreign_keys_are_enforced(app):
    with app.app_context():
        db.session.add(Membership(user_id=999, organisation_id=999))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_email_is_unique_in_the_database(app):
    make_user(app, email="dubbel@example.org")
    with app.app_context():
        db.session.add(User(email="dubbel@example.org", display_name="x", password_hash="x"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_check_constraint_rejects_unknown_role(app):
    with app.app_context():
        db.session.add(User(email="x@example.org", display_name="x", password_hash="x", role="king"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_datetimes_come_back_in_utc(app):
    user = make_user(app)
    with app.app_context():
        created = db.session.get(User, user.id).created_at
        assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0
        assert abs((datetime.now(UTC) - created).total_seconds()) < 60


def test_naive_datetimes_are_refused(app):
    user = make_user(app)
    with app.app_context():
        db.session.get(User, user.id).last_login_at = datetime.now()
        with pytest.raises(sa.exc.StatementError):
            db.session.flush()
        db.session.rollback()
