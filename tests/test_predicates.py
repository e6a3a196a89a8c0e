"""Permission predicates compose into one-line rules that keep their reasons (app/predicates.py).

`a & b` refuses with the first refusing part's reason, `a | b` with the last alternative's,
`~a` flips, `.because(...)` replaces a refusal's message; reasons are translated when asked,
and a refused composed rule shows its reason, in Dutch, on the page.
"""

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.issues.models import PriorityRound
from app.policy import all_rules, can
from app.predicates import (
    ALLOW,
    Decision,
    Predicate,
    has_role,
    in_phase,
    is_moderator,
    phase_allows,
    phase_reached,
    predicate,
    signed_in,
)
from app.processes.models import PHASE_ORDER, PhaseKey
from tests.conftest import make_issue, make_process, make_user
from tests.test_agenda_policy import agenda_of
from tests.test_issue_policy import issue_in
from tests.test_policy import ANONYMOUS, person, process_in

APP = Path(__file__).resolve().parent.parent / "app"


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def answers(decision: Decision, asked: list[str], name: str) -> Predicate:
    """A predicate that notes it was asked, then answers `decision`."""

    def check(_user, _obj):
        asked.append(name)
        return decision

    return Predicate(check, name)


def no(reason, kind="state", opens=""):
    return Decision(False, reason, opens=opens, because=kind)


# --- composition ----------------------------------------------------------------------------------


def test_and_refuses_with_the_first_refusing_part_and_asks_no_further(ctx):
    asked = []
    a, b, c = answers(ALLOW, asked, "a"), answers(no("B", "membership"), asked, "b"), answers(no("C"), asked, "c")
    decision = (a & b & c)(None, None)
    assert not decision and decision.reason == "B" and decision.because == "membership"
    assert asked == ["a", "b"]  # lazy: c may assume what b checks
    asked.clear()
    assert (a & a)(None, None) and asked == ["a", "a"]


def test_or_allows_on_the_first_yes_and_otherwise_gives_the_last_alternatives_reason(ctx):
    asked = []
    special, general = answers(no("special", "role"), asked, "special"), answers(no("general"), asked, "general")
    decision = (special | general)(None, None)
    assert not decision and decision.reason == "general" and decision.because == "state"
    assert asked == ["special", "general"]
    asked.clear()
    assert (answers(ALLOW, asked, "yes") | general)(None, None) and asked == ["yes"]


def test_not_flips_and_reads_as_if_then_inside_or(ctx):
    @predicate
    def is_even(_user, n) -> bool:
        return n % 2 == 0

    @predicate(reason=_l("This issue is closed: it was merged, not chosen or withdrawn."), kind="state")
    def below_ten(_user, n) -> bool:
        return n < 10

    assert (~is_even)(None, 3) and not (~is_even)(None, 4)
    assert (~is_even)(None, 4).reason == ""  # no reason of its own: use it inside `|` or with .because
    only_even_must_be_small = ~is_even | below_ten
    assert only_even_must_be_small(None, 13)  # odd: passes
    assert only_even_must_be_small(None, 4)
    refused = only_even_must_be_small(None, 12)
    assert not refused and refused.because == "state" and "gesloten" in refused.reason


def test_because_replaces_the_message_and_keeps_the_kind_unless_told(ctx):
    asked = []
    phase_refusal = answers(no("Not yet.", "phase", opens="It opens in phase 2."), asked, "p")
    explained = phase_refusal.because(_l("The results are shown when the round closes."))
    decision = explained(None, None)
    assert decision.reason == "De uitkomsten ziet u als de ronde sluit." and decision.opens == ""
    assert decision.because == "phase"
    assert phase_refusal.because(_l("Log in first."), kind="state")(None, None).because == "state"
    assert answers(ALLOW, asked, "ok").because(_l("Log in first."))(None, None) is ALLOW


def test_because_on_the_role_part_still_sends_visitors_to_log_in(ctx):
    rule = signed_in & is_moderator.because(_l("Only the neighbourhood director can change the phase."))
    assert rule(ANONYMOUS, None).needs_login
    refused = rule(person("resident"), None)
    assert refused.because == "role" and refused.message == "Alleen de wijkregisseur kan de fase wijzigen."
    assert rule(person("admin"), None)


def test_predicate_decorator_takes_a_bool_with_a_reason_or_a_decision(ctx):
    @predicate(reason=_l("Log in first."), kind="login")
    def flag(_user, obj) -> bool:
        return obj

    @predicate
    def decides(_user, obj) -> Decision:
        return obj

    assert flag(None, True) is ALLOW
    assert flag(None, False) == Decision(False, "Log eerst in.", because="login")
    assert decides(None, no("own", "phase")) == no("own", "phase")
    assert repr(flag & ~decides | signed_in) == "(flag & ~decides) | signed_in"


def test_reasons_are_translated_when_the_rule_is_asked(ctx):
    rule = signed_in & has_role(Role.WIJKREGISSEUR, reason=_l("Only residents and partners can support issues."))
    assert rule(person("resident"), None).message == "Alleen bewoners en partners kunnen onderwerpen steunen."
    with force_locale("en"):
        assert rule(person("resident"), None).message == "Only residents and partners can support issues."
        assert rule(ANONYMOUS, None).message == "Log in first."


def test_phase_predicates_say_when_it_opens_or_that_it_is_over(ctx):
    early = process_in(PhaseKey.PARTICIPANTS)
    early.phase("issues").starts_on = date(2027, 3, 1)
    waiting = phase_allows("issue.support")(None, early)
    assert waiting.because == "phase" and "Onderwerpen steunen" in waiting.reason
    assert "1 maart 2027" in waiting.opens
    over = phase_allows("issue.support")(None, process_in(PhaseKey.AGENDAS))
    assert "Die fase is voorbij" in over.reason and over.opens == ""
    assert phase_reached("issue.propose")(None, process_in(PhaseKey.COVENANTS))
    assert phase_reached("issue.propose")(None, early) == phase_allows("issue.propose")(None, early)
    either = in_phase(PhaseKey.AGENDAS, "Schrijven") | in_phase(PhaseKey.COVENANTS, "Schrijven")
    assert either(None, process_in(PhaseKey.AGENDAS)) and either(None, process_in(PhaseKey.COVENANTS))
    too_early = either(None, process_in(PhaseKey.ISSUES))  # the last alternative's refusal: phase 4
    assert too_early.reason == "Schrijven kan nog niet." and "Fase 4" in too_early.opens


# --- the rules are built from them --------------------------------------------------------------------


def test_each_rule_is_a_predicate_that_reads_as_its_line():
    rules = all_rules()
    assert all(isinstance(check, Predicate) for check in rules.values())
    assert repr(rules["issue.support"]) == (
        "signed_in & has_role(resident, partner) & partner_approved & phase_allows('issue.support')"
        " & issue_is_open & issue_is_shown"
    )
    assert repr(rules["consent.respond"]).startswith("(has_role(wijkregisseur, admin) & phase_allows('agenda.edit')")


def test_no_module_imports_private_names_from_the_policy_or_the_predicates():
    offenders = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("app.policy", "app.predicates"):
                offenders += [f"{path.relative_to(APP)}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert offenders == []


@pytest.mark.parametrize("action", sorted(all_rules()))
def test_every_refusal_of_every_rule_gives_a_message(ctx, action):
    """A forbidden action gets a clear message: no composition may lose the reason."""
    users = [ANONYMOUS, person("resident"), person("partner", "pending"), person("partner", "signatory")]
    users += [person("wijkregisseur"), person("council")]
    objects = [process_in(phase) for phase in PHASE_ORDER]
    objects += [issue_in(phase=phase, status=s) for phase in PHASE_ORDER for s in ("open", "shortlisted", "declined")]
    objects += [agenda_of(issue_in(phase=phase, status="shortlisted")) for phase in PHASE_ORDER]
    objects += [PriorityRound(status=s, results_while_open=False) for s in ("draft", "open", "closed")]
    refusals = 0
    for user in users:
        for obj in objects:
            try:
                decision = can(user, action, obj)
            except AttributeError:  # a rule about another kind of object (a reaction, a round, a covenant)
                continue
            if not decision:
                refusals += 1
                assert decision.message and decision.because, (action, user.role if user.is_authenticated else "-")
    assert refusals or action in ("process.view",)


# --- on a page ------------------------------------------------------------------------------------------


def support_box(html: str) -> str:
    return re.search(r"data-support-scope>(.*?)</section>", html, re.S).group(1)


def test_the_first_failing_part_of_a_refused_rule_is_shown_in_dutch(app, client, auth):
    process = make_process(app, phase="agendas")
    author = make_user(app)
    issue = make_issue(app, process.id, author.id)
    auth.login_as("resident")
    box = support_box(client.get(f"/issues/{issue.id}").get_data(as_text=True))
    assert "Onderwerpen steunen kon in Fase 2" in box and "Die fase is voorbij." in box
    refused = client.post(f"/issues/{issue.id}/support", data={"action": "add"})
    assert refused.status_code == 403 and "Die fase is voorbij." in refused.get_data(as_text=True)
    auth.logout()

    # A partner still waiting for approval fails earlier in the same rule: the membership, not the phase.
    auth.login_as("partner", org="Stichting Piëzo", status="pending")
    box = support_box(client.get(f"/issues/{issue.id}").get_data(as_text=True))
    assert "moet nog worden goedgekeurd door de wijkregisseur" in box and "Die fase is voorbij" not in box


def test_a_closed_issue_tells_why_support_is_refused(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id, status="declined")
    auth.login_as("resident")
    box = support_box(client.get(f"/issues/{issue.id}").get_data(as_text=True))
    assert "Dit onderwerp is gesloten" in box


def test_an_or_rule_with_its_own_reason_shows_it_on_the_page(app, client, auth):
    process = make_process(app, slug="punten", phase="issues")
    make_issue(app, process.id, make_user(app).id)
    auth.login_as("wijkregisseur")
    client.post("/processes/punten/priorities/settings", data={"points_per_person": 5, "max_per_issue": 3})
    client.post("/processes/punten/priorities/open")
    auth.logout()
    auth.login_as("resident")
    page = client.get("/processes/punten/priorities").get_data(as_text=True)
    assert "De uitkomsten ziet u als de ronde sluit." in page
