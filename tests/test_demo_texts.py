"""The demo's texts agree with its data: each covenant's text names every party that signs it (and no
other), the covenant in force is signed by every party, and the council's decision names the amount
the covenant's agendas ask of the municipality."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    return app


def _section(text: str, heading: str) -> list[str]:
    """The lines under a "## heading" of a covenant text, up to the next "## " heading."""
    lines = text.split("\n")
    start = lines.index(f"## {heading}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start + 1 : end]


def _check_names_its_parties(text: str, names: set[str], where: str) -> None:
    listed = {line[2:].strip() for line in _section(text, "Partijen") if line.startswith("- ")}
    assert listed == names, f"{where}: the text lists {sorted(listed)}, the parties are {sorted(names)}"
    commitments = {line[4:].strip() for line in _section(text, "Wat elke partij belooft") if line.startswith("### ")}
    assert commitments == names, f"{where}: commitments for {sorted(commitments)}, the parties are {sorted(names)}"


def test_each_demo_covenant_version_names_every_party_it_is_signed_for(demo):
    from app.covenants.models import CovenantVersion

    with demo.app_context():
        versions = list(db.session.scalars(sa.select(CovenantVersion)))
        assert len(versions) >= 2
        for version in versions:
            _check_names_its_parties(
                version.text, {p["name"] for p in version.parties}, f"covenant {version.covenant_id} v{version.number}"
            )


def test_each_demo_covenant_text_being_written_names_its_current_parties(demo):
    from app.covenants import services
    from app.covenants.models import Covenant

    with demo.app_context():
        for covenant in db.session.scalars(sa.select(Covenant)):
            text = services.TEXTS.document(covenant)["fields"]["text"]
            _check_names_its_parties(text, {p["name"] for p in services.party_list(covenant)}, covenant.title)


def test_the_covenant_in_force_is_signed_by_every_party_and_the_open_one_is_not(demo):
    from app.covenants import services
    from app.covenants.models import Covenant

    with demo.app_context():
        statuses = {}
        for covenant in db.session.scalars(sa.select(Covenant).order_by(Covenant.id)):
            version = services.version(covenant)
            signed = {s.party for s in version.signatures}
            statuses[covenant.status] = (signed, set(version.party_keys))
        in_force_signed, in_force_parties = statuses["in_force"]
        assert in_force_signed == in_force_parties and len(in_force_parties) == 4
        open_signed, open_parties = statuses["open"]
        assert open_signed < open_parties and len(open_signed) == 1


def test_the_council_decision_names_what_the_agendas_ask_of_the_municipality(demo):
    from app.agendas import services as agendas
    from app.council.models import CouncilPosition
    from app.covenants.models import MUNICIPALITY

    with demo.app_context():
        decisions = [p for p in db.session.scalars(sa.select(CouncilPosition)) if p.covenants]
        assert decisions
        for position in decisions:
            for covenant in position.covenants:
                asked = sum(
                    item.get("euros") or 0
                    for agenda in covenant.agendas
                    for item in agendas.document(agenda)["items"]
                    if item.get("responsible") in (MUNICIPALITY, "municipality")
                )
                named = {int(amount.replace(".", "")) for amount in re.findall(r"€\s*([\d.]+)", position.summary)}
                assert named == {asked}, (position.title, named, asked)
