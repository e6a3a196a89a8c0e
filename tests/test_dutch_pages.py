"""Dutch everywhere: every page each role can reach in the demo, in Dutch, without English interface text.

The walk starts from the URL map, not from a list of pages: each rule gets its path arguments from the
seeded demo (every issue status, every agenda, covenant, council position...), so a new page is
rendered without editing this test; a rule with an argument the demo cannot fill fails the test and
says so. Links with a query string (filters, comparisons, pages) are followed once per kind. Every form
on those pages is then sent twice, with texts that are too long and wrong choices, and empty, because
error messages are interface text too. The demo is walked in its own phase and again in the phases that
open agenda editing and signing.

A page fails on any text the catalog has as an English msgid whose Dutch differs, and on WTForms' own
words ("karakters", "Ongeldige keuze"); see tests/dutch_text.py for how text is found and compared.
"""

from __future__ import annotations

from urllib.parse import urlencode, urljoin, urlsplit

import lxml.html
import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from app.extensions import db
from tests.conftest import PG_URL
from tests.dutch_text import faults

# Which words a page shows does not depend on the database: the walk runs in the SQLite pass only
# (about 90 s), like the browser tests; the visibility crawl and the route sweep run on both.
pytestmark = pytest.mark.skipif(bool(PG_URL), reason="interface text does not depend on the database")

DEMO_PASSWORD = "lantaarn-fiets-dinsdag-42"
ROLES = {
    "visitor": None,
    "resident": "bewoner@example.org",
    "partner": "partner@example.org",
    "wijkregisseur": "wijkregisseur@example.org",
    "facilitator": "facilitator@example.org",
    "council": "raad@example.org",
    "wethouder": "wethouder@example.org",
    "admin": "admin@example.org",
}
PHASES = ("issues", "agendas", "covenants")  # the demo's own, then the ones that open editing and signing
NOT_SENT = {"accounts.logout", "pages.set_language"}  # forms that would end the walk or change its language
TOO_LONG = {"input": 1_001, "textarea": 60_001}  # longer than any limit of the site
# Pages that answer something else than a Dutch HTML page, for everyone.
NOT_HTML = {"static", "pages.healthz", "covenants.pdf", "covenants.canonical", "exports.download"}

# Which endpoints some role rendered as a Dutch page (filled in by the walks, checked at the end).
RENDERED: dict[str, set[str]] = {}
NOT_PAGES: set[str] = set()  # endpoints that answered something else than HTML


# --- the demo, and values for every path argument ------------------------------------------------


def seed_demo(app) -> None:
    from app.seeding import load_demo

    with app.app_context():
        load_demo()
        db.session.commit()


def scenarios(app, user_email: str | None, export_token: str | None) -> list[dict]:
    """Consistent sets of path arguments from the demo: every kind of object the pages show."""
    from app.accounts import verification
    from app.accounts.models import Membership, Organisation, User
    from app.accounts.services import reset_token
    from app.agendas import services as agendas
    from app.agendas.models import Agenda
    from app.council.models import CouncilPosition
    from app.covenants.models import Covenant, CovenantRevision, CovenantVersion
    from app.issues.models import Comment, Issue
    from app.notifications.unsubscribe import make_token as make_unsubscribe_token

    found: list[dict] = []
    if user_email:
        found.extend(own_contributions(app, user_email))
    with app.app_context():
        slug = "buytenwegh"
        found.append({"slug": slug})
        issues = db.session.scalars(sa.select(Issue).order_by(Issue.id)).all()
        chosen = {}
        for issue in issues:  # the first issue of every status and visibility, and the most discussed one
            chosen.setdefault((issue.status, issue.visibility), issue)
        chosen["discussed"] = max(issues, key=lambda i: i.comment_count)
        for issue in chosen.values():
            found.append({"slug": slug, "issue_id": issue.id, "target_type": "issue", "target_id": issue.id})
        found.extend(demo_attachments(chosen["discussed"]))
        comments = db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()
        for comment in {(c.visibility, c.parent_id is None): c for c in reversed(comments)}.values():
            found.append(
                {
                    "comment_id": comment.id,
                    "issue_id": comment.issue_id,
                    "target_type": "comment",
                    "target_id": comment.id,
                }
            )
        for agenda in db.session.scalars(sa.select(Agenda).order_by(Agenda.id)):
            items = agendas.document(agenda)["items"]
            for number in {1, agenda.current_revision}:
                found.append(
                    {
                        "slug": slug,
                        "issue_id": agenda.issue_id,
                        "horizon": agenda.horizon,
                        "number": number,
                        **({"activity_id": items[0]["id"]} if items else {}),
                    }
                )
        for covenant in db.session.scalars(sa.select(Covenant).order_by(Covenant.id)):
            numbers = {1}
            numbers |= set(
                db.session.scalars(
                    sa.select(sa.func.max(CovenantVersion.number)).where(CovenantVersion.covenant_id == covenant.id)
                )
            )
            numbers |= set(
                db.session.scalars(
                    sa.select(sa.func.max(CovenantRevision.number)).where(CovenantRevision.covenant_id == covenant.id)
                )
            )
            found.extend({"covenant_id": covenant.id, "number": n} for n in numbers if n)
        found.extend({"position_id": p} for p in db.session.scalars(sa.select(CouncilPosition.id)))
        resident = db.session.scalar(sa.select(User).where(User.email == "bewoner@example.org"))
        found.append({"user_id": resident.id, "target_type": "user", "target_id": resident.id})
        found.extend({"organisation_id": o} for o in db.session.scalars(sa.select(Organisation.id).limit(2)))
        found.extend({"membership_id": m} for m in db.session.scalars(sa.select(Membership.id).limit(1)))
        found.extend({"name": name} for name in ("onderwerpen", "reacties", "steun", "volgend"))  # /mijn/<name>
        me = db.session.scalar(sa.select(User).where(User.email == (user_email or "bewoner@example.org")))
        for link in (verification.confirm_link(me), verification.login_link(me)):
            found.append({"token": link.rstrip("/").rsplit("/", 1)[-1]})
        found.append({"token": reset_token(me)})
        found.append({"token": "not-a-token"})
        found.append({"token": make_unsubscribe_token(me.id, "reactions")})  # the link in a notification mail
        if export_token:
            found.append({"token": export_token})
    return found


def demo_attachments(issue) -> list[dict]:
    """A photo and a PDF on an issue (the demo has none): the pages that show and remove them."""
    from app.accounts.models import User
    from app.issues import attachments
    from tests.attachment_helpers import jpeg, pdf

    moderator = db.session.scalar(sa.select(User).where(User.email == "wijkregisseur@example.org"))
    uploads = [
        attachments.Upload(data=jpeg(size=(800, 600)), text="De speeltuin", file_field="file_1", text_field="text_1"),
        attachments.Upload(data=pdf(), text="Tekening", file_field="file_2", text_field="text_2"),
    ]
    added = attachments.add(moderator, issue, uploads)
    db.session.commit()
    return [{"issue_id": issue.id, "token": row.token} for row in added]


def own_contributions(app, email: str) -> list[dict]:
    """A fresh issue and reaction of this person: the pages to change or withdraw them open only to the author."""
    from app.accounts.models import User
    from app.issues import services as issues
    from app.issues.models import Issue
    from app.processes.models import Process
    from tests.conftest import make_issue

    with app.app_context():
        me = db.session.scalar(sa.select(User).where(User.email == email))
        process = db.session.scalar(sa.select(Process).where(Process.slug == "buytenwegh"))
        me_id, process_id = me.id, process.id
    issue = make_issue(app, process_id, me_id, title="Een bankje bij de bushalte aan de Buytenweg")
    with app.app_context():
        me, found = db.session.get(User, me_id), db.session.get(Issue, issue.id)
        comment = issues.add_comment(me, found, "Ik zit daar elke ochtend te wachten.", "for", "experience")
        db.session.commit()
        return [
            {"slug": "buytenwegh", "issue_id": issue.id, "target_type": "issue", "target_id": issue.id},
            {"comment_id": comment.id, "issue_id": issue.id, "target_type": "comment", "target_id": comment.id},
        ]


def page_urls(app, values: list[dict]) -> dict[str, str]:
    """{url: endpoint} for every GET rule, once for every set of values that fills all its arguments."""
    urls, unfilled = {}, []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in NOT_HTML or rule.rule.startswith("/api/"):
                continue
            made = {
                url_for(rule.endpoint, **{name: v[name] for name in rule.arguments})
                for v in values
                if all(name in v for name in rule.arguments)
            }
            if not made:
                unfilled.append(rule.rule)
            urls.update(dict.fromkeys(made, rule.endpoint))
    assert not unfilled, f"add demo values for the arguments of {unfilled} to scenarios()"
    return urls


# --- the walk -------------------------------------------------------------------------------------


class Walk:
    """Visits pages as one person and keeps what is wrong: English or library words, and server errors."""

    def __init__(self, app, client, role: str):
        self.app, self.client, self.role = app, client, role
        self.adapter = app.url_map.bind("localhost")
        self.problems: dict[str, None] = {}  # in order, once each
        self.rendered: set[str] = set()
        self.not_pages: set[str] = set()
        self.forms: dict[tuple, tuple[str, str, list]] = {}
        self.sent: set[tuple] = set()  # forms already sent (a form that a later phase opens is sent then)
        self.query_kinds: set[tuple] = set()

    def endpoint(self, path: str, method: str = "GET") -> str | None:
        try:
            return self.adapter.match(path, method=method)[0]
        except (NotFound, MethodNotAllowed, RequestRedirect):
            return None

    def report(self, problem: str) -> None:
        self.problems[problem] = None

    def check(self, response, what: str) -> None:
        if response.status_code >= 500:
            self.report(f"{what}: {response.status_code}")
            return
        if response.mimetype != "text/html" or 300 <= response.status_code < 400:
            return  # redirects, files, JSON; error pages (400, 403, 404) are pages too
        html = response.get_data(as_text=True)
        if not html.lstrip().lower().startswith("<!doctype"):
            return  # a fragment (the live similar-issue hints) is checked inside its page
        if '<html lang="nl"' not in html:
            self.report(f"{what}: not a Dutch page")
        if "maxlength=" in html:
            self.report(f"{what}: a maxlength attribute cuts pasted text without a word")
        for text, source in faults(html):
            self.report(f"{what}: {text[:120]!r} shows {source!r}")
        self.collect(html, response.request.path)

    def visit(self, url: str, endpoint: str | None = None) -> None:
        response = self.client.get(url)
        self.check(response, f"{self.role} GET {url}")
        endpoint = endpoint or self.endpoint(urlsplit(url).path) or url
        if response.status_code == 200 and response.mimetype == "text/html":
            self.rendered.add(endpoint)
            self.follow_query_links(response.get_data(as_text=True), url)
        elif response.status_code == 200:
            self.not_pages.add(endpoint)  # JSON for the similar-issue hints, the icon...

    def follow_query_links(self, html: str, base: str) -> None:
        """Filters, comparisons and further pages: one link of each kind (endpoint and query names)."""
        for href in lxml.html.document_fromstring(html).xpath("//a/@href"):
            target = urlsplit(urljoin("http://localhost" + base, href))
            if target.netloc != "localhost" or not target.query:
                continue
            endpoint = self.endpoint(target.path)
            kind = (endpoint, tuple(sorted(p.split("=")[0] for p in target.query.split("&"))))
            if endpoint is None or endpoint in NOT_HTML or kind in self.query_kinds:
                continue
            self.query_kinds.add(kind)
            self.visit(f"{target.path}?{target.query}", endpoint)

    def collect(self, html: str, path: str) -> None:
        """Remember each form once (by where it goes and its fields), to send it later with bad input."""
        for form in lxml.html.document_fromstring(html).xpath("//form"):
            method = (form.get("method") or "get").upper()
            action = urlsplit(urljoin("http://localhost" + path, form.get("action") or path)).path
            endpoint = self.endpoint(action, method)
            fields = [
                (element.tag, (element.get("type") or "").lower(), element.get("name"), element.get("value") or "")
                for element in form.xpath(".//input|.//textarea|.//select")
                if element.get("name")
            ]
            fillable = [f for f in fields if f[1] not in ("hidden", "submit", "button") and f[2] != "csrf_token"]
            if endpoint is None or endpoint in NOT_SENT or not fillable:
                continue
            self.forms.setdefault((endpoint, method, tuple(f[2] for f in fields)), (method, action, fields))

    def send_forms(self) -> None:
        """Every form twice: texts too long and choices that do not exist, then nothing filled in."""
        for key, (method, action, fields) in list(self.forms.items()):
            if key in self.sent:
                continue
            self.sent.add(key)
            for bad in (True, False):
                data = []
                for tag, kind, name, value in fields:
                    if kind in ("hidden", "submit", "button"):
                        data.append((name, value))
                    elif tag == "select" or kind in ("radio", "checkbox"):
                        if bad or tag == "select":  # a browser always sends a select's value
                            data.append((name, "no-such-choice" if bad else ""))
                    elif bad:
                        data.append((name, "x" * TOO_LONG["textarea" if tag == "textarea" else "input"]))
                if method == "GET":
                    response = self.client.get(f"{action}?{urlencode(data)}", follow_redirects=True)
                else:
                    response = self.client.post(action, data=MultiDict(data), follow_redirects=True)
                self.check(response, f"{self.role} {method} {action} ({'too long' if bad else 'empty'})")
            self.client.get("/")  # let a flashed message go, so it is not blamed on another form

    def make_conflicts(self, urls: dict[str, str]) -> None:
        """Two saves from the same page, the second one late: the conflict page opens (where this role may edit)."""
        for endpoint, field in (("agendas.texts", "summary"), ("covenant_drafting.edit", "text")):
            for url in [u for u, e in urls.items() if e == endpoint][:1]:
                response = self.client.get(url)
                if response.status_code != 200:
                    continue
                forms = lxml.html.document_fromstring(response.get_data(as_text=True)).xpath(
                    f"//form[.//*[@name='{field}']]"
                )
                if not forms:
                    continue
                data = MultiDict(forms[0].form_values())
                for version in ("Eerste nieuwe versie van de tekst.", "Tweede nieuwe versie, van een ander."):
                    data[field] = version
                    self.check(
                        self.client.post(url, data=data, follow_redirects=True), f"{self.role} conflict on {url}"
                    )


def set_phase(app, phase: str) -> None:
    from app.processes.models import Process

    with app.app_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == "buytenwegh"))
        process.current_phase = phase
        db.session.commit()


def start_export(client) -> str | None:
    """A small bundle (issues only), so that the status page with its file size can be walked."""
    response = client.post("/exports", data={"process_slug": "buytenwegh", "include": ["issues"]})
    location = response.headers.get("Location", "")
    return (
        location.rstrip("/").rsplit("/", 1)[-1]
        if response.status_code in (302, 303) and "/exports/" in location
        else None
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_can_reach_is_dutch(app, client, role):
    seed_demo(app)
    email = ROLES[role]
    if email:
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{email} could not log in"
    walk = Walk(app, client, role)
    export_token = start_export(client) if email else None
    urls = page_urls(app, scenarios(app, email, export_token))
    for phase in PHASES:
        set_phase(app, phase)
        if phase != "issues":
            walk.make_conflicts(urls)
        for url, endpoint in urls.items():
            walk.visit(url, endpoint)
        walk.send_forms()
    RENDERED[role] = walk.rendered
    NOT_PAGES.update(walk.not_pages)
    assert len(walk.rendered) > 10, f"{role} reached almost no pages: {sorted(walk.rendered)}"
    assert not walk.problems, f"{len(walk.problems)} problems, the first ones:\n" + "\n".join(list(walk.problems)[:40])


def test_every_page_was_rendered_by_some_role(app):
    """The walks above really reached every page of the URL map (only when they all ran)."""
    if set(RENDERED) != set(ROLES):
        pytest.skip("runs after all the walks of this file")
    pages = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in NOT_HTML and not rule.rule.startswith("/api/")
    }
    missing = pages - set().union(*RENDERED.values()) - NOT_PAGES
    assert not missing, f"no role rendered these pages with the demo data: {sorted(missing)}"


def test_pdfs_are_dutch(app, client):
    """A covenant as PDF, and the congress booklet and posters, carry no English interface text either."""
    import io
    import zipfile

    from pypdf import PdfReader

    from tests.dutch_text import english_leftovers

    def leftovers(name: str, pdf: bytes) -> list[str]:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        return [f"{name}: {line!r}" for line in text.splitlines() if english_leftovers().find(line)]

    seed_demo(app)
    response = client.get("/covenants/1/versions/1.pdf")
    assert response.mimetype == "application/pdf"
    found = leftovers("covenant", response.data)
    client.post("/login", data={"email": ROLES["facilitator"], "password": DEMO_PASSWORD})
    response = client.post("/exports", data={"process_slug": "buytenwegh", "include": ["booklet", "posters"]})
    bundle = zipfile.ZipFile(io.BytesIO(client.get(response.headers["Location"] + "/download").data))
    pdfs = [name for name in bundle.namelist() if name.endswith(".pdf")]
    assert "booklet.pdf" in pdfs and len(pdfs) > 1
    for name in pdfs:
        found += leftovers(name, bundle.read(name))
    assert not found, found


@pytest.mark.parametrize(
    "english",
    ["one subject", "broad", "for", "against", "neutral", "depends on", "council decision", "adopted", "rejected"],
)
def test_the_check_finds_untranslated_choice_labels(english):
    """The labels that were frozen in English are exactly what the walk looks for."""
    html = (
        '<!doctype html><html lang="nl"><body><fieldset><legend>Wat vindt u ervan?</legend>'
        f'<input type="radio" id="a" value="x"><label for="a">{english}</label></fieldset>'
        f'<p><span class="tag">{english}</span> · <span lang="en">English</span></p></body></html>'
    )
    assert [source for _text, source in faults(html)] == [english, english]


def test_the_check_finds_library_words_and_leaves_dutch_alone():
    html = (
        '<!doctype html><html lang="nl"><body><p>Veld mag niet langer zijn dan 140 karakters.</p>'
        "<p>Hoogstens 9 karakters.</p>"
        '<input type="submit" value="Not a valid choice."><p>Ongeldige keuze.</p>'
        "<p>Dit mag hoogstens 140 tekens zijn. U heeft er nu 10.000.</p><p>FTE · status · open</p>"
        '<a lang="en" title="English">English</a></body></html>'
    )
    found = [text for text, _source in faults(html)]
    assert found == [
        "Veld mag niet langer zijn dan 140 karakters.",
        "Veld mag niet langer zijn dan 140 karakters.",
        "Hoogstens 9 karakters.",
        "Not a valid choice.",
        "Ongeldige keuze.",
    ]
