"""Issue rules that depend on the object: who wrote it, its status, the round, the phase."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from app.issues.models import Issue, PriorityRound
from app.models_common import utcnow
from app.policy import can
from app.processes.models import PhaseKey
from tests.test_policy import person, process_in


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


def issue_in(phase=PhaseKey.ISSUES, status="open", author_id=1, age=timedelta(minutes=5)):
    issue = Issue(id=10, author_id=author_id, status=status, created_at=utcnow() - age, title="t", description="d")
    issue.process = process_in(phase)
    return issue


def author():
    user = person("resident")
    user.id = 1
    return user


def test_author_may_edit_shortly_after_publishing_only():
    assert can(author(), "issue.edit", issue_in())
    late = can(author(), "issue.edit", issue_in(age=timedelta(hours=2)))
    assert not late and "60" in late.message
    other = person("resident")
    other.id = 2
    assert not can(other, "issue.edit", issue_in())
    assert not can(author(), "issue.edit", issue_in(status="merged"))
    assert not can(AnonymousUserMixin(), "issue.edit", issue_in())


def test_only_the_author_withdraws_an_open_issue():
    assert can(author(), "issue.withdraw", issue_in())
    assert not can(author(), "issue.withdraw", issue_in(status="shortlisted"))
    other = person("wijkregisseur")
    other.id = 3
    assert not can(other, "issue.withdraw", issue_in())


@pytest.mark.parametrize("role", ["resident", "partner", "wijkregisseur", "facilitator", "wethouder", "council"])
def test_everyone_signed_in_may_comment_from_phase_2_on_open_issues(role):
    user = person(role, "approved")
    for phase in (PhaseKey.ISSUES, PhaseKey.INTERIM, PhaseKey.AGENDAS, PhaseKey.COVENANTS):
        assert can(user, "issue.comment", issue_in(phase=phase)), (role, phase)
    assert not can(user, "issue.comment", issue_in(phase=PhaseKey.PARTICIPANTS))
    assert not can(user, "issue.comment", issue_in(status="declined"))


def test_pending_partner_and_visitor_may_not_comment():
    assert not can(person("partner", "pending"), "issue.comment", issue_in())
    assert can(AnonymousUserMixin(), "issue.comment", issue_in()).needs_login


def test_support_needs_an_open_issue():
    user = person("resident")
    assert can(user, "issue.support", issue_in())
    assert can(user, "issue.support", issue_in(status="shortlisted"))
    for status in ("merged", "declined", "withdrawn"):
        assert not can(user, "issue.support", issue_in(status=status))


def test_results_are_visible_when_closed_or_chosen_so_and_always_to_moderators():
    round_ = PriorityRound(status="open", results_while_open=False)
    assert not can(person("resident"), "priorities.results", round_)
    assert can(person("wijkregisseur"), "priorities.results", round_)
    assert can(person("resident"), "priorities.results", PriorityRound(status="open", results_while_open=True))
    assert can(AnonymousUserMixin(), "priorities.results", PriorityRound(status="closed", results_while_open=False))


def test_voting_needs_an_open_round():
    process = process_in(PhaseKey.ISSUES)
    for status, allowed in (("draft", False), ("open", True), ("closed", False)):
        round_ = PriorityRound(status=status)
        round_.process = process
        assert bool(can(person("resident"), "priorities.vote", round_)) == allowed, status
