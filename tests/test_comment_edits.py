"""Authors change their reaction for a while and withdraw it at any time; the earlier text stays for moderators."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.issues.models import Comment, CommentRevision, Report
from app.models_common import utcnow
from app.policy import can
from tests.conftest import PASSWORD, make_issue, make_process, make_user

FIRST = "De lantaarn bij de bushalte is al weken kapot."
CHANGED = "De lantaarn bij de bushalte op de Meerzichtlaan is al weken kapot."


def login(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def place(client, issue_id, body=FIRST, parent_id=""):
    data = {"body": body, "stance": "for", "kind": "experience", "parent_id": parent_id}
    assert client.post(f"/issues/{issue_id}/comments", data=data).status_code == 302


def newest_comment(app):
    with app.app_context():
        return db.session.scalar(sa.select(Comment).order_by(Comment.id.desc()))


def edit(client, comment_id, body=CHANGED, stance="against", kind="argument"):
    return client.post(f"/comments/{comment_id}/edit", data={"body": body, "stance": stance, "kind": kind})


def age(app, comment_id, minutes):
    with app.app_context():
        db.session.get(Comment, comment_id).created_at = utcnow() - timedelta(minutes=minutes)
        db.session.commit()


@pytest.fixture
def world(app):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    author = make_user(app, name="Sanne Schrijver", show_name=True)
    writer = login(app, author)
    place(writer, issue.id)
    return type("World", (), {"process": process, "issue": issue, "author": author, "writer": writer})


# --- changing ----------------------------------------------------------------------------------------


def test_the_author_changes_a_reaction_and_it_says_edited(app, world):
    comment = newest_comment(app)
    page = world.writer.get(f"/comments/{comment.id}/edit")
    assert page.status_code == 200 and FIRST in page.get_data(as_text=True)
    response = edit(world.writer, comment.id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#comment-{comment.id}")
    public = app.test_client().get(f"/issues/{world.issue.id}").get_data(as_text=True)
    assert "Meerzichtlaan" in public and "bewerkt op" in public
    assert FIRST not in public  # the earlier text is for moderators only
    with app.app_context():
        changed = db.session.get(Comment, comment.id)
        assert (changed.stance, changed.kind, changed.edited_at is not None) == ("against", "argument", True)
        revision = db.session.scalar(sa.select(CommentRevision))
        assert (revision.body, revision.stance, revision.edited_by_id) == (FIRST, "for", world.author.id)


def test_moderators_see_the_earlier_text_on_the_moderation_page(app, world):
    comment = newest_comment(app)
    edit(world.writer, comment.id)
    moderator = login(app, make_user(app, role="wijkregisseur"))
    page = moderator.get(f"/moderation/comment/{comment.id}").get_data(as_text=True)
    assert FIRST in page and CHANGED in page and "De schrijver heeft dit één keer veranderd" in page


def test_the_change_links_show_only_for_the_author_in_time(app, world):
    comment = newest_comment(app)
    mine = world.writer.get(f"/issues/{world.issue.id}").get_data(as_text=True)
    assert f"/comments/{comment.id}/edit" in mine and f"/comments/{comment.id}/withdraw" in mine
    other = login(app, make_user(app)).get(f"/issues/{world.issue.id}").get_data(as_text=True)
    assert f"/comments/{comment.id}/edit" not in other and f"/comments/{comment.id}/withdraw" not in other
    age(app, comment.id, 61)
    later = world.writer.get(f"/issues/{world.issue.id}").get_data(as_text=True)
    assert f"/comments/{comment.id}/edit" not in later and f"/comments/{comment.id}/withdraw" in later


def test_bad_input_is_shown_next_to_the_field_and_changes_nothing(app, world):
    comment = newest_comment(app)
    response = edit(world.writer, comment.id, body="")
    assert response.status_code == 400 and b'id="body-error"' in response.data
    response = edit(world.writer, comment.id, stance="maybe")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Comment, comment.id).body == FIRST
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentRevision)) == 0


def test_saving_the_same_text_makes_no_revision(app, world):
    comment = newest_comment(app)
    assert edit(world.writer, comment.id, body=FIRST, stance="for", kind="experience").status_code == 302
    with app.app_context():
        assert db.session.get(Comment, comment.id).edited_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentRevision)) == 0


def test_others_visitors_and_late_authors_cannot_change_a_reaction(app, world):
    comment = newest_comment(app)
    for role in ("resident", "wijkregisseur", "admin"):
        other = login(app, make_user(app, role=role))
        assert other.get(f"/comments/{comment.id}/edit").status_code == 403, role
        assert edit(other, comment.id).status_code == 403, role
    visitor = app.test_client()
    assert edit(visitor, comment.id).status_code == 302  # to login
    assert "/login" in visitor.post(f"/comments/{comment.id}/edit").headers["Location"]
    age(app, comment.id, 61)
    late = edit(world.writer, comment.id)
    assert late.status_code == 403 and "60 minuten" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Comment, comment.id).body == FIRST
    assert world.writer.post("/comments/999999/edit").status_code == 404


def test_a_hidden_reaction_or_one_on_a_closed_discussion_cannot_be_changed(app, world):
    comment = newest_comment(app)
    with app.app_context():
        db.session.get(Comment, comment.id).visibility = "hidden"
        db.session.commit()
    assert edit(world.writer, comment.id).status_code == 403
    with app.app_context():
        db.session.get(Comment, comment.id).visibility = "visible"
        from app.issues.models import Issue

        db.session.get(Issue, world.issue.id).discussion_locked = True
        db.session.commit()
    assert edit(world.writer, comment.id).status_code == 403


def test_the_edit_window_follows_the_issue_setting(app, world):
    app.config["ISSUE_EDIT_MINUTES"] = 5
    comment = newest_comment(app)
    age(app, comment.id, 6)
    assert edit(world.writer, comment.id).status_code == 403


# --- withdrawing ----------------------------------------------------------------------------------------


def test_the_author_withdraws_a_reaction_and_its_answers_stay(app, world):
    comment = newest_comment(app)
    neighbour = login(app, make_user(app))
    place(neighbour, world.issue.id, body="Dat zie ik ook, al maanden.", parent_id=comment.id)
    age(app, comment.id, 24 * 60)  # at any time, long after the edit window
    page = world.writer.get(f"/comments/{comment.id}/withdraw")
    assert page.status_code == 200 and "Teruggetrokken door de schrijver" in page.get_data(as_text=True)
    response = world.writer.post(f"/comments/{comment.id}/withdraw")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#comment-{comment.id}")
    for viewer in (app.test_client(), world.writer, neighbour):
        html = viewer.get(f"/issues/{world.issue.id}").get_data(as_text=True)
        assert "Teruggetrokken door de schrijver" in html and "Dat zie ik ook, al maanden." in html
        assert FIRST not in html
    moderator = login(app, make_user(app, role="wijkregisseur"))
    assert FIRST in moderator.get(f"/moderation/comment/{comment.id}").get_data(as_text=True)
    # sent again: it is withdrawn, as asked
    again = world.writer.post(f"/comments/{comment.id}/withdraw")
    assert again.status_code == 302
    assert edit(world.writer, comment.id).status_code == 403  # nothing to change any more


def test_a_withdrawn_reaction_leaves_the_moderation_queue(app, world):
    comment = newest_comment(app)
    with app.app_context():
        db.session.add(Report(target_type="comment", target_id=comment.id, reporter_id=world.author.id, reason="x"))
        db.session.commit()
    world.writer.post(f"/comments/{comment.id}/withdraw")
    with app.app_context():
        assert db.session.scalar(sa.select(Report.resolved_at)) is not None
    moderator = login(app, make_user(app, role="wijkregisseur"))
    assert f"/moderation/comment/{comment.id}" not in moderator.get("/moderation").get_data(as_text=True)


def test_only_the_author_can_withdraw(app, world):
    comment = newest_comment(app)
    for role in ("resident", "partner", "wijkregisseur"):
        other = login(app, make_user(app, role=role, org="Buurtkracht" if role == "partner" else None))
        assert other.get(f"/comments/{comment.id}/withdraw").status_code == 403, role
        assert other.post(f"/comments/{comment.id}/withdraw").status_code == 403, role
    visitor = app.test_client().post(f"/comments/{comment.id}/withdraw")
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    with app.app_context():
        assert db.session.get(Comment, comment.id).visibility == "visible"


def test_the_rules_for_each_role(app, world):
    comment_id = newest_comment(app).id
    stranger = make_user(app)
    with app.test_request_context():
        from flask_login import AnonymousUserMixin

        from app.accounts.models import User

        comment = db.session.get(Comment, comment_id)
        author = db.session.get(User, world.author.id)
        assert can(author, "comment.edit", comment) and can(author, "comment.withdraw", comment)
        for person in (db.session.get(User, stranger.id), AnonymousUserMixin()):
            assert not can(person, "comment.edit", comment)
            assert not can(person, "comment.withdraw", comment)
