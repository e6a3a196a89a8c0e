"""The policy per role and phase: every rule, every role, every phase it depends on."""

import pytest
from flask_login import AnonymousUserMixin

from app.accounts.models import Membership, Role, User
from app.models_common import utcnow
from app.policy import PHASE_GATES, all_rules, can
from app.processes.models import PHASE_ORDER, PhaseKey, Process, ProcessPhase

ROLES = [r.value for r in Role]


def person(role, membership=None):
    """An in-memory user; membership is None, 'pending', 'approved' or 'signatory'."""
    user = User(email=f"{role}@example.org", display_name=role, role=role, password_hash="x", active=True)
    user.memberships = []
    if membership:
        user.memberships.append(
            Membership(
                status="pending" if membership == "pending" else "approved", is_signatory=membership == "signatory"
            )
        )
    return user


def process_in(phase):
    process = Process(slug="p", name="P", neighbourhood="N", current_phase=phase.value, published_at=utcnow())
    process.phases = [ProcessPhase(key=k.value) for k in PHASE_ORDER]
    return process


ANONYMOUS = AnonymousUserMixin()

# Who may act, for each participation action, in its own phase.
EXPECTED = {
    "issue.propose": {"resident", "partner"},
    "issue.support": {"resident", "partner"},
    "priorities.vote": {"resident", "partner"},
    "agenda.edit": {"resident", "partner", "wijkregisseur", "facilitator", "wethouder"},
    "covenant.sign": {"wethouder", "partner:signatory"},
}


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("phase", PHASE_ORDER)
def test_participation_actions_per_role_and_phase(action, phase):
    process = process_in(phase)
    open_phase = PHASE_GATES[action][0]
    for role in ROLES:
        for membership in [None] if role != "partner" else ["approved", "signatory", "pending"]:
            user = person(role, membership)
            if membership == "pending":
                allowed_role = False
            elif membership == "signatory":
                allowed_role = bool({"partner", "partner:signatory"} & EXPECTED[action])
            else:
                allowed_role = role in EXPECTED[action]
            decision = can(user, action, process)
            assert bool(decision) == (allowed_role and phase == open_phase), (action, phase, role, membership)
            if allowed_role and phase != open_phase:
                assert decision.because == "phase" and decision.reason
    assert not can(ANONYMOUS, action, process)
    assert can(ANONYMOUS, action, process).needs_login


def test_phase_refusal_says_when_it_opens():
    from datetime import date

    process = process_in(PhaseKey.PARTICIPANTS)
    process.phase("issues").starts_on = date(2027, 3, 1)
    decision = can(person("resident"), "issue.propose", process)
    assert not decision
    assert "Fase 2" in decision.message and "1 maart 2027" in decision.message


def test_phase_refusal_after_the_phase_says_it_is_over():
    decision = can(person("resident"), "issue.propose", process_in(PhaseKey.AGENDAS))
    assert "voorbij" in decision.message


def test_pending_partner_is_told_about_the_membership():
    decision = can(person("partner", "pending"), "issue.propose", process_in(PhaseKey.ISSUES))
    assert decision.because == "membership"


ROLE_RULES = {
    "process.view": set(ROLES) | {"anonymous"},
    "process.create": {"wijkregisseur", "admin"},
    "process.edit": {"wijkregisseur", "admin"},
    "process.set_phase": {"wijkregisseur", "admin"},
    "process.publish": {"wijkregisseur", "admin"},
    "moderation.act": {"wijkregisseur", "admin"},
    "balance.set_target": {"wijkregisseur", "admin"},
    "export.congress": {"facilitator", "wijkregisseur", "admin"},
    "council.record": {"council"},
    "account.manage": set(ROLES),
    "membership.request": {"partner"},
    "membership.decide": {"wijkregisseur", "admin"},
    "membership.set_signatory": {"admin"},
    "admin.users": {"admin"},
    "mail.admin": {"admin"},
    "admin.organisations": {"wijkregisseur", "admin"},
    "issue.report": set(ROLES),
    "issue.follow": set(ROLES),
    "issue.decide": {"wijkregisseur", "wethouder", "admin"},
    "priorities.manage": {"wijkregisseur", "admin"},
    "agenda.admit": {"wijkregisseur", "admin"},
    "dashboard.view": {"wijkregisseur", "facilitator", "wethouder", "admin"},
    "notifications.read": set(ROLES),
    "notifications.preferences": set(ROLES),
    "mine.view": set(ROLES),
}

# Rules that depend on the object as well as the role; tested in test_issue_policy.py.
OBJECT_RULES = {
    "issue.edit",
    "issue.withdraw",
    "issue.comment",
    "priorities.results",  # test_issue_policy.py
    "agenda.join",
    "consent.manage",
    "consent.answer",
    "consent.respond",
    "agenda.link",  # test_agenda_policy.py
    "covenant.draft",
    "covenant.open",
    "covenant.end",  # test_covenants.py
    "comment.edit",
    "comment.withdraw",  # test_comment_edits.py
    "issue.attach",
    "attachment.remove",  # test_attachments_policy.py
    "mail.unsubscribe",  # test_unsubscribe.py
}


@pytest.mark.parametrize("action", sorted(ROLE_RULES))
def test_role_rules(action):
    """These do not depend on the phase: moderators may act in every phase."""
    for phase in PHASE_ORDER:
        process = process_in(phase)
        for role in ROLES:
            assert bool(can(person(role, "approved"), action, process)) == (role in ROLE_RULES[action]), (action, role)
        assert bool(can(ANONYMOUS, action, process)) == ("anonymous" in ROLE_RULES[action])


def test_every_rule_is_covered_by_a_test():
    assert set(all_rules()) == set(EXPECTED) | set(ROLE_RULES) | OBJECT_RULES


def test_unknown_action_is_an_error():
    with pytest.raises(LookupError):
        can(ANONYMOUS, "does.not.exist")


def test_refusal_is_falsy_and_carries_a_reason():
    decision = can(person("resident"), "process.set_phase", process_in(PhaseKey.ISSUES))
    assert not decision and decision.because == "role" and "wijkregisseur" in decision.message


def test_partner_refusals_tell_pending_rejected_and_none_apart():
    process = process_in(PhaseKey.ISSUES)
    pending = can(person("partner", "pending"), "issue.propose", process).message
    rejected_user = person("partner")
    rejected_user.memberships.append(Membership(status="rejected"))
    rejected = can(rejected_user, "issue.propose", process).message
    none = can(person("partner"), "issue.propose", process).message
    assert len({pending, rejected, none}) == 3
    assert "moet nog worden goedgekeurd" in pending and "niet goedgekeurd" in rejected and "nog geen" in none
