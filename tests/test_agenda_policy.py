"""Agenda rules per role and phase: edit, join, consent (manage, answer, respond) and links."""

import pytest

from app.agendas.models import Agenda
from app.policy import can
from app.processes.models import PHASE_ORDER, PhaseKey
from tests.test_issue_policy import issue_in
from tests.test_policy import ANONYMOUS, person

MEMBERS = {"wijkregisseur": None, "facilitator": None, "wethouder": None, "partner": "approved"}


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


def agenda_of(issue):
    agenda = Agenda(horizon=1, status="draft", current_revision=1)
    agenda.issue = issue
    return agenda


@pytest.mark.parametrize("phase", PHASE_ORDER)
def test_members_edit_only_in_phase_3_and_only_chosen_issues(phase):
    issue = issue_in(phase=phase, status="shortlisted")
    for role, membership in MEMBERS.items():
        decision = can(person(role, membership), "agenda.edit", issue)
        assert bool(decision) == (phase == PhaseKey.AGENDAS), (role, phase)
        assert bool(can(person(role, membership), "agenda.link", issue)) == bool(decision)
        assert bool(can(person(role, membership), "consent.answer", agenda_of(issue))) == (phase == PhaseKey.AGENDAS)
    for role, membership in (("resident", None), ("council", None), ("admin", None), ("partner", "pending")):
        assert not can(person(role, membership), "agenda.edit", issue), role
    assert can(ANONYMOUS, "agenda.edit", issue).needs_login


def test_open_issues_have_no_agendas():
    issue = issue_in(phase=PhaseKey.AGENDAS, status="open")
    decision = can(person("partner", "approved"), "agenda.edit", issue)
    assert not decision and decision.because == "state"


def test_residents_ask_to_join_chosen_issues():
    assert can(person("resident"), "agenda.join", issue_in(status="shortlisted"))
    assert not can(person("resident"), "agenda.join", issue_in(status="open"))
    assert not can(person("partner", "approved"), "agenda.join", issue_in(status="shortlisted"))


def test_only_the_neighbourhood_director_manages_rounds_in_phase_3():
    agenda = agenda_of(issue_in(phase=PhaseKey.AGENDAS, status="shortlisted"))
    assert can(person("wijkregisseur"), "consent.manage", agenda)
    assert can(person("admin"), "consent.manage", agenda)
    for role in ("resident", "partner", "facilitator", "wethouder", "council"):
        assert not can(person(role, "approved"), "consent.manage", agenda), role
    early = agenda_of(issue_in(phase=PhaseKey.ISSUES, status="shortlisted"))
    assert not can(person("wijkregisseur"), "consent.manage", early)


def test_objections_are_answered_by_members_and_the_director():
    agenda = agenda_of(issue_in(phase=PhaseKey.AGENDAS, status="shortlisted"))
    assert can(person("partner", "approved"), "consent.respond", agenda)
    assert can(person("admin"), "consent.respond", agenda)
    assert not can(person("council"), "consent.respond", agenda)
