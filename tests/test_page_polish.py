"""Details every page gets right: an icon, a description of itself, a report page that shows what is
reported, the role of officials beside what they write, and hidden reactions explained to each reader."""

from __future__ import annotations

import html
import re
from datetime import date
from types import SimpleNamespace

import pytest

from app.extensions import db
from tests.conftest import make_issue, make_process, make_user


def meta_description(response) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)">', response.get_data(as_text=True))
    assert len(found) == 1, "exactly one meta description"
    return html.unescape(found[0])


def add_comment(app, issue_id, author_id, body="Een gewone reactie op dit onderwerp.", visibility="visible", note=""):
    from app.issues.models import Comment, Issue

    with app.app_context():
        comment = Comment(
            issue_id=issue_id,
            author_id=author_id,
            body=body,
            kind="experience",
            stance="neutral",
            visibility=visibility,
        )
        comment.moderation_note = note
        db.session.add(comment)
        db.session.get(Issue, issue_id).comment_count += 1
        db.session.commit()
        return comment.id


def hide(app, model, row_id, visibility="hidden", note="Dit is reclame."):
    with app.app_context():
        row = db.session.get(model, row_id)
        row.visibility = visibility
        row.moderation_note = note
        db.session.commit()


@pytest.fixture
def world(app):
    process = make_process(app, slug="buytenwegh", name="Wijk van de toekomst Test")
    author = make_user(app, name="Fatima Bewoner", show_name=True)
    issue = make_issue(
        app,
        process.id,
        author.id,
        title="Bankjes in het park",
        description="Ouderen willen **even zitten** als ze een rondje lopen. Nu zijn er geen bankjes.",
    )
    return SimpleNamespace(process=process, author=author, issue=issue)


# --- the icon --------------------------------------------------------------------------------------


def test_favicon_ico_answers_with_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data and b"http://www.w3.org/2000/svg" in response.data
    assert "max-age" in response.headers["Cache-Control"]


def test_every_page_links_its_icons_and_they_exist(app, client, world):
    for url in ("/", "/login", f"/issues/{world.issue.id}", "/bestaat-niet"):
        page = client.get(url).get_data(as_text=True)
        assert '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">' in page, url
        assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">' in page, url
    assert client.get("/static/icons/favicon.svg").status_code == 200
    png = client.get("/static/icons/apple-touch-icon.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")


# --- meta descriptions ----------------------------------------------------------------------------


def test_pages_have_a_meta_description_with_a_sensible_default(client):
    text = meta_description(client.get("/"))
    assert "Bewoners en partners" in text and len(text) > 60
    assert meta_description(client.get("/login")) == text  # pages without their own keep the default


def test_process_and_issue_pages_describe_themselves_in_plain_text(client, world):
    process_text = meta_description(client.get("/processes/buytenwegh"))
    assert process_text == "Een test."  # the process's description, without its Markdown
    issue_text = meta_description(client.get(f"/issues/{world.issue.id}"))
    assert issue_text.startswith("Ouderen willen even zitten als ze een rondje lopen.")
    assert "**" not in issue_text and "<" not in issue_text
    list_text = meta_description(client.get("/processes/buytenwegh/issues"))
    assert "Teststad" in list_text and list_text != process_text


def test_a_long_issue_is_cut_to_a_short_description(client, app, world):
    long = make_issue(app, world.process.id, world.author.id, title="Lang", description="Woord " * 400)
    assert len(meta_description(client.get(f"/issues/{long.id}"))) <= 160


def test_a_hidden_issue_does_not_describe_itself(app, client, world):
    from app.issues.models import Issue

    hide(app, Issue, world.issue.id)
    response = client.get(f"/issues/{world.issue.id}")
    assert meta_description(response) == "Dit onderwerp wordt niet getoond."
    assert "even zitten" not in response.get_data(as_text=True)


def test_council_and_covenant_pages_describe_themselves(app, client, world):
    from app.council import services as council
    from tests.covenant_helpers import make_covenant

    with app.app_context():
        position = council.record_position(
            None,
            council.PositionData(
                process_id=world.process.id,
                kind="council_decision",
                decided_on=date(2026, 3, 19),
                reference="2026/028",
                title="Raadsbesluit pilot",
                outcome="approved",
                summary="De raad stemt **in** met de pilot.",
            ),
        )
        db.session.commit()
        position_id = position.id
    assert meta_description(client.get(f"/council/positions/{position_id}")) == "De raad stemt in met de pilot."
    assert "gemeenteraad" in meta_description(client.get("/council"))
    covenant = make_covenant(app, title="Veilig fietspad")
    text = meta_description(client.get(f"/covenants/{covenant.covenant_id}"))
    assert "Veilig fietspad" in text and "ondertekend" in text
    assert "Convenanten" in meta_description(client.get("/covenants/"))


# --- the report page shows what is reported --------------------------------------------------------


def test_reporting_an_issue_quotes_it(client, auth, world):
    auth.login_as("resident")
    page = client.get(f"/issues/{world.issue.id}/report").get_data(as_text=True)
    assert "Wat u meldt" in page
    quote = page.split("Wat u meldt", 1)[1].split("</section>", 1)[0]
    assert "Bankjes in het park" in quote and "Ouderen willen even zitten" in quote and "Fatima Bewoner" in quote


def test_reporting_a_reaction_quotes_the_reaction_not_the_issue(app, client, auth, world):
    commenter = make_user(app, name="Kees", show_name=True)
    comment_id = add_comment(app, world.issue.id, commenter.id, body="Koop eerst *goedkope* bankjes bij ons!")
    auth.login_as("resident")
    page = client.get(f"/comments/{comment_id}/report").get_data(as_text=True)
    quote = page.split("Wat u meldt", 1)[1].split("</section>", 1)[0]
    assert "Koop eerst goedkope bankjes bij ons!" in quote and "Kees" in quote
    assert "Ouderen willen" not in quote


def test_a_hidden_reaction_cannot_be_reported_or_quoted(app, client, auth, world):
    commenter = make_user(app)
    comment_id = add_comment(app, world.issue.id, commenter.id, body="Geheime reclametekst", visibility="hidden")
    auth.login_as("resident")
    response = client.get(f"/comments/{comment_id}/report")
    assert response.status_code == 404
    assert "Geheime reclametekst" not in response.get_data(as_text=True)


# --- officials carry their role --------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,badge",
    [
        ("wijkregisseur", "wijkregisseur"),
        ("facilitator", "begeleider"),
        ("wethouder", "wethouder"),
        ("council", "gemeenteraad"),
    ],
)
def test_reactions_of_officials_carry_their_role(app, client, world, role, badge):
    official = make_user(app, role=role, name="Anna de Vries", show_name=True)
    add_comment(app, world.issue.id, official.id, body="Wij komen volgende week kijken.")
    page = client.get(f"/issues/{world.issue.id}").get_data(as_text=True)
    meta = page.split("Wij komen volgende week kijken.", 1)[0].rsplit('class="comment__meta"', 1)[1]
    assert "Anna de Vries" in meta and f'<span class="tag tag--official">{badge}</span>' in meta


def test_an_official_without_a_public_name_shows_the_role_once(app, client, world):
    official = make_user(app, role="wijkregisseur", show_name=False)
    add_comment(app, world.issue.id, official.id, body="Dank voor het melden.")
    page = client.get(f"/issues/{world.issue.id}").get_data(as_text=True)
    meta = page.split("Dank voor het melden.", 1)[0].rsplit('class="comment__meta"', 1)[1]
    assert meta.count("wijkregisseur") == 1 and "tag--official" in meta


def test_residents_and_partners_carry_no_role_badge(app, client, world):
    partner = make_user(app, role="partner", org="Stichting Piëzo")
    add_comment(app, world.issue.id, partner.id)
    page = client.get(f"/issues/{world.issue.id}").get_data(as_text=True)
    assert "tag--official" not in page


def test_the_issue_page_and_list_show_the_role_of_an_official_author(app, client, world):
    official = make_user(app, role="facilitator", name="Lisa Vermeulen", show_name=True)
    issue = make_issue(app, world.process.id, official.id, title="Koffieochtend in de bibliotheek")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert re.search(r'Voorgesteld door Lisa Vermeulen <span class="tag tag--official">begeleider</span>', page)
    listing = client.get("/processes/buytenwegh/issues").get_data(as_text=True)
    assert 'door Lisa Vermeulen <span class="tag tag--official">begeleider</span>' in listing


def test_what_an_official_enters_for_a_meeting_carries_no_role(app):
    """The hook for meeting input: a contribution that points to a meeting speaks for its participants."""
    from app.accounts.models import User
    from app.accounts.officials import official_role

    with app.app_context():
        person = User(role="facilitator")
        assert official_role(SimpleNamespace(author=person)).value == "facilitator"
        assert official_role(SimpleNamespace(author=person, meeting_id=7)) is None
        assert official_role(SimpleNamespace(author=User(role="resident"))) is None
        assert official_role(SimpleNamespace(author=None)) is None


# --- each reader sees the note meant for them on hidden reactions ----------------------------------


@pytest.fixture
def hidden_reaction(app, world):
    writer = make_user(app)
    comment_id = add_comment(
        app, world.issue.id, writer.id, body="Een reactie met reclame.", visibility="hidden", note="Dit is reclame."
    )
    return SimpleNamespace(writer=writer, comment_id=comment_id)


def _placeholder(client, issue_id) -> str:
    page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
    return page.split('class="moderation-placeholder"', 1)[1].split("</div>", 1)[0]


def test_the_author_of_a_hidden_reaction_reads_that_only_they_and_moderators_see_it(
    client, auth, world, hidden_reaction
):
    auth.login(hidden_reaction.writer.email)
    note = _placeholder(client, world.issue.id)
    assert "Alleen u en de moderatoren zien de tekst hieronder." in note and "Dit is reclame." in note


def test_a_moderator_reads_a_note_for_moderators_not_the_authors_note(client, auth, world, hidden_reaction):
    auth.login_as("wijkregisseur")
    note = _placeholder(client, world.issue.id)
    assert "Alleen u en de moderatoren" not in note
    assert "Verborgen voor anderen. U ziet de tekst omdat u moderator bent." in note and "Dit is reclame." in note


@pytest.mark.parametrize(
    "visibility,expected",
    [
        ("pending", "Anderen zien deze reactie pas als een moderator haar goedkeurt."),
        ("auto_hidden", "Vanzelf verborgen na meldingen"),
    ],
)
def test_a_moderator_reads_why_a_reaction_is_not_shown(app, client, auth, world, visibility, expected):
    from app.issues.models import Comment

    writer = make_user(app)
    comment_id = add_comment(app, world.issue.id, writer.id, body="Nog niet gecontroleerd.")
    hide(app, Comment, comment_id, visibility=visibility, note="")
    auth.login_as("wijkregisseur")
    assert expected in _placeholder(client, world.issue.id)


def test_others_read_neither_note_nor_text(client, auth, world, hidden_reaction):
    auth.login_as("resident")
    note = _placeholder(client, world.issue.id)
    assert "moderator" not in note.replace("moderatie", "")
    assert "Een reactie met reclame." not in client.get(f"/issues/{world.issue.id}").get_data(as_text=True)


def test_hidden_issue_notes_differ_for_author_and_moderator(app, client, auth, world):
    from app.issues.models import Issue

    hide(app, Issue, world.issue.id)
    auth.login(world.author.email)
    assert "Alleen u en de moderatoren zien het onderwerp hieronder." in _placeholder(client, world.issue.id)
    auth.logout()
    auth.login_as("wijkregisseur")
    note = _placeholder(client, world.issue.id)
    assert "Anderen zien dit onderwerp niet. U ziet het omdat u moderator bent." in note
    assert "Alleen" not in note
