"""A digest has one way out: its footer's link stops the whole overview, and the pages of that link name every
kind of message that then no longer comes by mail. A single topic's mail says what it is for, without claiming
a choice the person may never have made (a default)."""

from __future__ import annotations

import re

from app.extensions import db
from app.mail import queue_mail
from app.notifications.models import NotificationPreference
from tests.conftest import make_user

LINK = re.compile(r"http://localhost(/unsubscribe/[A-Za-z0-9_.-]+)")


def _mail(app, user, topic: str, language: str = "nl"):
    from app.accounts.models import User

    with app.app_context():
        db.session.get(User, user.id).language = language
        queue_mail(kind="summary", to=user.email, user=user.id, subject="Overzicht", body="Er is iets.", topic=topic)
        db.session.commit()
    return app.extensions["mail_outbox"][-1]


def _listed(html: str) -> list[str]:
    found = re.search(r'<ul class="utrecht-unordered-list">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>([^<]+)</li>", found.group(1)) if found else []


def test_the_digest_footer_stops_the_whole_overview(app, outbox):
    user = make_user(app)
    daily = _mail(app, user, "digest_daily")
    stop = LINK.search(daily.list_unsubscribe).group(0)
    assert f"Stop dit dagelijkse overzicht (alle soorten berichten hierboven): {stop}\n" in daily.body
    assert "U krijgt deze e-mail" not in daily.body
    weekly = _mail(app, user, "digest_weekly", language="en")
    stop = LINK.search(weekly.list_unsubscribe).group(0)
    assert f"Stop this weekly overview (all the kinds of message above): {stop}\n" in weekly.body


def test_a_topic_mail_names_its_topic_without_claiming_a_choice(app, outbox):
    user = make_user(app)
    mail = _mail(app, user, "issue_status")
    assert "U krijgt deze e-mail bij: Wat er met een onderwerp gebeurt.\n" in mail.body
    assert "gekozen" not in mail.body
    mail = _mail(app, user, "issue_status", language="en")
    assert "You get this e-mail for: What happened with an issue.\n" in mail.body
    assert "because" not in mail.body


def test_the_pages_of_a_digest_link_name_what_stops(app, client, outbox):
    user = make_user(app)
    with app.app_context():  # covenants daily by choice; reactions and working groups are daily by default
        db.session.add(NotificationPreference(user_id=user.id, topic="covenants", delivery="daily"))
        db.session.commit()
    path = LINK.search(_mail(app, user, "digest_daily").list_unsubscribe).group(1)
    before = client.get(path).get_data(as_text=True)
    assert "Dit overzicht gaat over deze soorten berichten" in before
    daily = ["Reacties en antwoorden", "Werkgroepen", "Convenanten"]
    assert _listed(before) == daily  # in the order of the preferences page; "at once" topics are not in it
    after = client.post(path, data={"List-Unsubscribe": "One-Click"}).get_data(as_text=True)
    assert "Deze soorten berichten krijgt u niet meer per e-mail:" in after
    assert _listed(after) == daily


def test_the_morning_mails_are_not_part_of_the_daily_overview(app, client, outbox):
    """The moderation summary and the reminder come every morning as mails of their own, with their own link."""
    user = make_user(app, role="wijkregisseur")
    path = LINK.search(_mail(app, user, "digest_daily").list_unsubscribe).group(1)
    listed = _listed(client.get(path).get_data(as_text=True))
    assert "Reacties en antwoorden" in listed
    assert "Wat wacht op controle" not in listed and "Bewoners die wachten op een antwoord" not in listed
    client.post(path, data={"List-Unsubscribe": "One-Click"})
    with app.app_context():
        from app.accounts.models import User
        from app.notifications.preferences import choices_of

        choices = choices_of(db.session.get(User, user.id))
    assert choices["reactions"].value == "none"
    assert choices["moderation_summary"].value == choices["waiting_reminder"].value == "daily"  # still coming


def test_a_single_topic_link_lists_nothing_more(app, client, outbox):
    user = make_user(app)
    path = LINK.search(_mail(app, user, "reactions").list_unsubscribe).group(1)
    assert _listed(client.get(path).get_data(as_text=True)) == []
    assert _listed(client.post(path, data={"List-Unsubscribe": "One-Click"}).get_data(as_text=True)) == []
