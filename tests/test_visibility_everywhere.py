"""Hidden and unchecked issues and reactions reach nobody but their authors and the moderators: not on any
page, form dropdown, flash message, API answer or export (app/issues/visibility.py, issue #12 point 10).

One world, built on the demo: an issue that was shortlisted, given an agreed agenda, linked from another
issue, named by a council position, supported, followed, reported and reacted to, and then hidden; an
issue merged into another and hidden after; a hidden, an automatically hidden and a pending reaction; and
a pending issue. Every text of theirs carries the marker SECRET. Then every GET route of the URL map is
walked with those objects as path parameters, as a visitor, a resident and a partner, following redirects
(so flash messages are read too), and no answer may contain the marker.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.routing import AnyConverter, IntegerConverter

from app.extensions import db
from app.workdays import today as local_today
from tests.conftest import make_issue, make_user

SECRET = "Q7X"
DEMO_PASSWORD = "lantaarn-fiets-dinsdag-42"
SLUG = "buytenwegh"
WINKELGEBIED = "Winkelgebied Buytenwegh: veiliger en prettiger, ook 's avonds"
JONGEREN = "Een eigen plek en meer jongerenwerk voor jongeren"
CESAR = "Cesar Franckrode: samen werken aan een fijne en veilige buurt"


# --- the world ------------------------------------------------------------------------------------


def _issue(title: str):
    from app.issues.models import Issue

    return db.session.scalar(sa.select(Issue).where(Issue.title == title))


def _user(email: str):
    from app.accounts.models import User

    return db.session.scalar(sa.select(User).where(User.email == email))


def _comment(issue, author, body: str, visibility: str = "visible", parent=None):
    from app.issues.models import Comment

    comment = Comment(
        issue_id=issue.id,
        author_id=author.id,
        body=body,
        parent_id=parent.id if parent else None,
        visibility=visibility,
    )
    db.session.add(comment)
    issue.comment_count += 1
    db.session.flush()
    return comment


def _agreed_agenda(issue, author) -> None:
    from app.agendas.models import Agenda, AgendaRevision, AgendaStatus
    from app.agendas.services import validate_document

    agenda = Agenda(issue_id=issue.id, horizon=1, status=AgendaStatus.AGREED.value)
    db.session.add(agenda)
    db.session.flush()
    document = validate_document(
        {
            "fields": {"summary": f"Samenvatting {SECRET}", "review_moment": "", "reviewers": "", "success": ""},
            "items": [
                {"id": "geheim-1", "title": f"Activiteit {SECRET}", "responsible": "municipality", "status": "proposed"}
            ],
        }
    )
    db.session.add(
        AgendaRevision(agenda_id=agenda.id, number=1, document=document, message="Eerste", author_id=author.id)
    )
    agenda.current_revision = agenda.agreed_revision = 1
    from app.covenants.models import Covenant, covenant_agendas

    for covenant_id in db.session.scalars(sa.select(Covenant.id)):  # named by every demo covenant
        db.session.execute(covenant_agendas.insert().values(covenant_id=covenant_id, agenda_id=agenda.id))


def build_world(app, runner) -> SimpleNamespace:
    from app.agendas import links
    from app.council.services import PositionData, record_position
    from app.issues import decisions
    from app.issues.models import Allocation, Ballot, Follow, PriorityRound, Report, Support
    from app.moderation import services as moderation
    from app.processes.services import get_process

    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    author = make_user(app, name="Auteur Verborgen")
    other = make_user(app, name="Andere Bewoner")
    with app.app_context():
        process = get_process(SLUG)
        if hasattr(process, "published_at") and process.published_at is None:
            from app.models_common import utcnow

            process.published_at = utcnow()
        db.session.commit()
        process_id = process.id
    hidden = make_issue(app, process_id, author.id, title=f"Verborgen onderwerp {SECRET}", place=f"Plein {SECRET}")
    merged = make_issue(app, process_id, author.id, title=f"Samengevoegd onderwerp {SECRET}")
    pending = make_issue(app, process_id, author.id, title=f"Wachtend onderwerp {SECRET}")

    with app.test_request_context():  # moderation mails build links
        director = _user("wijkregisseur@example.org")
        resident, partner = _user("bewoner@example.org"), _user("partner@example.org")
        author_, other_ = _user(author.email), _user(other.email)
        hidden_, merged_, pending_ = (db.session.get(_model(), i.id) for i in (hidden, merged, pending))
        winkelgebied, jongeren = _issue(WINKELGEBIED), _issue(JONGEREN)

        # Everything the hidden issue collected while it was visible.
        decisions.shortlist(director, hidden_, f"Gekozen vanwege {SECRET}")
        _agreed_agenda(hidden_, director)
        links.add_link(director, winkelgebied, hidden_.id, "depends", f"Samenhang met {SECRET}")
        record_position(
            _user("raad@example.org"),
            PositionData(
                process_id=process_id,
                kind="motion",
                decided_on=local_today(),
                reference="2026/777",
                title="Motie over veiligheid in de wijk",
                outcome="approved",
                issue_ids=[hidden_.id, winkelgebied.id],
            ),
        )
        for person in (resident, partner):
            db.session.add(Support(issue_id=hidden_.id, user_id=person.id))
            hidden_.support_count += 1
        db.session.add(Follow(issue_id=hidden_.id, user_id=resident.id))
        round_ = db.session.scalar(sa.select(PriorityRound).where(PriorityRound.process_id == process_id))
        ballot = Ballot(round_id=round_.id, user_id=author_.id, voter_role="resident", points_used=3)
        db.session.add(ballot)
        db.session.flush()
        db.session.add(Allocation(ballot_id=ballot.id, issue_id=hidden_.id, points=3))
        db.session.add(Report(target_type="issue", target_id=hidden_.id, reporter_id=partner.id, reason="Klopt niet"))
        on_hidden = _comment(hidden_, other_, f"Reactie op het verborgen onderwerp {SECRET}")
        decisions.merge(director, merged_, jongeren, "Dubbel met het onderwerp over jongeren.")

        # Reactions that are not shown, on a visible issue; a visible answer under the hidden one.
        hidden_comment = _comment(winkelgebied, other_, f"Verborgen reactie {SECRET}")
        _comment(winkelgebied, resident, "Een zichtbaar antwoord zonder geheim.", parent=hidden_comment)
        auto_comment = _comment(winkelgebied, other_, f"Automatisch verborgen reactie {SECRET}", "auto_hidden")
        pending_comment = _comment(winkelgebied, other_, f"Wachtende reactie {SECRET}", "pending")
        db.session.add(Report(target_type="comment", target_id=auto_comment.id, reporter_id=partner.id, reason="Nee"))
        pending_.visibility = "pending"
        db.session.commit()

        # Before hiding: the places below did show the marker (so the walk can find a leak there).
        shown_before = _public_pages_with_secret(app, winkelgebied.id, jongeren.id, hidden_.id)

        reason = "Verborgen na meldingen over de inhoud."
        moderation.act(director, hidden_, "hide", reason)
        moderation.act(director, merged_, "hide", reason)
        moderation.act(director, hidden_comment, "hide", reason)
        db.session.commit()
        return SimpleNamespace(
            process_id=process_id,
            slug=SLUG,
            author=author,
            hidden=hidden.id,
            merged=merged.id,
            pending=pending.id,
            winkelgebied=winkelgebied.id,
            jongeren=jongeren.id,
            cesar=_issue(CESAR).id,
            comments=[hidden_comment.id, auto_comment.id, pending_comment.id, on_hidden.id],
            shown_before=shown_before,
        )


def _model():
    from app.issues.models import Issue

    return Issue


def _public_pages_with_secret(app, winkelgebied: int, jongeren: int, hidden: int) -> set[str]:
    client = app.test_client()
    pages = {
        "links": f"/processes/{SLUG}/links",
        "merge target": f"/issues/{jongeren}",
        "issue with reactions": f"/issues/{winkelgebied}",
        "council": "/council",
        "api": f"/api/v1/processes/{SLUG}/issues?status=shortlisted",
    }
    return {name for name, url in pages.items() if SECRET in client.get(url).get_data(as_text=True)}


@pytest.fixture
def world(app, runner):
    return build_world(app, runner)


# --- walking the URL map ------------------------------------------------------------------------------


def _urls(app, values: dict[str, list]) -> list[str]:
    """Every GET route, once for each combination of the given path values (a dummy for the others)."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            names = sorted(rule.arguments)
            choices = []
            for name in names:
                converter = rule._converters[name]
                if name in values:
                    choices.append(values[name])
                elif isinstance(converter, AnyConverter):
                    choices.append(sorted(converter.items))
                else:
                    choices.append([1] if isinstance(converter, IntegerConverter) else ["x"])
            for combination in itertools.product(*choices):
                urls.append(url_for(rule.endpoint, **dict(zip(names, combination, strict=True))))
    return sorted(set(urls))


def _with_queries(world) -> list[str]:
    """Searches and filters that could name a hidden issue (never with the marker: pages echo a search)."""
    issues = f"/processes/{SLUG}/issues"
    return [
        f"{issues}?q=Verborgen+onderwerp",
        f"{issues}?q=Wachtend",
        f"{issues}?q=Samengevoegd",
        f"{issues}?status=shortlisted",
        f"{issues}?status=merged",
        f"{issues}?sort=supported",
        f"{issues}?sort=discussed",
        f"{issues}/similar?q=Verborgen+onderwerp+plein",
        f"/api/v1/processes/{SLUG}/issues?status=shortlisted",
        f"/api/v1/processes/{SLUG}/issues?status=merged",
        f"/api/v1/council/positions?process={SLUG}",
        f"/api/v1/covenants?process={SLUG}",
        f"/council?process={SLUG}",
        f"/moderation/log?process={SLUG}",
        f"/issues/{world.winkelgebied}?reply_to={world.comments[0]}",
        f"/issues/{world.jongeren}?page=2",
    ]


def _values(app, world) -> dict[str, list]:
    from app.council.models import CouncilPosition
    from app.covenants.models import Covenant

    with app.app_context():
        covenants = list(db.session.scalars(sa.select(Covenant.id)))
        positions = list(db.session.scalars(sa.select(CouncilPosition.id)))
    return {
        "slug": [SLUG],
        "issue_id": [world.hidden, world.merged, world.pending, world.winkelgebied, world.jongeren, world.cesar],
        "comment_id": world.comments,
        "horizon": [1, 5],
        "activity_id": ["geheim-1"],
        "covenant_id": covenants,
        "number": [1, 2],
        "position_id": positions,
        "target_type": ["issue", "comment"],
        "target_id": [world.hidden, world.comments[0]],
    }


def _walk(app, client, urls) -> list[str]:
    """The URLs whose answer (after redirects) names a hidden thing or fails."""
    leaks = []
    for url in urls:
        response = client.get(url, follow_redirects=True)
        body = _text_of(response.mimetype, response.get_data())
        if response.status_code >= 500 or SECRET in body:
            leaks.append(f"{url} -> {response.status_code}: {_context(body)}")
    return leaks


def _text_of(mimetype: str, data: bytes) -> str:
    if mimetype == "application/pdf":
        from pypdf import PdfReader

        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", errors="replace")


def _context(body: str) -> str:
    at = body.find(SECRET)
    return body[max(0, at - 150) : at + 60].replace("\n", " ") if at >= 0 else body[:200]


@pytest.mark.parametrize("who", ["visitor", "bewoner@example.org", "partner@example.org"])
def test_no_page_or_api_answer_names_hidden_content(app, client, world, who):
    assert world.shown_before == {"links", "merge target", "issue with reactions", "council", "api"}
    if who != "visitor":
        assert client.post("/login", data={"email": who, "password": DEMO_PASSWORD}).status_code == 302
    urls = _urls(app, _values(app, world)) + _with_queries(world)
    assert len(urls) > 100
    assert _walk(app, client, urls) == []


def test_the_redirect_of_a_hidden_merged_issue_names_nothing(app, client, world):
    response = client.get(f"/issues/{world.merged}")
    assert response.status_code == 200 and SECRET not in response.get_data(as_text=True)  # a placeholder
    target = client.get(f"/issues/{world.jongeren}").get_data(as_text=True)
    assert SECRET not in target and "Er is een ander onderwerp bij dit onderwerp gevoegd" in target
    api = client.get(f"/api/v1/issues/{world.jongeren}").get_json()
    assert [h["merged_from"] for h in api["history"] if h["event"] == "merged"] == [None]


def test_authors_and_moderators_still_see_what_is_theirs_to_see(app, client, auth, world):
    auth.login(world.author.email)
    assert f"Verborgen onderwerp {SECRET}" in client.get(f"/issues/{world.hidden}").get_data(as_text=True)
    assert f"Wachtend onderwerp {SECRET}" in client.get(f"/issues/{world.pending}").get_data(as_text=True)
    auth.logout()
    auth.login("wijkregisseur@example.org", DEMO_PASSWORD)
    queue = client.get("/moderation").get_data(as_text=True)
    assert f"Wachtende reactie {SECRET}" in queue and f"Wachtend onderwerp {SECRET}" in queue
    assert f"Automatisch verborgen reactie {SECRET}" in queue
    assert f"Verborgen reactie {SECRET}" in client.get(f"/issues/{world.winkelgebied}").get_data(as_text=True)
    response = client.get(f"/issues/{world.merged}")  # the moderator follows the merge, with its title
    assert response.status_code == 301
    assert SECRET in client.get(response.headers["Location"]).get_data(as_text=True)


# --- form dropdowns and the services behind them ----------------------------------------------------------


def _set_phase(app, phase: str) -> None:
    from app.processes.services import get_process

    with app.app_context():
        get_process(SLUG).current_phase = phase
        db.session.commit()


def _select(html: str, name: str) -> str:
    found = re.search(rf'<select[^>]*name="{re.escape(name)}".*?</select>', html, re.S)
    assert found, f"no select {name}"
    return found.group(0)


def test_the_link_form_offers_and_accepts_only_visible_issues(app, client, world):
    from app.agendas.models import IssueLink

    _set_phase(app, "agendas")  # the working group edits its agendas in phase 3
    client.post("/login", data={"email": "bewoner@example.org", "password": DEMO_PASSWORD})  # admitted to CESAR
    page = client.get(f"/issues/{world.cesar}/agendas/1")
    html = page.get_data(as_text=True)
    targets = _select(html, "link-target")
    assert WINKELGEBIED.split(":")[0] in targets and SECRET not in html
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(IssueLink))
    response = client.post(
        f"/issues/{world.cesar}/links",
        data={
            "link-target": f"{world.hidden}:",
            "link-kind": "depends",
            "link-note": "Hangt hiermee samen.",
            "horizon": 1,
        },
    )
    assert response.status_code == 400 and SECRET not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IssueLink)) == before


def test_add_link_refuses_a_hidden_issue_also_outside_a_request(app, world):
    from app.agendas import links
    from app.errors import DomainError

    with app.app_context(), pytest.raises(DomainError):
        links.add_link(_user("wijkregisseur@example.org"), _issue(CESAR), world.hidden, "depends", "Een notitie.")


def test_the_council_form_lists_no_hidden_issue_and_refuses_its_number(app, client, world):
    client.post("/login", data={"email": "raad@example.org", "password": DEMO_PASSWORD})
    html = client.get(f"/council/positions/new?process={SLUG}").get_data(as_text=True)
    assert WINKELGEBIED[:40] in html and SECRET not in html
    response = client.post(
        "/council/positions/new",
        data={
            "process_id": str(world.process_id),
            "kind": "motion",
            "decided_on": local_today().isoformat(),
            "reference": "2026/800",
            "title": "Motie over een verborgen onderwerp",
            "outcome": "approved",
            "issues": str(world.hidden),
        },
    )
    html = response.get_data(as_text=True)
    assert f"geen onderwerp met nummer {world.hidden}" in html and SECRET not in html
    with app.app_context():
        from app.council.models import CouncilPosition

        assert db.session.scalar(sa.select(CouncilPosition).where(CouncilPosition.reference == "2026/800")) is None


def test_merge_targets_and_covenant_sources_leave_hidden_issues_out(app, client, world):
    from app.covenants.models import Covenant

    _set_phase(app, "agendas")  # covenants are drawn up from phase 3
    client.post("/login", data={"email": "wijkregisseur@example.org", "password": DEMO_PASSWORD})
    issue_page = client.get(f"/issues/{world.jongeren}").get_data(as_text=True)
    assert SECRET not in _select(issue_page, "decide-target_id")
    moderation_page = client.get(f"/moderation/issue/{world.jongeren}").get_data(as_text=True)
    assert SECRET not in _select(moderation_page, "decision-merge_into")
    draft = client.get(f"/covenants/new?process={world.process_id}").get_data(as_text=True)
    assert WINKELGEBIED[:40] in draft and SECRET not in draft
    with app.app_context():
        covenant_ids = list(db.session.scalars(sa.select(Covenant.id)))
    for covenant_id in covenant_ids:  # they name the hidden issue's agenda: only as "hidden"
        for url in (f"/covenants/{covenant_id}", f"/covenants/{covenant_id}/edit", f"/covenants/{covenant_id}/parties"):
            response = client.get(url)
            assert response.status_code < 500 and SECRET not in response.get_data(as_text=True), url


def test_points_on_an_issue_hidden_since_can_be_taken_back_without_its_title(app, client, world):
    from app.issues.models import PriorityRound

    with app.app_context():
        round_ = db.session.scalar(sa.select(PriorityRound).where(PriorityRound.process_id == world.process_id))
        round_.status, round_.closed_at = "open", None
        db.session.commit()
    client.post("/login", data={"email": world.author.email, "password": world.author.password})
    # The author's ballot has 3 points on the hidden issue: they show as "hidden" and can be taken back.
    page = client.get(f"/processes/{SLUG}/priorities").get_data(as_text=True)
    assert f'id="issue-{world.hidden}"' in page and "verborgen" in page.lower()
    client.post("/logout")
    client.post("/login", data={"email": "bewoner@example.org", "password": DEMO_PASSWORD})
    assert SECRET not in client.get(f"/processes/{SLUG}/priorities").get_data(as_text=True)
    client.post("/logout")
    client.post("/login", data={"email": world.author.email, "password": world.author.password})
    response = client.post(f"/processes/{SLUG}/priorities/{world.hidden}", data={"points": 0})
    assert response.status_code == 302
    response = client.post(f"/processes/{SLUG}/priorities/{world.hidden}", data={"points": 1})
    assert response.status_code == 400  # giving points to it is not possible


# --- deciding on hidden issues (the service holds the rule) -------------------------------------------


def test_a_moderator_cannot_merge_or_decide_on_a_hidden_issue(app, client, world):
    from app.errors import DomainError
    from app.issues import decisions
    from app.issues.models import Comment, Issue

    with app.app_context():
        hidden = db.session.get(Issue, world.hidden)
        cesar = db.session.get(Issue, world.cesar)
        director = _user("wijkregisseur@example.org")
        assert decisions.possible(hidden) == ()
        for call in (
            lambda: decisions.merge(director, hidden, cesar, "Samenvoegen met een reden."),
            lambda: decisions.merge(director, cesar, hidden, "Samenvoegen met een reden."),
            lambda: decisions.decline(director, hidden, "Niet gekozen met een reden."),
            lambda: decisions.reopen(director, hidden, "Heropenen met een reden."),
        ):
            with pytest.raises(DomainError):
                call()
        db.session.rollback()

    client.post("/login", data={"email": "wijkregisseur@example.org", "password": DEMO_PASSWORD})
    response = client.post(
        f"/issues/{world.hidden}/decide",
        data={"decide-decision": "merge", "decide-target_id": str(world.cesar), "decide-reason": "Samen is beter."},
    )
    assert response.status_code in (400, 409)
    with app.app_context():
        assert db.session.get(Issue, world.hidden).status == "shortlisted"
        on_hidden = db.session.get(Comment, world.comments[3])
        assert on_hidden.issue_id == world.hidden  # its reactions stayed where nobody sees them
    assert SECRET not in client.get(f"/issues/{world.cesar}").get_data(as_text=True)  # nothing moved there


# --- the exports ------------------------------------------------------------------------------------------


def _texts(archive: zipfile.ZipFile):
    from pypdf import PdfReader

    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".pdf"):
            yield name, " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        elif name.endswith((".xlsx", ".zip")):
            inner = zipfile.ZipFile(io.BytesIO(data))
            yield from ((f"{name}/{n}", text) for n, text in _texts(inner))
        else:
            yield name, data.decode("utf-8", errors="replace")


def test_the_congress_export_leaves_hidden_content_out(app, runner, world, tmp_path):
    out = tmp_path / "bundle.zip"
    result = runner.invoke(args=["export", "congress", SLUG, "--out", str(out)])
    assert result.exit_code == 0, result.output
    texts = dict(_texts(zipfile.ZipFile(out)))
    assert any(WINKELGEBIED.split(":")[0] in text for text in texts.values())
    assert [name for name, text in texts.items() if SECRET in text] == []


# --- the rule itself: a page that forgets it still shows nothing hidden --------------------------------


def test_a_new_page_that_asks_for_everything_gets_only_visible_issues_and_reactions(app, client):
    """A careless new page (plain queries, a count, pagination, a relationship) cannot show hidden rows."""
    from app.agendas.models import Agenda
    from app.issues.models import Comment, Issue
    from app.issues.visibility import all_rows, including_hidden
    from tests.conftest import make_process

    process = make_process(app, phase="issues")
    author = make_user(app)
    shown = make_issue(app, process.id, author.id, title="Zichtbaar onderwerp")
    hidden = make_issue(app, process.id, author.id, title=f"Verborgen onderwerp {SECRET}", status="shortlisted")
    with app.app_context():
        db.session.get(Issue, hidden.id).visibility = "hidden"
        db.session.add(Agenda(issue_id=hidden.id, horizon=1))
        for body, visibility in ((f"Verborgen reactie {SECRET}", "hidden"), ("Zichtbare reactie", "visible")):
            db.session.add(Comment(issue_id=shown.id, author_id=author.id, body=body, visibility=visibility))
        db.session.commit()

    def careless():
        issues = db.session.scalars(sa.select(Issue)).all()
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Issue))
        page = db.paginate(sa.select(Comment).order_by(Comment.id), per_page=10)
        joined = db.session.scalars(sa.select(Comment.body).join(Issue, Issue.id == Comment.issue_id)).all()
        agendas = [a.issue.title if a.issue else "-" for a in db.session.scalars(sa.select(Agenda))]
        got = db.session.get(Issue, hidden.id)
        return {
            "titles": [i.title for i in issues],
            "count": count,
            "total": page.total,
            "bodies": [c.body for c in page.items] + joined,
            "agendas": agendas,
            "get": got.title if got else None,
        }

    def deliberate():
        with all_rows():
            page = db.paginate(sa.select(Comment).order_by(Comment.id), per_page=10)
        titles = db.session.scalars(including_hidden(sa.select(Issue.title))).all()
        return {"titles": titles, "total": page.total}

    app.add_url_rule("/test/careless", "careless", careless)
    app.add_url_rule("/test/deliberate", "deliberate", deliberate)
    answer = client.get("/test/careless").get_json()
    assert answer == {
        "titles": ["Zichtbaar onderwerp"],
        "count": 1,
        "total": 1,
        "bodies": ["Zichtbare reactie", "Zichtbare reactie"],
        "agendas": ["-"],
        "get": None,
    }
    opted_in = client.get("/test/deliberate").get_json()
    assert opted_in["total"] == 2 and f"Verborgen onderwerp {SECRET}" in opted_in["titles"]
    with app.app_context():  # outside a request (the CLI, tests): every row
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Issue)) == 2


def test_editing_a_council_position_keeps_its_link_to_an_issue_hidden_since(app, client, world):
    from app.council.models import CouncilPosition, council_position_issues

    with app.app_context():
        position = db.session.scalar(sa.select(CouncilPosition).where(CouncilPosition.reference == "2026/777"))
        position_id, version = position.id, position.version
    client.post("/login", data={"email": "raad@example.org", "password": DEMO_PASSWORD})
    form = client.get(f"/council/positions/{position_id}/edit").get_data(as_text=True)
    assert SECRET not in form
    response = client.post(
        f"/council/positions/{position_id}/edit",
        data={
            "process_id": str(world.process_id),
            "kind": "motion",
            "decided_on": local_today().isoformat(),
            "reference": "2026/777",
            "title": "Motie over veiligheid in de wijk, aangepast",
            "outcome": "approved",
            "issues": str(world.winkelgebied),
            "version": str(version),
        },
    )
    assert response.status_code == 302
    with app.app_context():  # restored one day, the issue is named by the position again
        linked = set(
            db.session.scalars(
                sa.select(council_position_issues.c.issue_id).where(
                    council_position_issues.c.position_id == position_id
                )
            )
        )
        assert linked == {world.winkelgebied, world.hidden}
