"""The words on the e-mail choices page: each topic's hint names what it holds (working groups under
memberships, answers to your reaction under an issue's news), and the names of the languages are marked with
their own language (WCAG 3.1.2)."""

from __future__ import annotations

import re

from app.notifications.kinds import KINDS


def _label(html: str, value: str) -> str:
    """The <label> of the language radio button with this value."""
    input_id = re.search(rf'<input[^>]*name="language"[^>]*value="{value}"[^>]*>', html).group(0)
    input_id = re.search(r'id="([^"]+)"', input_id).group(1)
    return re.search(rf'<label[^>]*for="{input_id}"[^>]*>[^<]*</label>', html).group(0)


def test_the_memberships_hint_names_working_groups(client, auth):
    assert KINDS["working_group_admitted"].topic == KINDS["working_group_rejected"].topic == "memberships"
    auth.login_as("resident")
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Uw lidmaatschap van een organisatie of een werkgroep is goedgekeurd of niet." in html
    client.post("/language", data={"lang": "en"})
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Your membership of an organisation or a working group was approved or not." in html


def test_each_language_is_named_in_its_own_language(client, auth):
    auth.login_as("resident")
    for site_language in ("nl", "en"):
        client.post("/language", data={"lang": site_language})
        html = client.get("/notifications/preferences").get_data(as_text=True)
        assert f'<html lang="{site_language}"' in html
        nl, en = _label(html, "nl"), _label(html, "en")
        assert 'lang="nl"' in nl and nl.endswith(">Nederlands</label>")
        assert 'lang="en"' in en and en.endswith(">English</label>")


def test_the_issue_status_hint_names_an_answer_to_ones_reaction(client, auth):
    """An answer placed under your reaction reaches you in that topic (tests/test_notifications_reply_audience.py)."""
    auth.login_as("resident")
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Of de gemeente of een partner gaf antwoord op uw reactie." in html


def test_a_morning_summary_is_offered_daily_or_not_at_all(client, auth):
    """The moderation summary and the Groene Loper reminder exist once a morning: no 'at once' or 'weekly' that
    would silently mean daily. Facilitators, who cannot act on the moderation queue, are not offered it."""
    auth.login_as("wijkregisseur")
    html = client.get("/notifications/preferences").get_data(as_text=True)
    for topic in ("moderation_summary", "waiting_reminder"):
        values = set(re.findall(rf'name="topic_{topic}"[^>]*value="(\w+)"', html)) | set(
            re.findall(rf'value="(\w+)"[^>]*name="topic_{topic}"', html)
        )
        assert values == {"daily", "none"}, (topic, values)
    assert "weekly" in html  # other topics keep the weekly digest
    auth.logout()
    auth.login_as("facilitator")
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "topic_moderation_summary" not in html


def test_the_page_speaks_of_kinds_of_message_not_of_issues(client, auth):
    """ "Per onderwerp" reads as "per issue" (an onderwerp is an issue here): it chooses per kind of message."""
    auth.login_as("resident")
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Kies per soort bericht hoe u het wilt horen. U ziet alles altijd op de pagina" in html
    assert re.search(r'op de pagina <a class="utrecht-link" href="/notifications">Meldingen</a>\.</p>', html)
    assert "Kies per soort bericht of u meteen een e-mail krijgt" in html  # the page's description
    assert "per onderwerp" not in html
    client.post("/language", data={"lang": "en"})
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Choose per kind of message how you want to hear about it." in html


def test_a_morning_mail_is_offered_as_a_separate_mail(client, auth):
    """The moderation summary and the reminder are mails of their own every morning, not part of the daily
    overview: their choice says so, on this page and on Mijn pagina; the other topics keep the daily overview."""
    auth.login_as("wijkregisseur")
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert html.count("Elke ochtend, een aparte e-mail") == 2
    assert html.count("Eén keer per dag, in één e-mail") == 5  # each of the five topics a digest holds
    assert "Elke ochtend: gemelde bijdragen, bijdragen om te controleren en lidmaatschappen om goed te keuren." in html
    assert "meldingen van misbruik" not in html  # "meldingen" are a resident's notifications
    mine = client.get("/mijn").get_data(as_text=True)
    assert mine.count("<strong>Elke ochtend, een aparte e-mail</strong>") == 2
