"""Mijn pagina (/mijn): a signed-in person's own issues, reactions, support, follows, points, working groups,
covenants to sign, notifications and mail choices; never someone else's, never anything hidden of others."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import make_app, make_issue, make_process, make_user, page_text


def _comment(app, issue_id, author_id, body, parent_id=None, visibility="visible", note="", when=None):
    from app.issues.models import Comment, Issue

    with app.app_context():
        comment = Comment(
            issue_id=issue_id,
            author_id=author_id,
            body=body,
            parent_id=parent_id,
            visibility=visibility,
            moderation_note=note,
        )
        if when is not None:
            comment.created_at = when
        db.session.add(comment)
        db.session.get(Issue, issue_id).comment_count += 1
        db.session.commit()
        return comment.id


def _set(app, model_name, ident, **values):
    from app.issues import models

    with app.app_context():
        row = db.session.get(getattr(models, model_name), ident)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def _add(app, *rows_of):
    with app.app_context():
        for make in rows_of:
            db.session.add(make())
        db.session.commit()


def _login(client, user):
    response = client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 302


def _sections(html: str) -> dict[str, str]:
    """The page's sections by the id of their heading."""
    parts = re.split(r'<section class="mine-section" aria-labelledby="([^"]+)">', html)
    return {parts[i]: parts[i + 1].split("</section>")[0] for i in range(1, len(parts) - 1, 2)}


@pytest.fixture
def world(app):
    process = make_process(app, slug="wijk", phase="issues")
    me = make_user(app, name="Ik Zelf")
    other = make_user(app, name="Iemand Anders")
    return process, me, other


def test_signed_out_goes_to_login(client):
    for url in ("/mijn", "/mijn/onderwerpen", "/mijn/reacties", "/mijn/steun", "/mijn/volgend"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_unknown_list_and_bad_page_are_not_errors(client, world):
    _process, me, _other = world
    _login(client, me)
    assert client.get("/mijn/iets").status_code == 404
    assert client.get("/mijn/reacties?page=abc").status_code == 400
    assert client.get("/mijn/reacties?page=999").status_code == 200


def test_empty_page_says_what_to_do(client, world):
    _process, me, _other = world
    _login(client, me)
    html = client.get("/mijn").get_data(as_text=True)
    assert "<h1" in html and "Mijn pagina" in html
    assert "U heeft nog geen onderwerp ingediend." in html
    assert 'href="/processes/wijk/issues/new"' in html  # where to begin
    assert "U heeft nog niet gereageerd" in html


def test_my_issues_show_where_each_stands_and_not_those_of_others(app, client, world):
    from app.issues.models import IssueStatusChange

    process, me, other = world
    chosen = make_issue(app, process.id, me.id, title="Meer bankjes in het park")
    declined = make_issue(app, process.id, me.id, title="Een zwembad op het plein")
    merged = make_issue(app, process.id, me.id, title="Lantaarns aan de singel")
    withdrawn = make_issue(app, process.id, me.id, title="Hondenpoep op de stoep")
    target = make_issue(app, process.id, other.id, title="Verlichting in de hele wijk")
    make_issue(app, process.id, other.id, title="Iets van een ander")
    _set(app, "Issue", chosen.id, status="shortlisted", feedback="We pakken dit op met de gemeente.")
    _set(app, "Issue", declined.id, status="declined")
    _set(app, "Issue", merged.id, status="merged", merged_into_id=target.id)
    _set(app, "Issue", withdrawn.id, status="withdrawn")
    _add(
        app,
        lambda: IssueStatusChange(
            issue_id=chosen.id, from_status="open", to_status="shortlisted", reason="Veel steun uit de buurt."
        ),
        lambda: IssueStatusChange(
            issue_id=declined.id, from_status="open", to_status="declined", reason="Te duur voor deze pilot."
        ),
        lambda: IssueStatusChange(issue_id=merged.id, from_status="open", to_status="merged", reason="Dubbel."),
        lambda: IssueStatusChange(
            issue_id=withdrawn.id, from_status="open", to_status="withdrawn", reason="Al opgelost."
        ),
    )
    _login(client, me)
    mine = _sections(client.get("/mijn").get_data(as_text=True))["my-issues"]
    for title in ("Meer bankjes in het park", "Een zwembad op het plein", "Lantaarns aan de singel"):
        assert title in mine
    assert "Iets van een ander" not in mine
    assert "Veel steun uit de buurt." in mine and "gekozen voor een agenda" in mine
    assert "Te duur voor deze pilot." in mine and "niet gekozen" in mine
    assert f'href="/issues/{target.id}"' in mine and "Verlichting in de hele wijk" in mine  # merged into, linked
    assert "We pakken dit op met de gemeente." in mine  # the feedback
    assert "Mijn onderwerpen (4)" in mine  # the count of my own issues, the withdrawn one too
    full = client.get("/mijn/onderwerpen").get_data(as_text=True)
    assert "Hondenpoep op de stoep" in full and "ingetrokken" in full and "Al opgelost." in full
    assert "Iets van een ander" not in full


def test_an_issue_merged_into_a_hidden_one_does_not_name_it(app, client, world):
    process, me, other = world
    mine = make_issue(app, process.id, me.id, title="Mijn samengevoegde onderwerp")
    target = make_issue(app, process.id, other.id, title="GEHEIM doel")
    _set(app, "Issue", mine.id, status="merged", merged_into_id=target.id)
    _set(app, "Issue", target.id, visibility="hidden")
    _login(client, me)
    section = _sections(client.get("/mijn").get_data(as_text=True))["my-issues"]
    assert "Mijn samengevoegde onderwerp" in section and "dat nu niet te zien is" in section
    assert "GEHEIM" not in section and f'href="/issues/{target.id}"' not in section


def test_waiting_for_an_answer_in_working_days(app, client, world):
    from app.models_common import utcnow

    process, me, _other = world
    old = make_issue(app, process.id, me.id, title="Wacht al lang", created_at=utcnow() - timedelta(days=40))
    answered = make_issue(app, process.id, me.id, title="Al beantwoord")
    _set(app, "Issue", answered.id, first_response_at=utcnow())
    _login(client, me)
    html = _sections(client.get("/mijn").get_data(as_text=True))["my-issues"]
    card = html.split(f'id="my-issue-{old.id}"')[1].split("</li>")[0]
    days = int(re.search(r"(\d+) werkdagen\.", card).group(1))
    assert 26 <= days <= 30  # 40 calendar days are about 28 working days, not 40
    assert "die de gemeente belooft" in card  # the promise, without the municipality's own name for it
    card = html.split(f'id="my-issue-{answered.id}"')[1].split("</li>")[0]
    assert "antwoordde op" in card and "werkdag" not in card


def test_my_own_hidden_things_are_marked_with_the_note(app, client, world):
    process, me, other = world
    hidden = make_issue(app, process.id, me.id, title="Mijn verborgen onderwerp")
    _set(app, "Issue", hidden.id, visibility="hidden", moderation_note="Persoonlijke gegevens van een buur.")
    issue = make_issue(app, process.id, other.id, title="Een open onderwerp")
    _comment(app, issue.id, me.id, "Mijn verborgen reactie", visibility="hidden", note="Niet over het onderwerp.")
    _login(client, me)
    sections = _sections(client.get("/mijn").get_data(as_text=True))
    assert "Mijn verborgen onderwerp" in sections["my-issues"]
    assert "Persoonlijke gegevens van een buur." in sections["my-issues"]
    assert "verborgen door de moderatie" in sections["my-issues"]
    assert "Mijn verborgen reactie" in sections["my-reactions"]
    assert "Niet over het onderwerp." in sections["my-reactions"]
    assert "verborgen door de moderatie" in sections["my-reactions"]
    # someone else sees none of it
    client.post("/logout")
    _login(client, other)
    html = client.get("/mijn").get_data(as_text=True)
    assert "Mijn verborgen" not in html and "Persoonlijke gegevens" not in html


def test_replies_of_others_are_counted_and_the_latest_shown_but_never_a_hidden_one(app, client, world):
    from app.models_common import utcnow

    process, me, other = world
    third = make_user(app, name="Derde Persoon", show_name=True)
    issue = make_issue(app, process.id, other.id, title="Speeltuin opknappen")
    start = utcnow() - timedelta(hours=5)
    mine = _comment(app, issue.id, me.id, "Mijn eerste reactie", when=start)
    _comment(app, issue.id, other.id, "Eens, goed idee", parent_id=mine, when=start + timedelta(hours=1))
    _comment(app, issue.id, third.id, "Het laatste zichtbare antwoord", parent_id=mine, when=start + timedelta(hours=2))
    _comment(app, issue.id, me.id, "Mijn eigen antwoord telt niet", parent_id=mine, when=start + timedelta(hours=3))
    _comment(
        app,
        issue.id,
        other.id,
        "GEHEIM verborgen antwoord",
        parent_id=mine,
        visibility="hidden",
        when=start + timedelta(hours=4),
    )
    _comment(app, issue.id, other.id, "Een reactie van een ander", when=start)
    _login(client, me)
    section = _sections(client.get("/mijn").get_data(as_text=True))["my-reactions"]
    assert "Mijn eerste reactie" in section and "Een reactie van een ander" not in section
    card = section.split("Mijn eerste reactie")[1]
    assert "2 antwoorden van anderen" in card
    assert "Het laatste zichtbare antwoord" in card and "Derde Persoon" in card
    assert "GEHEIM" not in section
    assert f'href="/issues/{issue.id}#comment-{mine}"' in section  # the link to my reaction, at its place


def test_on_someone_elses_hidden_issue_my_reaction_stays_but_nothing_of_the_issue_shows(app, client, world):
    process, me, other = world
    issue = make_issue(app, process.id, other.id, title="GEHEIME titel")
    mine = _comment(app, issue.id, me.id, "Mijn eigen woorden")
    _comment(app, issue.id, other.id, "GEHEIM antwoord onder een verborgen onderwerp", parent_id=mine)
    _set(app, "Issue", issue.id, visibility="hidden", moderation_note="GEHEIME reden")
    _login(client, me)
    section = _sections(client.get("/mijn").get_data(as_text=True))["my-reactions"]
    assert "Mijn eigen woorden" in section and "verborgen is door de moderatie" in section
    assert (
        "GEHEIM" not in section and "Nog geen antwoorden" not in section and f'href="/issues/{issue.id}' not in section
    )


def test_links_point_to_the_page_where_a_reaction_is(app, client, world):
    from app.issues.threads import THREADS_PER_PAGE
    from app.models_common import utcnow

    process, me, other = world
    issue = make_issue(app, process.id, other.id, title="Druk besproken")
    start = utcnow() - timedelta(days=2)
    for i in range(THREADS_PER_PAGE):
        _comment(app, issue.id, other.id, f"Reactie {i}", when=start + timedelta(minutes=i))
    late = _comment(app, issue.id, me.id, "Op de tweede pagina", when=start + timedelta(hours=5))
    _login(client, me)
    html = client.get("/mijn/reacties").get_data(as_text=True)
    assert f'href="/issues/{issue.id}?page=2#comment-{late}"' in html


def test_support_follow_and_points_are_mine_only(app, client, world):
    from app.issues.models import Allocation, Ballot, Follow, PriorityRound, Support

    process, me, other = world
    a = make_issue(app, process.id, other.id, title="Ik steun dit")
    b = make_issue(app, process.id, other.id, title="Ik volg dit")
    c = make_issue(app, process.id, other.id, title="Punten voor dit")
    d = make_issue(app, process.id, me.id, title="Alleen de ander steunt dit")
    with app.app_context():
        round_ = PriorityRound(process_id=process.id, status="open", points_per_person=5, max_per_issue=3)
        db.session.add(round_)
        db.session.add_all([Support(issue_id=a.id, user_id=me.id), Support(issue_id=d.id, user_id=other.id)])
        db.session.add_all([Follow(issue_id=b.id, user_id=me.id), Follow(issue_id=a.id, user_id=other.id)])
        db.session.flush()
        mine = Ballot(round_id=round_.id, user_id=me.id, voter_role="resident", points_used=3)
        theirs = Ballot(round_id=round_.id, user_id=other.id, voter_role="resident", points_used=2)
        db.session.add_all([mine, theirs])
        db.session.flush()
        db.session.add_all(
            [
                Allocation(ballot_id=mine.id, issue_id=c.id, points=3),
                Allocation(ballot_id=theirs.id, issue_id=d.id, points=2),
            ]
        )
        db.session.commit()
    _login(client, me)
    sections = _sections(client.get("/mijn").get_data(as_text=True))
    assert "Ik steun dit" in sections["supported"] and "Alleen de ander steunt dit" not in sections["supported"]
    assert "Punten voor dit" in sections["supported"] and "3 punten" in sections["supported"]
    assert "u gaf 3 van uw 5 punten" in sections["supported"]
    assert "Ik volg dit" in sections["following"] and "Ik steun dit" not in sections["following"]
    assert (
        "Onderwerpen die ik steun (1)" in sections["supported"]
        and "Onderwerpen die ik volg (1)" in sections["following"]
    )


def test_long_lists_show_the_newest_and_link_to_a_page_of_their_own(app, client, world):
    from app.models_common import utcnow

    process, me, other = world
    issue = make_issue(app, process.id, other.id, title="Veel besproken")
    for i in range(23):
        _comment(app, issue.id, me.id, f"Reactie nummer {i:02d}", when=utcnow() - timedelta(minutes=100 - i))
    _login(client, me)
    section = _sections(client.get("/mijn").get_data(as_text=True))["my-reactions"]
    assert "Mijn reacties (23)" in section
    assert "Reactie nummer 22" in section and "Reactie nummer 18" in section and "Reactie nummer 17" not in section
    assert 'href="/mijn/reacties"' in section and "Toon al uw reacties (23)" in section
    first = client.get("/mijn/reacties").get_data(as_text=True)
    assert "Reactie nummer 03" in first and "Reactie nummer 02" not in first  # 20 a page, newest first
    assert 'href="/mijn/reacties?page=2"' in first
    second = client.get("/mijn/reacties?page=2").get_data(as_text=True)
    assert "Reactie nummer 02" in second and "Reactie nummer 00" in second and "Reactie nummer 03" not in second


def test_unfollow_from_my_page_comes_back_here_and_needs_the_csrf_token(database_url):
    """The follow route with `next`: a POST with the form's CSRF token, for the signed-in person's own follow."""
    from app.issues.models import Follow

    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    process = make_process(app, slug="wijk")
    me, other = make_user(app), make_user(app)
    issue = make_issue(app, process.id, other.id, title="Ik volg dit")
    _add(app, lambda: Follow(issue_id=issue.id, user_id=me.id))

    def follows():
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(Follow))

    signed_out = client.post(f"/issues/{issue.id}/follow", data={"action": "unfollow"})
    assert signed_out.status_code == 400 and follows() == 1  # no token, no account
    token = _token(client.get("/login").get_data(as_text=True))
    assert (
        client.post("/login", data={"email": me.email, "password": me.password, "csrf_token": token}).status_code == 302
    )
    html = client.get("/mijn").get_data(as_text=True)
    form = html.split(f'action="/issues/{issue.id}/follow"')[1].split("</form>")[0]
    assert 'value="unfollow"' in form and 'value="/mijn#following"' in form, form
    assert client.post(f"/issues/{issue.id}/follow", data={"action": "unfollow"}).status_code == 400
    assert follows() == 1
    response = client.post(
        f"/issues/{issue.id}/follow", data={"csrf_token": _token(form), "action": "unfollow", "next": "/mijn#following"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/mijn#following"
    assert follows() == 0
    assert "Ik volg dit" not in _sections(client.get("/mijn").get_data(as_text=True))["following"]


def test_unfollow_by_someone_else_leaves_my_follow(app, client, world):
    from app.issues.models import Follow

    process, me, other = world
    issue = make_issue(app, process.id, other.id, title="Ik volg dit")
    _add(app, lambda: Follow(issue_id=issue.id, user_id=me.id))
    _login(client, other)
    client.post(f"/issues/{issue.id}/follow", data={"action": "unfollow", "next": "/mijn"})
    with app.app_context():
        assert db.session.scalar(sa.select(Follow.user_id)) == me.id
    assert (
        client.post(f"/issues/{issue.id}/follow", data={"next": "https://elders.example/"}).headers["Location"]
        == f"/issues/{issue.id}"
    )  # only paths of this site


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_the_page_in_english(app, client, world):
    process, me, _other = world
    make_issue(app, process.id, me.id, title="Meer bankjes in het park")
    client.post("/language", data={"lang": "en"})
    _login(client, me)
    html = client.get("/mijn").get_data(as_text=True)
    assert '<html lang="en"' in html and '<h1 class="utrecht-heading-1">My page</h1>' in html
    for heading in ("My issues", "My reactions", "Issues I support", "Issues I follow", "My working groups"):
        assert heading in html
    assert "Mijn pagina" not in html and "Mijn onderwerpen" not in html
    assert "You have not reacted to an issue yet" in html


def test_the_page_is_linked_from_the_menu(client, world):
    _process, me, _other = world
    _login(client, me)
    html = page_text(client.get("/account"))
    assert html.count('href="/mijn"') >= 2  # the main menu and the account's menu
