"""The command line: `flask users create` and `flask seed demo`."""

import sqlalchemy as sa

from app.accounts.models import Membership, Organisation, User
from app.extensions import db
from app.processes.models import Process
from tests.conftest import PASSWORD, make_organisation


def test_users_create_reads_the_password_from_stdin(app, runner):
    make_organisation(app, "De Goede Woning")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "bestuur@example.org",
            "--name",
            "Ingrid",
            "--role",
            "partner",
            "--org",
            "De Goede Woning",
            "--signatory",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "bestuur@example.org"))
        assert user.role == "partner"
        membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id))
        assert membership.status == "approved" and membership.is_signatory
    assert (
        app.test_client().post("/login", data={"email": "bestuur@example.org", "password": PASSWORD}).status_code == 302
    )


def test_users_create_refuses_weak_password_unknown_role_and_org(app, runner):
    weak = runner.invoke(
        args=["users", "create", "a@example.org", "--name", "A", "--role", "resident", "--password-stdin"],
        input="password1234\n",
    )
    assert weak.exit_code != 0 and "password" in weak.output
    role = runner.invoke(
        args=["users", "create", "a@example.org", "--name", "A", "--role", "king", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert role.exit_code != 0
    org = runner.invoke(
        args=[
            "users",
            "create",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "partner",
            "--org",
            "Bestaat Niet",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert org.exit_code != 0 and "organisation" in org.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_seed_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed", "demo"])
    assert "0 users added" in second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Process)) == 1
        roles = set(db.session.scalars(sa.select(User.role)))
        assert roles == {"resident", "partner", "wijkregisseur", "facilitator", "wethouder", "council", "admin"}
        process = db.session.scalar(sa.select(Process))
        assert process.slug == "buytenwegh" and process.current_phase == "issues"
        assert all(p.starts_on for p in process.phases)
        names = set(db.session.scalars(sa.select(Organisation.name)))
        for expected in ("Wijkvereniging Buytenrode", "Stichting Piëzo", "Halte 2717", "Gemeente Zoetermeer"):
            assert expected in names
        signatories = db.session.scalars(sa.select(Membership).where(Membership.is_signatory.is_(True))).all()
        assert any(m.user.role == "partner" for m in signatories)


def test_every_demo_account_in_the_readme_can_log_in(app, runner):
    """The README lists the demo accounts; each logs in with the documented password."""
    import re
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    seeds = tomllib.loads((root / "seeds" / "demo.toml").read_text())
    readme = (root / "README.md").read_text()
    runner.invoke(args=["seed", "demo"])
    assert seeds["password"] in readme
    for person in seeds["users"]:
        assert person["email"] in readme, person["email"]
        client = app.test_client()
        response = client.post("/login", data={"email": person["email"], "password": seeds["password"]})
        assert response.status_code == 302, person["email"]
    assert re.search(r"make run", readme) and re.search(r"make test", readme)


def test_seed_demo_refuses_in_production(app, runner):
    app.config["NAME"] = "production"
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code != 0 and "production" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_seed_demo_if_empty_leaves_a_used_database_alone(app, runner):
    make_organisation(app, "Al bestaand")
    from tests.conftest import make_user

    make_user(app, email="echt@example.org")
    result = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert result.exit_code == 0 and "skipped" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Process)) == 0
    assert "0 users added" not in runner.invoke(args=["seed", "demo"]).output  # without the flag it fills in
