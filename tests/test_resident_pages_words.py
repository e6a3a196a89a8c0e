"""The words and structure of the resident's own pages, as a resident on an old phone with a screen reader meets
them: links that say where they lead out of context, counts with a noun, a next step in every empty state, a
jump menu that names the sections as their headings do, no term only the municipality knows, a photo's text
read once, tables with names of their own, and the current page marked in the menus."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models_common import utcnow
from tests.conftest import make_issue, make_process, make_user


def _login(client, user):
    assert client.post("/login", data={"email": user.email, "password": user.password}).status_code == 302


def _hidden_suffixes(html: str, text: str) -> list[str]:
    """For each link whose visible text is `text`: what its visually hidden part adds ("" when nothing)."""
    found = re.findall(rf">{re.escape(text)}(?:<span class=\"visually-hidden\">([^<]*)</span>)?</a>", html)
    assert found, text
    return found


@pytest.fixture
def world(app):
    process = make_process(app, slug="wijk", phase="agendas")
    me = make_user(app, name="Ik Zelf")
    other = make_user(app, name="Iemand Anders")
    return process, me, other


def test_same_name_links_on_my_page_name_their_issue(app, client, world):
    from app.agendas.models import WorkingGroupMember
    from app.issues.models import Comment

    process, me, other = world
    first = make_issue(app, process.id, me.id, title="Bankjes in het park", status="shortlisted")
    second = make_issue(app, process.id, me.id, title="Licht op de singel", status="shortlisted")
    with app.app_context():
        for issue in (first, second):
            db.session.add(WorkingGroupMember(issue_id=issue.id, user_id=me.id, status="admitted"))
            mine = Comment(issue_id=issue.id, author_id=me.id, body="Mijn reactie")
            db.session.add(mine)
            db.session.flush()
            db.session.add(Comment(issue_id=issue.id, author_id=other.id, body="Een antwoord", parent_id=mine.id))
        db.session.commit()
    _login(client, me)
    html = client.get("/mijn").get_data(as_text=True)
    expected = sorted([": Bankjes in het park", ": Licht op de singel"])
    # on the cards of my issues and in my working groups: each agenda link names its issue
    for horizon in ("agenda voor 1 jaar", "agenda voor 5 jaar", "agenda voor 10 jaar"):
        assert sorted(set(_hidden_suffixes(html, horizon))) == expected, horizon
        assert "" not in _hidden_suffixes(html, horizon), horizon
    assert sorted(_hidden_suffixes(html, "De werkgroep")) == expected
    assert sorted(_hidden_suffixes(html, "Het antwoord lezen")) == expected


def test_the_jump_menu_uses_the_section_headings(app, client, world):
    _process, me, _other = world
    _login(client, me)
    html = client.get("/mijn").get_data(as_text=True)
    menu = html.split('aria-label="Op deze pagina"')[1].split("</nav>")[0]
    for anchor, label in re.findall(r'href="#([\w-]+)">([^<]+)</a>', menu):
        heading = re.search(rf'<h2 class="utrecht-heading-2" id="{anchor}">([^<]+)', html).group(1)
        assert heading.strip() == label, (anchor, label, heading)
    assert 'href="#mail">Mijn e-mailkeuzes</a>' in menu and 'href="#following">Onderwerpen die ik volg</a>' in menu


def test_the_groene_loper_is_not_named_to_a_resident(app, client, world):
    process, me, _other = world
    make_issue(app, process.id, me.id, title="Wacht al lang", created_at=utcnow() - timedelta(days=40))
    _login(client, me)
    html = client.get("/mijn").get_data(as_text=True)
    assert "werkdagen die de gemeente belooft." in html
    assert "Groene Loper" not in html


def test_a_full_list_counts_with_a_noun_and_is_not_a_live_region(app, client, world):
    process, me, _other = world
    make_issue(app, process.id, me.id, title="Eén onderwerp")
    _login(client, me)
    html = client.get("/mijn/onderwerpen").get_data(as_text=True)
    assert "1 onderwerp, nieuwste eerst" in html
    assert "aria-live" not in html.split("<main")[1]
    make_issue(app, process.id, me.id, title="Nog een onderwerp")
    assert "2 onderwerpen, nieuwste eerst" in client.get("/mijn/onderwerpen").get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    assert "2 issues, newest first" in client.get("/mijn/onderwerpen").get_data(as_text=True)


def test_every_empty_list_offers_a_next_step(app, client, world):
    _process, me, _other = world
    _login(client, me)
    html = client.get("/mijn").get_data(as_text=True)
    notifications = html.split('id="notifications"')[1].split("</section>")[0]
    assert 'href="/processes/wijk/issues">Bekijk de onderwerpen</a>' in notifications
    following = html.split('id="following"')[1].split("</section>")[0]
    assert 'href="/processes/wijk/issues">Bekijk de onderwerpen</a>' in following
    for name in ("reacties", "steun", "volgend"):
        page = client.get(f"/mijn/{name}").get_data(as_text=True)
        assert 'href="/processes/wijk/issues">Bekijk de onderwerpen</a>' in page, name
    page = client.get("/notifications").get_data(as_text=True)
    assert 'href="/processes">Bekijk de processen en hun onderwerpen</a>' in page


def test_without_a_process_the_next_step_is_the_processes(app, client):
    me = make_user(app)
    _login(client, me)
    page = client.get("/mijn/volgend").get_data(as_text=True)
    assert 'href="/processes">Bekijk de processen</a>' in page


def test_the_menus_mark_the_current_page(app, client, world):
    _process, me, _other = world
    _login(client, me)
    html = client.get("/notifications").get_data(as_text=True)
    header = html.split("<main")[0]
    assert re.search(r'href="/notifications" aria-current="page">Meldingen', header)
    assert not re.search(r'href="/notifications"[^>]*aria-current', client.get("/mijn").get_data(as_text=True))
    # My page carries the menu of one's own pages too, with itself marked
    main = client.get("/mijn").get_data(as_text=True).split("<main")[1]
    account = main.split('aria-label="Mijn account"')[1].split("</nav>")[0]
    assert re.search(r'href="/mijn" aria-current="page">Mijn pagina', account)
    account = client.get("/notifications").get_data(as_text=True).split("<main")[1].split("</nav>")[0]
    assert not re.search(r'href="/mijn"[^>]*aria-current', account)


def test_a_photo_text_is_read_once(app, client, auth):
    from tests.attachment_helpers import jpeg, setup_issue, upload

    _process, _author, issue = setup_issue(app, auth)
    upload(client, issue.id, (jpeg(size=(400, 300)), "IMG_1.jpg", "De kapotte schommel"))
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert 'alt="De kapotte schommel"' in html
    assert re.search(r'<figcaption class="photo-gallery__caption" aria-hidden="true">De kapotte schommel<', html)
    token = re.search(rf"/issues/{issue.id}/files/([\w-]+)/remove", html).group(1)
    page = client.get(f"/issues/{issue.id}/files/{token}/remove").get_data(as_text=True)
    assert re.search(r'<figcaption class="photo-gallery__caption" aria-hidden="true">De kapotte schommel<', page)


def test_the_mail_tables_each_have_their_own_name(app, client, auth):
    from app.mail import queue_mail

    with app.app_context():
        failed = queue_mail(kind="moderation", to="weg@example.org", subject="Mislukt", body="Tekst")
        waiting = queue_mail(kind="moderation", to="wacht@example.org", subject="Wacht", body="Tekst")
        db.session.flush()
        failed.status, failed.attempts, failed.last_error = "failed", 6, "SMTPDataError"
        waiting.status, waiting.next_attempt_at = "pending", utcnow() + timedelta(minutes=5)
        db.session.commit()
    auth.login_as("admin")
    html = client.get("/admin/mail").get_data(as_text=True)
    regions = re.findall(r'role="region"([^>]*)>', html)
    assert len(regions) == 3
    names = []
    for attributes in regions:
        assert "aria-label=" not in attributes
        caption_id = re.search(r'aria-labelledby="([^"]+)"', attributes).group(1)
        names.append(re.search(rf'<caption id="{caption_id}"[^>]*>([^<]+)</caption>', html).group(1))
    assert len(set(names)) == 3
    assert "Nog niet verstuurd</h2>" in html and "Wachten het langst" not in html
