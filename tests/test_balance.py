"""The balance of Puzzling, Powering and Participation on constructed data with known answers, and its signals."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.issues.models import Comment, Issue, IssueStatusChange, Support
from app.models_common import utcnow
from app.moderation import balance, signals
from app.moderation.models import BalanceOverride
from app.processes.models import Process
from tests.conftest import make_issue, make_process, make_user


def add_comment(app, issue_id, author_id, kind="experience", days_ago=0, visibility="visible", parent_id=None):
    with app.app_context():
        comment = Comment(
            issue_id=issue_id,
            author_id=author_id,
            body="Een reactie met inhoud.",
            kind=kind,
            stance="neutral",
            visibility=visibility,
            parent_id=parent_id,
            created_at=utcnow() - timedelta(days=days_ago),
        )
        db.session.add(comment)
        db.session.commit()
        return comment.id


def add_supports(app, issue_id, user_ids, days_ago=0):
    with app.app_context():
        for user_id in user_ids:
            db.session.add(Support(issue_id=issue_id, user_id=user_id, created_at=utcnow() - timedelta(days=days_ago)))
        db.session.commit()


def decide(app, issue_id, to_status="shortlisted", days_ago=0):
    with app.app_context():
        db.session.add(
            IssueStatusChange(
                issue_id=issue_id,
                from_status="open",
                to_status=to_status,
                reason="Besluit met een reden",
                changed_at=utcnow() - timedelta(days=days_ago),
            )
        )
        db.session.get(Issue, issue_id).status = to_status
        db.session.commit()


@pytest.fixture
def world(app):
    process = make_process(app, phase="issues")
    residents = [make_user(app).id for _ in range(4)]
    partner = make_user(app, role="partner", org="Welzijn Zoetermeer").id
    return process, residents, partner


def test_shares_on_constructed_data(app, world):
    process, residents, partner = world
    issue = make_issue(app, process.id, residents[0])  # Participation 1
    add_comment(app, issue.id, residents[1], kind="argument")  # Puzzling 1
    add_comment(app, issue.id, residents[2], kind="argument")  # Puzzling 1
    add_comment(app, issue.id, partner, kind="experience")  # expert input: Puzzling 1
    add_comment(app, issue.id, residents[3], kind="experience")  # Participation 1
    add_comment(app, issue.id, residents[3], kind="question")  # Participation 1
    add_supports(app, issue.id, residents)  # 4 x 0.25: Participation 1
    decide(app, issue.id)  # Powering 1
    add_comment(app, issue.id, residents[1], kind="argument", visibility="hidden")  # hidden: not counted
    with app.app_context():
        total = balance.totals(process.id)
        assert total.weights == {"puzzling": 3.0, "powering": 1.0, "participation": 4.0}
        assert total.shares() == {"puzzling": 3 / 8, "powering": 1 / 8, "participation": 4 / 8}
        assert total.counts["support"] == 4 and total.counts["expert_input"] == 1 and total.counts["shortlist"] == 1
        assert balance.per_issue(process.id)[issue.id].weights == total.weights


def test_other_processes_do_not_count(app, world):
    process, residents, _partner = world
    other = make_process(app)
    make_issue(app, other.id, residents[0])
    with app.app_context():
        assert balance.totals(process.id).total == 0
        assert balance.totals(other.id).weights["participation"] == 1


def test_a_moderators_reclassification_moves_the_weight(app, world):
    process, residents, _partner = world
    issue = make_issue(app, process.id, residents[0])
    comment_id = add_comment(app, issue.id, residents[1], kind="experience")
    with app.app_context():
        assert balance.totals(process.id).weights["participation"] == 2
        db.session.add(BalanceOverride(source="comment", target_id=comment_id, category="puzzling"))
        db.session.commit()
        assert balance.totals(process.id).weights == {"puzzling": 1.0, "powering": 0.0, "participation": 1.0}


def test_per_phase_follows_the_phase_changes(app, world):
    from app.processes.models import PhaseChange

    process, residents, _partner = world
    issue = make_issue(app, process.id, residents[0])
    add_comment(app, issue.id, residents[1], kind="argument", days_ago=10)
    add_comment(app, issue.id, residents[1], kind="argument", days_ago=1)
    with app.app_context():
        db.session.add(
            PhaseChange(
                process_id=process.id,
                from_phase="issues",
                to_phase="agendas",
                changed_at=utcnow() - timedelta(days=5),
            )
        )
        db.session.commit()
        phases = balance.per_phase(db.session.get(Process, process.id), balance.per_day(process.id))
        assert phases["issues"].counts["argument"] == 1
        # the issue itself (today), the later argument and the phase change count in phase 3
        assert phases["agendas"].counts == {"argument": 1, "issue": 1, "phase_change": 1}
        weeks = balance.per_week(balance.per_day(process.id))
        assert sum(b.events for _monday, b in weeks) == 4
        assert all(monday.weekday() == 0 for monday, _b in weeks)


# --- signals: each fires on data made for it, and stays quiet on data just beside it -------------


def _process(app, process):
    return db.session.get(Process, process.id)


@pytest.mark.parametrize("decided", [False, True])
def test_endless_talk(app, world, decided):
    process, residents, _partner = world
    app.config.update(BALANCE_TALK_DAYS=21, BALANCE_TALK_CONTRIBUTIONS=5)
    issue = make_issue(app, process.id, residents[0], created_at=utcnow() - timedelta(days=40))
    for i in range(5):
        add_comment(app, issue.id, residents[i % 4], days_ago=i)
    if decided:
        decide(app, issue.id, days_ago=3)
    with app.test_request_context():
        signal = signals.endless_talk(_process(app, process))
        if decided:
            assert signal is None
        else:
            assert signal.key == "talk" and f"/issues/{issue.id}" in signal.links[0][1]
            assert "beslisstap" in signal.suggestion


def test_endless_talk_waits_for_enough_contributions(app, world):
    process, residents, _partner = world
    app.config.update(BALANCE_TALK_DAYS=21, BALANCE_TALK_CONTRIBUTIONS=5)
    issue = make_issue(app, process.id, residents[0], created_at=utcnow() - timedelta(days=40))
    for i in range(4):
        add_comment(app, issue.id, residents[i], days_ago=i)
    with app.test_request_context():
        assert signals.endless_talk(_process(app, process)) is None


@pytest.mark.parametrize("arguments", [2, 3])
def test_decision_with_few_arguments(app, world, arguments):
    process, residents, partner = world
    app.config.update(BALANCE_MIN_ARGUMENTS=3)
    issue = make_issue(app, process.id, residents[0])
    for _ in range(arguments - 1):
        add_comment(app, issue.id, residents[1], kind="argument")
    add_comment(app, issue.id, partner, kind="experience")  # expert input counts as well
    decide(app, issue.id)
    with app.test_request_context():
        signal = signals.few_arguments(_process(app, process))
        assert (signal is not None) == (arguments < 3)
        if signal:
            assert "deskundige" in signal.suggestion


@pytest.mark.parametrize("residents_writing,fires", [(1, True), (3, False)])
def test_detached(app, world, residents_writing, fires):
    process, residents, partner = world
    app.config.update(BALANCE_DETACHED_SHARE=0.8, BALANCE_DETACHED_MIN=10)
    other_partner = make_user(app, role="partner", org="Vidomes").id
    issue = make_issue(app, process.id, partner)
    for i in range(9):
        add_comment(app, issue.id, (partner, other_partner)[i % 2], kind="experience")
    for i in range(residents_writing):
        add_comment(app, issue.id, residents[i], kind="experience")
    # 10 by professionals; with 1 resident 10/11 = 91% (fires), with 3 residents 10/13 = 77% (quiet)
    with app.test_request_context():
        signal = signals.detached(_process(app, process))
        assert (signal is not None) == fires
        if signal:
            assert "91%" in signal.seen and "bijeenkomst" in signal.suggestion


@pytest.mark.parametrize("loud_share,fires", [(14, True), (6, False)])
def test_dominance(app, world, loud_share, fires):
    process, residents, _partner = world
    app.config.update(BALANCE_DOMINANCE_PEOPLE=3, BALANCE_DOMINANCE_SHARE=0.5, BALANCE_DOMINANCE_MIN=20)
    quiet = [make_user(app).id for _ in range(8)]
    issue = make_issue(app, process.id, quiet[0])  # 1 contribution by a quiet person
    loud = residents[:3]
    for i in range(loud_share):
        add_comment(app, issue.id, loud[i % 3])
    for i in range(20 - loud_share - 1):
        add_comment(app, issue.id, quiet[i % 8])
    # 20 contributions: 14 by three people = 70% (fires); 6 by them = 30%, and the quiet ones are not "a few"
    with app.test_request_context():
        signal = signals.dominance(_process(app, process))
        assert (signal is not None) == fires
        if signal:
            assert "70%" in signal.seen and "principe 5" in signal.suggestion


def test_dominance_needs_enough_contributions(app, world):
    process, residents, _partner = world
    app.config.update(BALANCE_DOMINANCE_MIN=20)
    issue = make_issue(app, process.id, residents[0])
    for _ in range(10):
        add_comment(app, issue.id, residents[0])
    add_comment(app, issue.id, residents[1])
    with app.test_request_context():
        assert signals.dominance(_process(app, process)) is None


@pytest.mark.parametrize("answered", [False, True])
def test_residents_waiting(app, world, answered):
    process, residents, partner = world
    app.config.update(GROENE_LOPER_DAYS=10)  # working days: four weeks are more, whatever the holidays
    old = make_issue(app, process.id, residents[0], created_at=utcnow() - timedelta(days=30))
    make_issue(app, process.id, residents[1], created_at=utcnow() - timedelta(days=3))  # too recent to count
    question = add_comment(app, old.id, residents[2], kind="question", days_ago=28)
    if answered:
        add_comment(app, old.id, partner, parent_id=question, days_ago=27)
        with app.app_context():
            db.session.get(Issue, old.id).first_response_at = utcnow() - timedelta(days=27)
            db.session.commit()
    with app.test_request_context():
        signal = signals.waiting(_process(app, process))
        if answered:
            assert signal is None
        else:
            assert signal.seen.startswith("1 onderwerp en 1 vraag") and f"/issues/{old.id}" in signal.links[0][1]


def test_a_quiet_process_gives_no_signals(app, world):
    process, residents, _partner = world
    make_issue(app, process.id, residents[0])
    with app.test_request_context():
        assert signals.all_signals(_process(app, process)) == []


# --- the page -----------------------------------------------------------------------------------


def test_the_balance_page_shows_chart_table_and_signals_without_names(app, client, world):
    process, residents, partner = world
    app.config.update(GROENE_LOPER_DAYS=10)
    issue = make_issue(
        app, process.id, residents[0], title="Speeltuin opknappen", created_at=utcnow() - timedelta(days=30)
    )
    add_comment(app, issue.id, partner, kind="argument")
    response = client.get(f"/processes/{process.slug}/balance")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in page and 'role="img"' in page and "<table" in page
    assert "Speeltuin opknappen" in page  # the issue as a point and a row
    assert "Bewoners wachten op een antwoord" in page  # the waiting signal, with its suggestion
    assert "@example.org" not in page and "Persoon" not in page
    assert client.get("/help/balance").status_code == 200


def test_the_neighbourhood_director_sets_the_intended_balance(app, client, auth, world):
    process, _residents, _partner = world
    auth.login_as("wijkregisseur")
    url = f"/processes/{process.slug}/balance/targets"
    response = client.post(url, data={"phase": "issues", "puzzling": "30", "powering": "30", "participation": "30"})
    assert response.status_code == 400 and b'id="participation-error"' in response.data
    with app.app_context():
        assert all(p.target_puzzling is None for p in db.session.get(Process, process.id).phases)
    response = client.post(url, data={"phase": "issues", "puzzling": "30", "powering": "20", "participation": "50"})
    assert response.status_code == 302
    with app.app_context():
        phase = db.session.get(Process, process.id).phase("issues")
        assert (phase.target_puzzling, phase.target_powering, phase.target_participation) == (30, 20, 50)
    assert "30 / 20 / 50" in client.get(f"/processes/{process.slug}/balance").get_data(as_text=True)


def test_the_balance_page_makes_the_same_number_of_queries_for_more_data(app, client, world):
    from tests.test_query_counts import queries

    process, residents, partner = world
    make_issue(app, process.id, residents[0])
    url = f"/processes/{process.slug}/balance"
    few = queries(app, client, url)
    for n in range(10):
        issue = make_issue(app, process.id, residents[n % 4], title=f"Onderwerp {n}")
        add_comment(app, issue.id, partner, kind="argument")
        add_supports(app, issue.id, residents[:2])
    assert queries(app, client, url) == few


def test_council_positions_and_phase_changes_count_as_powering(app, world):
    from datetime import date

    from app.council.models import CouncilPosition, council_position_issues
    from app.processes.models import PhaseChange

    process, residents, _partner = world
    issue = make_issue(app, process.id, residents[0])
    with app.app_context():
        position = CouncilPosition(
            process_id=process.id,
            kind="motion",
            decided_on=date(2026, 3, 1),
            reference="M-2026-01",
            title="Motie speelplekken",
            outcome="approved",
        )
        db.session.add(position)
        db.session.add(PhaseChange(process_id=process.id, from_phase="participants", to_phase="issues"))
        db.session.flush()
        db.session.execute(sa.insert(council_position_issues).values(position_id=position.id, issue_id=issue.id))
        db.session.commit()
        total = balance.totals(process.id)
        assert total.counts["council_position"] == 1 and total.counts["phase_change"] == 1
        assert total.weights == {"puzzling": 0.0, "powering": 2.0, "participation": 1.0}
        assert balance.per_issue(process.id)[issue.id].weights["powering"] == 1
