"""A form sent twice (back and send again, a double click, a slow line) makes one thing, and the second
sending shows what the first one made (app/submissions.py)."""

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import HTTPException

from app.agendas.models import ConsentAnswer, IssueLink
from app.council.models import CouncilPosition
from app.extensions import db
from app.issues.models import Comment, Issue, IssueStatusChange, Report
from app.models_common import utcnow
from app.moderation.models import ModerationAction
from app.submissions import Submission, expire, remember
from tests.conftest import PASSWORD, make_issue, make_process, make_user
from tests.test_agendas import browser_for, current, texts
from tests.test_agendas import setup as agenda_setup
from tests.test_consent_and_links import READY, answer, consent
from tests.test_council import form as council_form
from tests.test_council import setting  # noqa: F401 (a fixture)

TOKEN = "Vz3kq8Hn1LxP0aW7tQe2Rb"
AGAIN = "Dit had u al verstuurd; hier is het."


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def twice(client, url, data, field="submission_id", token=TOKEN):
    """Send the same rendered form twice: the same fields and the same one-time token."""
    data = {**data, field: token}
    return client.post(url, data=data), client.post(url, data=data)


def shows_again(client, response, where: str) -> None:
    """The second sending went back to what the first one made, with the calm message."""
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert where in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert AGAIN in page


def comment_data(body="Bij de bushalte is het 's avonds erg donker.", parent_id=""):
    return {"body": body, "stance": "for", "kind": "experience", "parent_id": parent_id}


@pytest.fixture
def discussion(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    resident = auth.login_as("resident")
    return process, issue, resident


# --- the token ------------------------------------------------------------------------------------


def tokens(html: str, name: str = "submission_id") -> list[str]:
    return re.findall(rf'name="{name}" type="hidden" value="([^"]+)"', html) or re.findall(
        rf'type="hidden" name="{name}" value="([^"]+)"', html
    )


def test_every_rendering_of_a_form_gets_its_own_token(app, client, discussion):
    _process, issue, _resident = discussion
    first = tokens(client.get(f"/issues/{issue.id}").get_data(as_text=True))
    second = tokens(client.get(f"/issues/{issue.id}").get_data(as_text=True))
    assert len(first) == 1 and len(second) == 1 and first != second


# --- reactions, replies and issues ------------------------------------------------------------------


def test_a_reaction_sent_twice_is_placed_once_and_the_second_shows_it(app, client, discussion):
    _process, issue, _resident = discussion
    first, second = twice(client, f"/issues/{issue.id}/comments", comment_data())
    assert first.status_code == 302
    assert count(app, Comment) == 1
    with app.app_context():
        comment_id = db.session.scalar(sa.select(Comment.id))
        assert db.session.get(Issue, issue.id).comment_count == 1
    shows_again(client, second, f"/issues/{issue.id}#comment-{comment_id}")


def test_a_reply_sent_twice_is_placed_once(app, client, discussion):
    _process, issue, _resident = discussion
    client.post(f"/issues/{issue.id}/comments", data=comment_data("Eerste reactie hier."))
    with app.app_context():
        parent_id = db.session.scalar(sa.select(Comment.id))
    _first, second = twice(client, f"/issues/{issue.id}/comments", comment_data("Eens!", parent_id=parent_id))
    assert count(app, Comment, Comment.parent_id == parent_id) == 1
    shows_again(client, second, f"/issues/{issue.id}#comment-")


def test_without_a_token_reactions_are_placed_as_before(app, client, discussion):
    _process, issue, _resident = discussion
    for body in ("Eerste reactie zonder token.", "Tweede reactie zonder token."):
        assert client.post(f"/issues/{issue.id}/comments", data=comment_data(body)).status_code == 302
    assert count(app, Comment) == 2


@pytest.mark.parametrize("token", ["kort", "x" * 65, "<script>alert(1)</script>", "Vz3kq8Hn1LxP0aW7tQe2Rb\n"])
def test_a_malformed_token_counts_as_none(app, client, discussion, token):
    _process, issue, _resident = discussion
    response = client.post(f"/issues/{issue.id}/comments", data={**comment_data(), "submission_id": token})
    assert response.status_code == 302
    assert count(app, Comment) == 1 and count(app, Submission) == 0


def test_the_same_reaction_from_a_page_fetched_again_is_placed_once(app, client, discussion):
    """Going back fetches the page again (signed-in pages are not cached): a new token, the typed text kept."""
    _process, issue, _resident = discussion
    client.post(f"/issues/{issue.id}/comments", data={**comment_data(), "submission_id": "A" * 22})
    again = client.post(f"/issues/{issue.id}/comments", data={**comment_data(), "submission_id": "B" * 22})
    assert count(app, Comment) == 1
    shows_again(client, again, f"/issues/{issue.id}#comment-")
    other = client.post(
        f"/issues/{issue.id}/comments", data={**comment_data("Iets anders."), "submission_id": "C" * 22}
    )
    assert other.status_code == 302 and count(app, Comment) == 2


def test_the_same_reaction_much_later_is_a_new_reaction(app, client, discussion):
    _process, issue, _resident = discussion
    client.post(f"/issues/{issue.id}/comments", data=comment_data())
    with app.app_context():
        db.session.execute(sa.update(Comment).values(created_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    client.post(f"/issues/{issue.id}/comments", data=comment_data())
    assert count(app, Comment) == 2


def test_a_token_belongs_to_one_person(app, client, discussion):
    _process, issue, _resident = discussion
    client.post(f"/issues/{issue.id}/comments", data={**comment_data(), "submission_id": TOKEN})
    neighbour = app.test_client()
    person = make_user(app)
    neighbour.post("/login", data={"email": person.email, "password": PASSWORD})
    response = neighbour.post(f"/issues/{issue.id}/comments", data={**comment_data(), "submission_id": TOKEN})
    assert response.status_code == 302 and count(app, Comment) == 2


def issue_data(title="Bankjes bij de vijver"):
    return {
        "title": title,
        "description": "Er is nergens een plek om even uit te rusten bij de vijver.",
        "domains": ["physical"],
        "breadth": "single",
        "scale": "small",
        "term": "short",
        "step": "publish",
    }


def test_a_new_issue_sent_twice_is_proposed_once(app, client, discussion):
    process, _issue, _resident = discussion
    first, second = twice(client, f"/processes/{process.slug}/issues/new", issue_data())
    assert first.status_code == 302
    assert count(app, Issue, Issue.title == "Bankjes bij de vijver") == 1
    shows_again(client, second, first.headers["Location"])
    # the same text from a form rendered again (another token, the similar-issues step first)
    again = client.post(
        f"/processes/{process.slug}/issues/new", data={**issue_data(), "step": "check", "submission_id": "D" * 22}
    )
    assert count(app, Issue, Issue.title == "Bankjes bij de vijver") == 1
    shows_again(client, again, first.headers["Location"])


def test_a_report_sent_twice_is_filed_once_without_an_error(app, client, discussion):
    _process, issue, _resident = discussion
    first, second = twice(client, f"/issues/{issue.id}/report", {"reason": "Dit is reclame voor een winkel."})
    assert first.status_code == 302 and count(app, Report) == 1
    shows_again(client, second, f"/issues/{issue.id}")


# --- the other forms that make something ----------------------------------------------------------


def test_a_council_position_sent_twice_is_recorded_once(app, client, auth, setting):  # noqa: F811
    auth.login_as("council")
    first, second = twice(client, "/council/positions/new", council_form(setting))
    assert first.status_code == 302 and count(app, CouncilPosition) == 1
    shows_again(client, second, first.headers["Location"])


def test_a_decision_sent_twice_is_recorded_once(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    auth.login_as("wethouder")
    data = {"decide-decision": "shortlist", "decide-reason": "Veel steun en het raakt de veiligheid."}
    first, second = twice(client, f"/issues/{issue.id}/decide", data, field="decide-submission_id")
    assert first.status_code == 302
    assert count(app, IssueStatusChange, IssueStatusChange.to_status == "shortlisted") == 1
    shows_again(client, second, f"/issues/{issue.id}")  # not "this is no longer possible"


def test_withdrawing_an_issue_sent_twice_is_recorded_once(app, client, auth):
    process = make_process(app, phase="issues")
    author = auth.login_as("resident")
    issue = make_issue(app, process.id, author.id)
    first, second = twice(client, f"/issues/{issue.id}/withdraw", {"reason": "Het is al opgelost door de gemeente."})
    assert first.status_code == 302
    assert count(app, IssueStatusChange, IssueStatusChange.to_status == "withdrawn") == 1
    shows_again(client, second, f"/issues/{issue.id}")


def test_a_moderation_action_sent_twice_is_taken_once(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    auth.login_as("wijkregisseur")
    data = {"group": "visibility", "visibility-action": "hide", "visibility-reason": "Dit noemt iemands adres."}
    first, second = twice(client, f"/moderation/issue/{issue.id}", data, field="visibility-submission_id")
    assert first.status_code == 302 and count(app, ModerationAction) == 1
    shows_again(client, second, f"/moderation/issue/{issue.id}")


def test_an_agenda_link_sent_twice_is_made_once(app):
    process, issue = agenda_setup(app)
    other = make_issue(app, process.id, make_user(app).id, title="Jongeren en werk", status="shortlisted")
    partner, _ = browser_for(app)
    data = {"link-target": f"{other.id}:", "link-kind": "reinforces", "link-note": "Samen sterker.", "horizon": "1"}
    first, second = twice(partner, f"/issues/{issue.id}/links", data, field="link-submission_id")
    assert first.status_code == 302 and count(app, IssueLink) == 1
    shows_again(partner, second, f"/issues/{issue.id}/agendas/1#links")


def test_a_new_activity_sent_twice_is_added_once(app):
    _process, issue = agenda_setup(app)
    partner, _ = browser_for(app)
    data = {"base": "0", "message": "nieuw", "title": "Buurtavond", "status": "proposed"}
    first, second = twice(partner, f"/issues/{issue.id}/agendas/1/activities/new", data)
    assert first.status_code == 302
    assert [item["title"] for item in current(app, issue)[1]["items"]] == ["Buurtavond"]
    shows_again(partner, second, f"/issues/{issue.id}/agendas/1")


def test_a_consent_answer_and_the_answer_to_an_objection_sent_twice_count_once(app):
    _process, issue = agenda_setup(app)
    partner, _ = browser_for(app)
    director, _ = browser_for(app, role="wijkregisseur")
    objector, _ = browser_for(app, role="partner", org="De Goede Woning")
    texts(partner, issue, 0, **READY)
    consent(director, issue, "open")
    url = f"/issues/{issue.id}/agendas/1/consent/answer"
    first, second = twice(objector, url, {"answer": "object", "reason": "De kosten voor verlichting ontbreken nog."})
    assert first.status_code == 302 and count(app, ConsentAnswer) == 1
    shows_again(objector, second, f"/issues/{issue.id}/agendas/1#consent")
    with app.app_context():
        objection_id = db.session.scalar(sa.select(ConsentAnswer.id))
    respond = {"response": "Staat nu in de begroting.", "with_revision": ""}
    first, second = twice(director, f"/consent-answers/{objection_id}/respond", respond, token="R" * 22)
    assert first.status_code == 302
    with app.app_context():
        assert db.session.get(ConsentAnswer, objection_id).response == "Staat nu in de begroting."
    shows_again(director, second, f"/issues/{issue.id}/agendas/1#consent")
    answer(partner, issue, "agree")  # the ordinary path still works
    assert count(app, ConsentAnswer) == 2


# --- a page fetched again (going back in a browser that does not keep the page) --------------------


def test_the_same_fields_from_a_page_fetched_again_make_nothing_new(app, client, auth, setting):  # noqa: F811
    """A new token, but the same fields to the same address a moment later: the same sending."""
    auth.login_as("council")
    first = client.post("/council/positions/new", data={**council_form(setting), "submission_id": "A" * 22})
    again = client.post("/council/positions/new", data={**council_form(setting), "submission_id": "B" * 22})
    assert count(app, CouncilPosition) == 1
    shows_again(client, again, first.headers["Location"])
    other = client.post(
        "/council/positions/new", data={**council_form(setting, title="Een andere motie"), "submission_id": "C" * 22}
    )
    assert other.status_code == 302 and count(app, CouncilPosition) == 2


def test_a_new_activity_from_a_page_fetched_again_is_added_once(app):
    """The page fetched again is based on the next revision: that field does not make it different."""
    _process, issue = agenda_setup(app)
    partner, _ = browser_for(app)
    data = {"message": "nieuw", "title": "Buurtavond", "status": "proposed"}
    url = f"/issues/{issue.id}/agendas/1/activities/new"
    partner.post(url, data={**data, "base": "0", "submission_id": "A" * 22})
    again = partner.post(url, data={**data, "base": "1", "submission_id": "B" * 22})
    assert [item["title"] for item in current(app, issue)[1]["items"]] == ["Buurtavond"]
    shows_again(partner, again, f"/issues/{issue.id}/agendas/1")


# --- at the same moment ---------------------------------------------------------------------------


def test_two_identical_submissions_at_once_make_one_thing(app, setting):  # noqa: F811
    """Several copies of the same form at the same moment: one position, and every copy gets an answer."""
    clerk = make_user(app, role="council")
    clients = []
    for _ in range(5):
        browser = app.test_client()
        assert browser.post("/login", data={"email": clerk.email, "password": PASSWORD}).status_code == 302
        clients.append(browser)
    data = {**council_form(setting), "submission_id": TOKEN}
    barrier, statuses = threading.Barrier(len(clients)), []

    def send(browser):
        barrier.wait()
        statuses.append(browser.post("/council/positions/new", data=data).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [302] * len(clients)
    assert count(app, CouncilPosition) == 1 and count(app, Submission) == 1


def test_the_copy_that_loses_the_race_undoes_everything_it_did(app):
    """The other copy committed between this one's check and its save: this one rolls back and points there."""
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    person = make_user(app)
    with app.app_context():
        db.session.add(Submission(user_id=person.id, token=TOKEN, endpoint="x", kind="comment", url="/elders#hier"))
        db.session.commit()
    with app.test_request_context("/issues/1/comments", method="POST", data={"submission_id": TOKEN}):
        from flask_login import login_user

        from app.accounts.models import User

        login_user(db.session.get(User, person.id))
        db.session.add(Comment(issue_id=issue.id, author_id=person.id, body="Dubbel", stance="for", kind="question"))
        db.session.flush()
        with pytest.raises(HTTPException) as raised:
            remember("comment", 1, "/issues/1#comment-1")
        assert raised.value.response.status_code == 302
        assert raised.value.response.headers["Location"] == "/elders#hier"
        db.session.commit()
    assert count(app, Comment) == 0


# --- old tokens ----------------------------------------------------------------------------------


def test_tokens_older_than_two_days_are_tidied_when_forms_are_saved(app, client, discussion):
    _process, issue, resident = discussion
    with app.app_context():
        for days, token in ((3, "O" * 22), (1, "N" * 22)):
            db.session.add(
                Submission(
                    user_id=resident.id,
                    token=token,
                    endpoint="issues.comment",
                    kind="comment",
                    url="/",
                    created_at=utcnow() - timedelta(days=days),
                )
            )
        db.session.commit()
    client.post(f"/issues/{issue.id}/comments", data={**comment_data(), "submission_id": TOKEN})
    with app.app_context():
        assert set(db.session.scalars(sa.select(Submission.token))) == {"N" * 22, TOKEN}
        assert expire(now=utcnow() + timedelta(days=3)) == 2
