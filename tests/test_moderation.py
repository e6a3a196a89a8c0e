"""The moderation queue, each action and its log entry, placeholders, auto-hide and pre-moderation."""

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.issues.models import Comment, Issue, Report
from app.moderation.models import BalanceOverride, ModerationAction
from app.processes.models import Process
from tests.conftest import make_issue, make_process, make_user

REASON = "Dit gaat in tegen de spelregels van het platform."


def add_comment(app, issue_id, author_id, body="Een gewone reactie op dit onderwerp."):
    with app.app_context():
        comment = Comment(issue_id=issue_id, author_id=author_id, body=body, kind="experience", stance="neutral")
        db.session.add(comment)
        db.session.commit()
        return comment.id


def act(client, target_type, target_id, group, action, reason=REASON, **extra):
    data = {"group": group, f"{group}-action": action, f"{group}-reason": reason}
    data.update({f"{group}-{key}": value for key, value in extra.items()})
    return client.post(f"/moderation/{target_type}/{target_id}", data=data)


def log_entries(app, action=None):
    with app.app_context():
        stmt = sa.select(ModerationAction).order_by(ModerationAction.id)
        if action:
            stmt = stmt.where(ModerationAction.action == action)
        return [(e.action, e.target_type, e.target_id, e.reason, e.moderator_id) for e in db.session.scalars(stmt)]


def age_account(app, user_id, days=2):
    from datetime import timedelta

    from app.models_common import utcnow

    with app.app_context():
        db.session.get(User, user_id).created_at = utcnow() - timedelta(days=days)
        db.session.commit()


@pytest.fixture
def setup(app):
    process = make_process(app, phase="issues")
    author = make_user(app, name="Annemarie Auteur")
    issue = make_issue(app, process.id, author.id, title="Hangplek bij het winkelcentrum")
    return process, author, issue


def report(client, auth, target_type, target_id, name):
    reporter = auth.login_as("resident", name=name)
    age_account(client.application, reporter.id)  # only reports of accounts older than a day hide things
    path = f"/issues/{target_id}/report" if target_type == "issue" else f"/comments/{target_id}/report"
    assert client.post(path, data={"reason": f"Beledigend, vindt {name}"}).status_code == 302
    auth.logout()


# --- auto-hide after reports ---------------------------------------------------------------------


def test_content_is_hidden_automatically_after_the_set_number_of_reports(app, client, auth, setup, outbox):
    _process, author, issue = setup
    comment_id = add_comment(app, issue.id, author.id, body="Een scheldwoord hier.")
    for name in ("Melder Een", "Melder Twee"):
        report(client, auth, "comment", comment_id, name)
    with app.app_context():
        assert db.session.get(Comment, comment_id).visibility == "visible"
    report(client, auth, "comment", comment_id, "Melder Drie")
    with app.app_context():
        assert db.session.get(Comment, comment_id).visibility == "auto_hidden"
    assert (
        log_entries(app) == [("auto_hide", "comment", comment_id, log_entries(app)[0][3], None)]
        and "3" in log_entries(app)[0][3]
    )
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "Een scheldwoord hier." not in page
    assert "Deze reactie is verborgen" in page and "3 meldingen" in page
    assert [m.to for m in outbox] == [author.email] and "Een scheldwoord" not in outbox[0].body

    auth.login_as("wijkregisseur")
    queue = client.get("/moderation").get_data(as_text=True)
    assert "automatisch verborgen" in queue and "Beledigend, vindt Melder Drie" in queue
    # the public log never names who reported it
    auth.logout()
    public_log = client.get("/moderation/log").get_data(as_text=True)
    assert "Automatisch verborgen na meldingen" in public_log
    assert "Melder" not in public_log and "@" not in public_log.split("<main")[1]


def test_below_the_threshold_or_with_auto_hide_off_nothing_is_hidden(app, client, auth, setup):
    process, _author, issue = setup
    with app.app_context():
        db.session.get(Process, process.id).auto_hide_after = 0
        db.session.commit()
    for name in ("A", "B", "C", "D"):
        report(client, auth, "issue", issue.id, f"Melder {name}")
    with app.app_context():
        assert db.session.get(Issue, issue.id).visibility == "visible"
    assert log_entries(app) == []


# --- each action and its log entry -----------------------------------------------------------------


def test_hide_shows_a_placeholder_with_the_reason_and_tells_the_author(app, client, auth, setup, outbox):
    process, author, issue = setup
    moderator = auth.login_as("wijkregisseur")
    assert act(client, "issue", issue.id, "visibility", "hide").status_code == 302
    assert log_entries(app) == [("hide", "issue", issue.id, REASON, moderator.id)]
    assert outbox[-1].to == author.email and REASON in outbox[-1].body
    auth.logout()
    page = client.get(f"/issues/{issue.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Hangplek bij het winkelcentrum" not in text
    assert "verborgen" in text and REASON in text
    # out of the list and the API
    assert "Hangplek" not in client.get(f"/processes/{process.slug}/issues").get_data(as_text=True)
    assert client.get(f"/api/v1/issues/{issue.id}").status_code == 404
    assert client.get(f"/api/v1/processes/{process.slug}/issues").get_json()["total"] == 0
    # the author still sees their text, marked
    auth.login(author.email)
    assert "Hangplek bij het winkelcentrum" in client.get(f"/issues/{issue.id}").get_data(as_text=True)


def test_restore_after_hide(app, client, auth, setup, outbox):
    _process, _author, issue = setup
    auth.login_as("wijkregisseur")
    act(client, "issue", issue.id, "visibility", "hide")
    assert (
        act(client, "issue", issue.id, "visibility", "restore", reason="Na overleg toch binnen de regels").status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Issue, issue.id).visibility == "visible"
    assert [e[0] for e in log_entries(app)] == ["hide", "restore"]
    assert "weer zichtbaar" in outbox[-1].subject


def test_dismissing_reports_keeps_the_content_and_closes_them(app, client, auth, setup):
    _process, _author, issue = setup
    report(client, auth, "issue", issue.id, "Melder Een")
    auth.login_as("wijkregisseur")
    assert act(client, "issue", issue.id, "visibility", "dismiss").status_code == 302
    with app.app_context():
        assert db.session.get(Issue, issue.id).visibility == "visible"
        assert db.session.scalar(sa.select(Report.resolved_at)) is not None
    assert [e[0] for e in log_entries(app)] == ["dismiss"]
    assert "Niets gemeld" in client.get("/moderation").get_data(as_text=True)


def test_decline_and_merge_go_through_the_decisions(app, client, auth, setup):
    process, author, issue = setup
    other = make_issue(app, process.id, author.id, title="Jongeren bij het winkelcentrum")
    third = make_issue(app, process.id, author.id, title="Nog een onderwerp")
    auth.login_as("wijkregisseur")
    assert act(client, "issue", third.id, "decision", "decline").status_code == 302
    assert act(client, "issue", issue.id, "decision", "merge", merge_into=str(other.id)).status_code == 302
    with app.app_context():
        assert db.session.get(Issue, third.id).status == "declined"
        merged = db.session.get(Issue, issue.id)
        assert merged.status == "merged" and merged.merged_into_id == other.id
    assert [e[0] for e in log_entries(app)] == ["decline", "merge"]
    # merge without a target: an error next to the field, nothing saved
    response = act(client, "issue", other.id, "decision", "merge")
    assert response.status_code == 400 and b'id="decision-merge_into-error"' in response.data


def test_lock_closes_the_discussion_and_unlock_opens_it(app, client, auth, setup):
    _process, _author, issue = setup
    auth.login_as("wijkregisseur")
    assert act(client, "issue", issue.id, "discussion", "lock").status_code == 302
    auth.logout()
    auth.login_as("resident")
    response = client.post(
        f"/issues/{issue.id}/comments", data={"body": "Nog iets", "stance": "for", "kind": "experience"}
    )
    assert response.status_code == 403
    assert "sloot deze discussie" in client.get(f"/issues/{issue.id}").get_data(as_text=True)
    auth.logout()
    auth.login_as("wijkregisseur")
    assert (
        act(
            client, "issue", issue.id, "discussion", "unlock", reason="De rust is teruggekeerd, praat verder"
        ).status_code
        == 302
    )
    assert [e[0] for e in log_entries(app)] == ["lock", "unlock"]


def test_public_feedback_shows_on_the_issue(app, client, auth, setup, outbox):
    _process, author, issue = setup
    auth.login_as("wijkregisseur")
    text = "We nemen dit mee in het **buurtoverleg** van maart."
    response = client.post(
        f"/moderation/issue/{issue.id}",
        data={"group": "feedback", "feedback-action": "feedback", "feedback-feedback": text},
    )
    assert response.status_code == 302
    auth.logout()
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "Reactie van de wijkregisseur" in page and "<strong>buurtoverleg</strong>" in page
    assert log_entries(app)[0][:3] == ("feedback", "issue", issue.id) and outbox[-1].to == author.email
    assert client.get(f"/api/v1/issues/{issue.id}").get_json()["feedback"]["text"] == text


def test_classification_is_changed_with_a_reason_and_kept_in_history(app, client, auth, setup):
    _process, _author, issue = setup
    auth.login_as("wijkregisseur")
    data = {"domains": ["safety", "social"], "breadth": "broad", "scale": "large", "term": "long", "place": "Centrum"}
    response = client.post(f"/moderation/issue/{issue.id}/classification", data=data)
    assert response.status_code == 400 and b'id="reason-error"' in response.data  # no reason: nothing saved
    with app.app_context():
        assert db.session.get(Issue, issue.id).scale == "small"
    response = client.post(f"/moderation/issue/{issue.id}/classification", data={**data, "reason": REASON})
    assert response.status_code == 302
    with app.app_context():
        changed = db.session.get(Issue, issue.id)
        assert (changed.scale, changed.breadth, changed.place) == ("large", "broad", "Centrum")
    entry = log_entries(app)[0]
    assert entry[:3] == ("classify", "issue", issue.id)


def test_warn_suspend_and_reinstate_an_account(app, client, auth, setup, outbox):
    _process, author, _issue = setup
    auth.login_as("wijkregisseur")
    assert act(client, "user", author.id, "account", "warn").status_code == 302
    assert outbox[-1].to == author.email and REASON in outbox[-1].body
    assert act(client, "user", author.id, "account", "suspend").status_code == 302
    with app.app_context():
        assert db.session.get(User, author.id).active is False
    auth.logout()
    assert auth.login(author.email).status_code != 302  # cannot log in any more
    auth.login_as("wijkregisseur")
    assert act(client, "user", author.id, "account", "reinstate").status_code == 302
    assert [e[0] for e in log_entries(app)] == ["warn", "suspend", "reinstate"]
    auth.logout()
    assert auth.login(author.email).status_code == 302
    # the public log says an account, never whose
    public_log = client.get("/moderation/log").get_data(as_text=True)
    assert "Account geschorst" in public_log and "Annemarie" not in public_log


def test_the_neighbourhood_director_cannot_suspend_municipal_accounts(app, client, auth):
    alderman = make_user(app, role="wethouder")
    auth.login_as("wijkregisseur")
    response = act(client, "user", alderman.id, "account", "suspend")
    assert response.status_code == 302  # told it is not possible, nothing done
    with app.app_context():
        assert db.session.get(User, alderman.id).active is True
    assert log_entries(app) == []


def test_reclassify_in_the_balance_is_logged(app, client, auth, setup):
    _process, author, issue = setup
    comment_id = add_comment(app, issue.id, author.id)
    auth.login_as("wijkregisseur")
    assert act(client, "comment", comment_id, "balance", "reclassify", category="puzzling").status_code == 302
    with app.app_context():
        override = db.session.scalar(sa.select(BalanceOverride))
        assert (override.source, override.target_id, override.category) == ("comment", comment_id, "puzzling")
    entry = log_entries(app)[0]
    assert entry[:3] == ("reclassify", "comment", comment_id)
    # counting it as what it already is: an error next to the field
    response = act(client, "comment", comment_id, "balance", "reclassify", category="puzzling")
    assert response.status_code == 400 and b'id="balance-category-error"' in response.data


@pytest.mark.parametrize("group,action", [("visibility", "hide"), ("account", "warn"), ("decision", "decline")])
def test_every_action_needs_a_reason(app, client, auth, setup, group, action):
    _process, author, issue = setup
    auth.login_as("wijkregisseur")
    target = ("user", author.id) if group == "account" else ("issue", issue.id)
    response = act(client, *target, group, action, reason="  ")
    assert response.status_code == 400 and f'id="{group}-reason-error"'.encode() in response.data
    assert log_entries(app) == []
    with app.app_context():
        assert db.session.get(Issue, issue.id).status == "open"
        assert db.session.get(Issue, issue.id).visibility == "visible"


def test_a_stale_action_is_refused(app, client, auth, setup):
    _process, _author, issue = setup
    auth.login_as("wijkregisseur")
    response = act(client, "issue", issue.id, "visibility", "restore")  # it was never hidden
    assert response.status_code == 400 and log_entries(app) == []


# --- pre-moderation ----------------------------------------------------------------------------


def test_first_contributions_of_new_accounts_wait_for_a_check(app, client, auth, setup, outbox):
    process, _author, _issue = setup
    with app.app_context():
        db.session.get(Process, process.id).premoderate_first = 1
        db.session.commit()
    newcomer = auth.login_as("resident")
    data = {
        "title": "Bankjes in het park",
        "description": "Er zijn te weinig bankjes voor ouderen in het park.",
        "domains": ["social"],
        "breadth": "single",
        "scale": "small",
        "term": "short",
        "step": "publish",
    }
    response = client.post(f"/processes/{process.slug}/issues/new", data=data, follow_redirects=True)
    assert "gecontroleerd" in response.get_data(as_text=True)
    with app.app_context():
        pending = db.session.scalar(sa.select(Issue).where(Issue.title == "Bankjes in het park"))
        assert pending.visibility == "pending"
    auth.logout()
    assert "Bankjes" not in client.get(f"/processes/{process.slug}/issues").get_data(as_text=True)
    assert "wacht op een controle" in client.get(f"/issues/{pending.id}").get_data(as_text=True)

    auth.login_as("wijkregisseur")
    assert "Bankjes in het park" in client.get("/moderation").get_data(as_text=True)
    assert (
        act(client, "issue", pending.id, "visibility", "approve", reason="Gecontroleerd, prima bijdrage").status_code
        == 302
    )
    assert outbox[-1].to == newcomer.email
    auth.logout()
    assert "Bankjes" in client.get(f"/processes/{process.slug}/issues").get_data(as_text=True)
    # after one approved contribution, the next is shown at once
    auth.login(newcomer.email)
    client.post(
        f"/issues/{pending.id}/comments", data={"body": "Ook bij de vijver", "stance": "for", "kind": "experience"}
    )
    with app.app_context():
        assert db.session.scalar(sa.select(Comment.visibility)) == "visible"


def test_municipal_roles_are_never_premoderated(app, setup):
    from app.moderation.visibility import initial_visibility

    process, _author, _issue = setup
    staff = [make_user(app, role=role).id for role in ("wijkregisseur", "wethouder", "facilitator")]
    newcomer = make_user(app).id
    with app.app_context():
        process_row = db.session.get(Process, process.id)
        process_row.premoderate_first = 3
        for user_id in staff:
            assert initial_visibility(db.session.get(User, user_id), process_row) == "visible"
        assert initial_visibility(db.session.get(User, newcomer), process_row) == "pending"


def test_moderation_settings_validate_next_to_the_field(app, client, auth, setup):
    process, _author, _issue = setup
    auth.login_as("wijkregisseur")
    prefix = f"settings-{process.id}"
    response = client.post(
        f"/moderation/settings/{process.slug}",
        data={f"{prefix}-premoderate_first": "-1", f"{prefix}-auto_hide_after": "5"},
    )
    assert response.status_code == 400 and f'id="{prefix}-premoderate_first-error"'.encode() in response.data
    response = client.post(
        f"/moderation/settings/{process.slug}",
        data={f"{prefix}-premoderate_first": "2", f"{prefix}-auto_hide_after": "5"},
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Process, process.id)
        assert (saved.premoderate_first, saved.auto_hide_after) == (2, 5)


# --- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["resident", "partner", "facilitator", "wethouder", "council"])
def test_other_roles_are_refused_every_moderation_route(app, client, auth, setup, role):
    process, author, issue = setup
    auth.login_as(role, **({"org": "Vidomes"} if role == "partner" else {}))
    assert client.get("/moderation").status_code == 403
    assert act(client, "issue", issue.id, "visibility", "hide").status_code == 403
    assert act(client, "user", author.id, "account", "suspend").status_code == 403
    data = {"domains": ["safety"], "breadth": "broad", "scale": "large", "term": "long", "reason": REASON}
    assert client.post(f"/moderation/issue/{issue.id}/classification", data=data).status_code == 403
    prefix = f"settings-{process.id}"
    settings = {f"{prefix}-premoderate_first": "5", f"{prefix}-auto_hide_after": "1"}
    assert client.post(f"/moderation/settings/{process.slug}", data=settings).status_code == 403
    targets = {"phase": "issues", "puzzling": "30", "powering": "30", "participation": "40"}
    assert client.post(f"/processes/{process.slug}/balance/targets", data=targets).status_code == 403
    assert log_entries(app) == []
    with app.app_context():
        assert db.session.get(Issue, issue.id).visibility == "visible"
        assert db.session.get(Process, process.id).premoderate_first == 0
        assert db.session.get(User, author.id).active is True


def test_anonymous_visitors_are_sent_to_log_in(client, setup):
    _process, _author, issue = setup
    response = act(client, "issue", issue.id, "visibility", "hide")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- found in review -----------------------------------------------------------------------------


def test_a_hidden_issue_is_not_found_on_its_other_pages(app, client, auth, setup):
    process, author, issue = setup
    with app.app_context():
        db.session.get(Issue, issue.id).status = "shortlisted"
        db.session.get(Issue, issue.id).visibility = "hidden"
        db.session.commit()
    for path in (
        f"/issues/{issue.id}/agendas/1",
        f"/issues/{issue.id}/agendas/1/history",
        f"/issues/{issue.id}/working-group",
    ):
        assert client.get(path).status_code == 404, path
    assert "Hangplek" not in client.get(f"/processes/{process.slug}").get_data(as_text=True)
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert '<h1 class="utrecht-heading-1">' in page and "Hangplek" not in page
    auth.login_as("resident")
    assert client.get(f"/issues/{issue.id}/report").status_code == 404
    auth.logout()
    auth.login(author.email)
    assert client.get(f"/issues/{issue.id}/agendas/1").status_code == 200


def test_nothing_merges_into_or_out_of_a_hidden_issue(app, client, auth, setup):
    process, author, issue = setup
    hidden = make_issue(app, process.id, author.id, title="Verborgen onderwerp")
    with app.app_context():
        db.session.get(Issue, hidden.id).visibility = "hidden"
        db.session.commit()
    auth.login_as("wijkregisseur")
    response = act(client, "issue", issue.id, "decision", "merge", merge_into=str(hidden.id))
    assert response.status_code == 400
    assert act(client, "issue", hidden.id, "decision", "merge", merge_into=str(issue.id)).status_code == 302
    with app.app_context():
        assert db.session.get(Issue, issue.id).status == "open" and db.session.get(Issue, hidden.id).status == "open"
    response = client.post(
        f"/issues/{issue.id}/decide",
        data={"decide-decision": "merge", "decide-target_id": str(hidden.id), "decide-reason": "Samen verder hiermee"},
    )
    assert response.status_code == 400
    assert log_entries(app) == []


def test_the_queue_has_one_form_per_item_with_its_own_ids(app, client, auth, setup):
    import re

    _process, author, issue = setup
    comments = [add_comment(app, issue.id, author.id, body=f"Reactie nummer {n}") for n in range(3)]
    for comment_id in comments:
        report(client, auth, "comment", comment_id, "Melder")
    auth.login_as("wijkregisseur")
    page = client.get("/moderation").get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    target = comments[1]
    response = client.post(
        f"/moderation/comment/{target}",
        data={
            "group": "visibility",
            "prefix": f"visibility-comment-{target}",
            f"visibility-comment-{target}-action": "hide",
            f"visibility-comment-{target}-reason": REASON,
            "next": "/moderation",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation")
    assert log_entries(app) == [("hide", "comment", target, REASON, log_entries(app)[0][4])]


def test_an_account_the_administrator_suspended_is_not_the_directors_to_allow(app, client, auth):
    suspended = make_user(app, active=False)
    auth.login_as("wijkregisseur")
    assert act(client, "user", suspended.id, "account", "reinstate").status_code == 302  # told: not possible
    with app.app_context():
        assert db.session.get(User, suspended.id).active is False
    assert log_entries(app) == []


def test_approving_a_partners_first_reaction_counts_for_the_groene_loper(app, client, auth, setup):
    process, _author, issue = setup
    with app.app_context():
        db.session.get(Process, process.id).premoderate_first = 1
        db.session.commit()
    partner = auth.login_as("partner", org="Welzijn Zoetermeer")
    client.post(
        f"/issues/{issue.id}/comments", data={"body": "Wij helpen graag", "stance": "for", "kind": "experience"}
    )
    with app.app_context():
        comment = db.session.scalar(sa.select(Comment).where(Comment.author_id == partner.id))
        assert comment.visibility == "pending" and db.session.get(Issue, issue.id).first_response_at is None
    auth.logout()
    auth.login_as("wijkregisseur")
    assert (
        act(
            client, "comment", comment.id, "visibility", "approve", reason="Prima, nu zichtbaar voor iedereen"
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Issue, issue.id).first_response_at is not None
