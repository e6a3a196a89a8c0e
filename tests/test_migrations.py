"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL, and go back down."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests.conftest import PG_URL, make_app


@pytest.fixture
def empty_database_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"migr_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_produce_exactly_the_models_schema(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        inspector = sa.inspect(db.engine)
        assert set(inspector.get_table_names()) == set(db.metadata.tables) | {"alembic_version"}
        # named constraints survive, so later migrations can refer to them
        assert any(c["name"] == "uq_users_email" for c in inspector.get_unique_constraints("users"))
        db.engine.dispose()


def test_migrations_go_down_to_an_empty_database(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


def test_app_never_creates_tables_itself(tmp_path):
    """create_app does not run migrations or create_all: an empty database stays empty."""
    app = make_app(f"sqlite:///{tmp_path / 'untouched.sqlite'}")
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        db.engine.dispose()
