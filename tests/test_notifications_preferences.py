"""Choosing per topic how to hear of it by mail, and the language of the mails (/notifications/preferences)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import NotificationPreference


def _checked(html: str) -> dict[str, str]:
    """name -> value of every checked radio button on the page."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="radio"' in tag and re.search(r"\bchecked\b", tag):
            found[re.search(r'name="([^"]+)"', tag).group(1)] = re.search(r'value="([^"]+)"', tag).group(1)
    return found


def _choices(app, user_id: int) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(NotificationPreference.topic, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    return dict(rows)


def test_a_resident_sees_each_topic_with_its_hint_and_default(client, auth):
    auth.login_as("resident")
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Keuzes voor e-mail" in html
    for label in ("Reacties en antwoorden", "Wat er met een onderwerp gebeurt", "Werkgroepen", "Convenanten"):
        assert label in html, label
    assert "Iemand reageerde op uw onderwerp of gaf antwoord op uw reactie." in html
    assert "Meteen, per e-mail" in html and "Geen e-mail (u ziet het wel op deze website)" in html
    assert _checked(html) == {  # each topic's default, and the site's language
        "topic_reactions": "daily",
        "topic_issue_status": "instant",
        "topic_working_group": "daily",
        "topic_covenants": "instant",
        "topic_memberships": "instant",
        "language": "nl",
    }
    assert "moderation_summary" not in html and "waiting_reminder" not in html  # not for residents


def test_the_neighbourhood_director_also_chooses_the_morning_summaries(client, auth):
    auth.login_as("wijkregisseur")
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'name="topic_moderation_summary"' in html and 'name="topic_waiting_reminder"' in html


def test_saving_stores_every_choice_and_the_language(app, client, auth):
    from app.accounts.models import User

    user = auth.login_as("resident")
    form = {
        "topic_reactions": "none",
        "topic_issue_status": "daily",
        "topic_working_group": "weekly",
        "topic_covenants": "instant",
        "topic_memberships": "none",
        "topic_moderation_summary": "instant",  # not offered to a resident: ignored
        "language": "en",
    }
    response = client.post("/notifications/preferences", data=form, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your choices are saved." in html  # the site follows the language
    assert _choices(app, user.id) == {
        "reactions": "none",
        "issue_status": "daily",
        "working_group": "weekly",
        "covenants": "instant",
        "memberships": "none",
    }
    with app.app_context():
        assert db.session.get(User, user.id).language == "en"
    assert _checked(html) == {f"topic_{k}": v for k, v in _choices(app, user.id).items()} | {"language": "en"}


def test_a_made_up_choice_is_refused_next_to_the_field(app, client, auth):
    user = auth.login_as("resident")
    response = client.post(
        "/notifications/preferences",
        data={"topic_reactions": "hourly", "topic_issue_status": "daily", "language": "nl"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Kies een van de mogelijkheden." in html
    assert _choices(app, user.id) == {}  # nothing saved half


def test_the_page_is_linked_from_the_account_and_the_notifications(client, auth):
    auth.login_as("resident")
    assert 'href="/notifications/preferences"' in client.get("/account").get_data(as_text=True)
    assert 'href="/notifications/preferences"' in client.get("/notifications").get_data(as_text=True)
