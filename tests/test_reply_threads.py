"""Long reply threads: the issue page shows the first replies of each thread, the thread's own page the rest.

A page with thousands of replies costs the same as one with a few: the number of replies and of
SQL queries on the issue page does not grow with a thread's length.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.extensions import db
from app.issues import threads
from tests.conftest import make_issue, make_process, make_user
from tests.test_query_counts import queries


def add_thread(app, issue_id, author_id, replies: int, hidden: tuple[int, ...] = ()):
    from datetime import timedelta

    from app.issues.models import Comment
    from app.models_common import utcnow

    start = utcnow() - timedelta(days=1)
    with app.app_context():
        root = Comment(issue_id=issue_id, author_id=author_id, body="Het begin van het gesprek", created_at=start)
        db.session.add(root)
        db.session.flush()
        ids = []
        for n in range(replies):
            reply = Comment(
                issue_id=issue_id,
                author_id=author_id,
                parent_id=root.id,
                body=f"Antwoord nummer {n + 1}",
                created_at=start + timedelta(seconds=n + 1),
                visibility="hidden" if n in hidden else "visible",
                moderation_note="Niet vriendelijk" if n in hidden else "",
            )
            db.session.add(reply)
            db.session.flush()
            ids.append(reply.id)
        db.session.commit()
        return SimpleNamespace(id=root.id, reply_ids=ids)


@pytest.fixture
def issue(app):
    process = make_process(app)
    author = make_user(app)
    made = make_issue(app, process.id, author.id)
    return SimpleNamespace(id=made.id, author=author, process=process)


def shown_replies(html: str, total: int) -> list[int]:
    return [n for n in range(1, total + 1) if f"Antwoord nummer {n}<" in html]


def test_the_issue_page_shows_the_first_replies_and_links_to_the_rest(app, client, issue):
    thread = add_thread(app, issue.id, issue.author.id, replies=25)
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert shown_replies(html, 25) == list(range(1, threads.REPLIES_SHOWN + 1))
    assert f'href="/comments/{thread.id}/replies"' in html
    assert "15" in html.split(f'href="/comments/{thread.id}/replies"')[1].split("</a>")[0]  # "(15 more)"


def test_a_short_thread_has_no_link(app, client, issue):
    thread = add_thread(app, issue.id, issue.author.id, replies=3)
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert shown_replies(html, 3) == [1, 2, 3]
    assert f"/comments/{thread.id}/replies" not in html


def test_the_thread_page_shows_every_reply_a_page_at_a_time(app, client, issue, monkeypatch):
    monkeypatch.setattr(threads, "REPLIES_PER_PAGE", 10)
    thread = add_thread(app, issue.id, issue.author.id, replies=25)
    first = client.get(f"/comments/{thread.id}/replies")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "Het begin van het gesprek" in html and shown_replies(html, 25) == list(range(1, 11))
    assert f"/comments/{thread.id}/replies?page=2" in html
    html = client.get(f"/comments/{thread.id}/replies?page=3").get_data(as_text=True)
    assert shown_replies(html, 25) == list(range(21, 26))
    assert f"/issues/{issue.id}#comment-{thread.id}" in html  # back to the issue


def test_a_reply_leads_to_its_thread(app, client, issue):
    thread = add_thread(app, issue.id, issue.author.id, replies=2)
    response = client.get(f"/comments/{thread.reply_ids[1]}/replies")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/comments/{thread.id}/replies#comment-{thread.reply_ids[1]}")


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page=%C2%B2", "page=99999999999999999999999"])
def test_odd_page_numbers_are_refused_not_crashes(app, client, issue, query):
    thread = add_thread(app, issue.id, issue.author.id, replies=2)
    assert client.get(f"/comments/{thread.id}/replies?{query}").status_code == 400


def test_unknown_threads_and_hidden_issues_are_not_found(app, client, auth, issue):
    thread = add_thread(app, issue.id, issue.author.id, replies=2)
    assert client.get("/comments/999999/replies").status_code == 404
    with app.app_context():
        from app.issues.models import Issue

        db.session.get(Issue, issue.id).visibility = "hidden"
        db.session.commit()
    auth.login_as("resident")
    assert client.get(f"/comments/{thread.id}/replies").status_code == 404


def test_hidden_replies_keep_their_place_without_their_text(app, client, issue):
    thread = add_thread(app, issue.id, issue.author.id, replies=12, hidden=(11,))
    html = client.get(f"/comments/{thread.id}/replies").get_data(as_text=True)
    assert "Antwoord nummer 12<" not in html and "Niet vriendelijk" in html
    assert shown_replies(html, 11) == list(range(1, 12))


def test_the_issue_page_costs_the_same_for_a_long_thread(app, client, issue):
    add_thread(app, issue.id, issue.author.id, replies=3)
    few = queries(app, client, f"/issues/{issue.id}")
    add_thread(app, issue.id, issue.author.id, replies=300)
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert html.count("Antwoord nummer") == 3 + threads.REPLIES_SHOWN
    assert queries(app, client, f"/issues/{issue.id}") == few


def test_after_answering_a_long_thread_the_answer_is_shown(app, client, auth, issue):
    thread = add_thread(app, issue.id, issue.author.id, replies=threads.REPLIES_SHOWN + 5)
    auth.login_as("resident")
    response = client.post(
        f"/issues/{issue.id}/comments",
        data={"body": "Mijn late antwoord", "stance": "for", "kind": "experience", "parent_id": str(thread.id)},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert f"/comments/{thread.id}/replies#comment-" in location
    assert "Mijn late antwoord" in client.get(location.split("#")[0]).get_data(as_text=True)


def test_a_new_reaction_on_a_later_page_leads_to_that_page(app, client, auth, issue, monkeypatch):
    monkeypatch.setattr(threads, "THREADS_PER_PAGE", 2)
    for _ in range(2):
        add_thread(app, issue.id, issue.author.id, replies=0)
    auth.login_as("resident")
    response = client.post(
        f"/issues/{issue.id}/comments", data={"body": "De derde reactie", "stance": "for", "kind": "experience"}
    )
    location = response.headers["Location"]
    assert f"/issues/{issue.id}?page=2#comment-" in location
    assert "De derde reactie" in client.get(location.split("#")[0]).get_data(as_text=True)
