"""Every route, every parameter, hostile values: 400 or 404 (or any page), never a 500.

The sweep walks `app.url_map`, so a new route is covered without editing this file. Its path
parameters are filled with objects of the demo data (loaded once for the module): a known name
(`issue_id`, `slug`, `activity_id`, …) picks a fitting object, any other `<int:…_id>` the first row
of the table its name points to.

Then, as a visitor and signed in as the wijkregisseur and the admin, each path parameter and each
query parameter gets hostile values: "²" (a digit for `isdigit`, not for `int`), 5,000 digits,
numbers beyond every integer column, negative, zero, empty, NUL, 5,000 "ä", "../", markup, "nan",
the parameter twice. The query parameters are a fixed list of common names, every name the app's
modules read from `request.args` (found by scanning their source), and every name a view actually
read during the sweep (recorded). Routes that take POST get an empty body, bodies with every field
set to a hostile value, and their form (from a page that shows it, filled in validly) with one
field hostile at a time; also in the agenda and covenant phases, as the wijkregisseur and a
signatory partner, on the routes that let them in.

The app runs with TESTING, so an exception reaches the test instead of becoming a 500 page: each
one is reported with its place in the code.
"""

from __future__ import annotations

import re
import time
import traceback
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import ImmutableMultiDict

from app.extensions import db
from tests.conftest import empty_database, make_app

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "lantaarn-fiets-dinsdag-42"
ACCOUNTS = {
    "visitor": None,
    "wijkregisseur": "wijkregisseur@example.org",
    "admin": "admin@example.org",
    "signatory": "bestuur-piezo@example.org",  # a partner who signs for Stichting Piëzo
}

# Sent on every route, by every pass: the values that crashed views before.
CORE = ["²", "9" * 5000, "99999999999999999999999", "-1", "\x00", "ä" * 5000]
# Sent as a visitor, to each query parameter a view reads and to each path parameter.
MORE = ["9223372036854775808", "2147483648", "0", "", "../", "<script>alert(1)</script>", "1e9", " 1", "٣", "%"]
MORE += ["nan", "1e999"]
HOSTILE = CORE + MORE
TWICE = [["1", "2"], ["²", "x"]]  # the parameter given twice
# Common query names, beside those the views read (scanned below and recorded during the sweep).
# fmt: off
COMMON_NAMES = [
    "page", "per_page", "status", "process", "q", "sort", "next", "lang", "horizon", "kind", "phase", "against",
    "version", "from", "to", "n", "role", "domain", "scale", "term", "breadth", "place", "title", "reply_to",
    "fingerprint", "base", "target", "token", "order", "filter", "tab", "action", "issue",
]
# fmt: on
SLOW_SECONDS = 0.4  # a route whose first answer took longer (PDF) gets a sample of the values
# In every field of a form at once (the values that crash parsing before any validation), signed in.
BODY_VALUES = ["²", "9" * 5000, "99999999999999999999999", "ä" * 5000, ["1", "2"]]
# One field at a time in an otherwise valid form: what numbers, dates and choices trip over.
FIELD_VALUES = ["²", "99999999999999999999999", "9" * 5000, "nan", "ä" * 5000]
FILLERS = {
    "email": "iemand@example.org",
    "number": "1",
    "date": "2025-06-01",
    "password": DEMO_PASSWORD,
    "text": "Een gewone titel voor de test",
    "textarea": "Een gewone tekst voor deze test. Lang genoeg om aan elke regel voor de lengte te voldoen.",
}


# --- reading what views read ----------------------------------------------------------------------

READ: set[str] = set()


class RecordingMultiDict(ImmutableMultiDict):
    """request.args and request.form of the swept app: remembers every name a view asks for."""

    def get(self, key, default=None, type=None):
        READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        READ.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)


def scanned_names() -> set[str]:
    """Every name the app's modules read from `request.args` (or an `args` alias) in their source."""
    pattern = re.compile(r"""\bargs(?:\.get|\.getlist)?\(\s*["'](\w+)["']|\bargs\[["'](\w+)["']\]""")
    names = set()
    for path in (ROOT / "app").rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            names.add(match.group(1) or match.group(2))
    return names


def form_field_names() -> set[str]:
    """Every field name of every WTForms form in the app, and every `request.form.get` name."""
    import importlib
    import inspect

    from flask_wtf import FlaskForm

    names = set()
    pattern = re.compile(r"""\bform(?:\.get|\.getlist)?\(\s*["'](\w+)["']|\bform\[["'](\w+)["']\]""")
    for path in (ROOT / "app").rglob("*.py"):
        names.update(m.group(1) or m.group(2) for m in pattern.finditer(path.read_text(encoding="utf-8")))
        if "forms" not in path.stem:
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__:
                names.update(name for name, _field in cls._unbound_fields or [] if name)
                names.update(name for name in dir(cls) if hasattr(getattr(cls, name, None), "field_class"))
    return names - {"csrf_token"}


class FormReader(HTMLParser):
    """The POST forms of a page, each as {"action", "fields"}: what a browser sends when nothing is changed,
    with the required boxes filled in (FILLERS), so that the form is valid and one field can be made hostile."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._chosen: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "post": a.get("method", "").lower() == "post", "fields": {}}
            self.forms.append(self._form)
            self._chosen = set()
            return
        if self._form is None:
            return
        if tag == "option" and self._select:
            fields = self._form["fields"]
            if "selected" in a or self._select not in fields:
                fields[self._select] = a.get("value", "")
            return
        if not a.get("name"):
            return
        fields, name, kind = self._form["fields"], a["name"], a.get("type", "text").lower()
        if tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a:
                fields[name] = a.get("value", "on")
                self._chosen.add(name)
            elif kind == "radio" and name not in self._chosen:
                fields.setdefault(name, a.get("value", "on"))
        elif tag == "input" and kind not in ("submit", "button", "image", "file", "reset"):
            if a.get("value") or kind == "hidden":
                fields[name] = a.get("value", "")
            elif a.get("inputmode") in ("numeric", "decimal"):
                fields[name] = "1"
            else:  # optional boxes stay empty, as most people leave them
                fields[name] = FILLERS.get(kind, FILLERS["text"]) if "required" in a else ""
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._form is not None and self._textarea:
            fields = self._form["fields"]
            fields[self._textarea] = fields[self._textarea].strip() or FILLERS["textarea"]
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


# --- the app with the demo data -------------------------------------------------------------------


@pytest.fixture(scope="module")
def swept(schema_template, tmp_path_factory):
    patch = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("sweep")
    patch.setenv("INSTANCE_PATH", str(folder / "instance"))
    url = empty_database(schema_template, folder)
    app = make_app(url)
    app.request_class = type("RecordingRequest", (app.request_class,), {"parameter_storage_class": RecordingMultiDict})
    with app.app_context():
        from app.seeding import load_demo

        load_demo()
        db.session.commit()
        values = seeded_values()
    yield SimpleNamespace(app=app, values=values, failures=[], forms={}, forms_done=set())
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    patch.undo()


def seeded_values() -> dict:
    """Objects of the demo data for the path parameters whose names we know."""
    from app.accounts.models import User
    from app.agendas import services as agendas
    from app.agendas.models import Agenda
    from app.covenants.models import Covenant, CovenantParty, CovenantVersion
    from app.issues.models import Comment
    from app.processes.models import Process

    agenda = db.session.scalar(sa.select(Agenda).where(Agenda.current_revision > 0).order_by(Agenda.id).limit(1))
    items = agendas.document(agenda)["items"]
    # one open for signature (signing, drafting a next version), else any with a version
    covenant_id = db.session.scalar(
        sa.select(CovenantVersion.covenant_id)
        .join(Covenant, Covenant.id == CovenantVersion.covenant_id)
        .order_by((Covenant.status == "open").desc(), CovenantVersion.id)
        .limit(1)
    ) or db.session.scalar(sa.select(Covenant.id).limit(1))
    resident = db.session.scalar(sa.select(User.id).where(User.email == "bewoner@example.org"))
    comment = db.session.scalar(
        sa.select(Comment.id).where(Comment.issue_id == agenda.issue_id).order_by(Comment.id).limit(1)
    ) or db.session.scalar(sa.select(Comment.id).order_by(Comment.id).limit(1))
    return {
        "slug": db.session.scalar(sa.select(Process.slug).order_by(Process.id).limit(1)),
        "issue_id": agenda.issue_id,
        "horizon": agenda.horizon,
        "activity_id": items[0]["id"] if items else "a1",
        "number": 1,
        "covenant_id": covenant_id,
        "party": db.session.scalar(
            sa.select(CovenantParty.party).where(CovenantParty.covenant_id == covenant_id).limit(1)
        ),
        "comment_id": comment,
        "user_id": resident,
        "target_id": {"issue": agenda.issue_id, "comment": comment, "user": resident},
    }


def _table_row(name: str) -> int:
    """`<int:position_id>` → the first id of the table whose name ends in "position(s)"; 1 if none."""
    stem = name.removesuffix("_id")
    for table in db.metadata.sorted_tables:
        if (table.name == stem or table.name.endswith((stem, stem + "s"))) and "id" in table.c:
            found = db.session.scalar(sa.select(sa.func.min(table.c.id)))
            if found is not None:
                return found
    return 1


def _converter(rule, name: str):
    return rule._converters[name]


def _is_choice(rule, name: str) -> bool:
    return type(_converter(rule, name)).__name__ == "AnyConverter"


def path_values(app, rule, values: dict) -> list[dict]:
    """The seeded values for the rule's path parameters: one set per item of each `any(...)` choice."""
    combos = [{}]
    for name in sorted(rule.arguments, key=lambda n: not _is_choice(rule, n)):  # choices first
        if _is_choice(rule, name):
            combos = [{**c, name: item} for c in combos for item in sorted(_converter(rule, name).items)]
            continue
        for combo in combos:
            value = values.get(name)
            if isinstance(value, dict):  # depends on a choice (moderation target)
                value = value.get(combo.get("target_type"), 1)
            if value is None:
                if type(_converter(rule, name)).__name__.endswith("IntegerConverter"):
                    with app.app_context():
                        value = _table_row(name)
                else:
                    value = "x"
            combo[name] = value
    return combos


def build(rule, args: dict, query=None) -> str:
    """The URL of `rule` with `args` put in as they are (hostile ones too), and a query string."""

    def fill(match):
        return quote(str(args[match.group(1)]), safe="")

    path = re.sub(r"<(?:[^<>]*:)?(\w+)>", fill, rule.rule)
    if query:
        path += "?" + urlencode(query, doseq=True)
    return path


# --- the sweep ------------------------------------------------------------------------------------

# (who, phase of the demo process). The first three sweep every route; the later ones, in the phases
# where agendas are written and covenants signed, only the routes that do not refuse them (403).
PASSES = [
    ("visitor", "issues"),
    ("wijkregisseur", "issues"),
    ("admin", "issues"),
    ("wijkregisseur", "agendas"),
    ("signatory", "agendas"),
    ("wijkregisseur", "covenants"),
    ("signatory", "covenants"),
]
PASS_IDS = [f"{who}-{phase}" for who, phase in PASSES]


def _client(swept, who: str, phase: str):
    from app.processes.models import Process

    with swept.app.app_context():
        db.session.execute(sa.update(Process).values(current_phase=phase))
        db.session.commit()
    client = swept.app.test_client()
    if ACCOUNTS[who]:
        response = client.post("/login", data={"email": ACCOUNTS[who], "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{who} could not sign in"
    return client


def _send(swept, client, who, method, url, data=None):
    """One request; an exception (TESTING propagates it) or a 5xx is noted as a failure."""
    started = time.perf_counter()
    try:
        response = client.open(url, method=method, data=data)
    except Exception as error:  # noqa: BLE001 - the exception that would have been a 500
        frames = [f for f in traceback.extract_tb(error.__traceback__) if "/app/" in f.filename]
        where = f"{Path(frames[-1].filename).relative_to(ROOT)}:{frames[-1].lineno}" if frames else "?"
        swept.failures.append(f"{who} {method} {url[:160]!r}: {type(error).__name__} at {where}: {str(error)[:160]}")
        return None, time.perf_counter() - started
    if response.status_code >= 500:
        swept.failures.append(f"{who} {method} {url[:160]!r}: {response.status_code}")
    return response, time.perf_counter() - started


def _rules(app, method: str):
    return sorted(
        (r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint != "static"), key=lambda r: r.rule
    )


def _report(swept):
    failures, swept.failures[:] = list(swept.failures), []
    assert not failures, f"{len(failures)} requests failed:\n" + "\n".join(failures[:40])


def _short(values: list) -> list:
    """Values short enough to go into every query parameter at once (a real URL has a few KB at most)."""
    return [v for v in values if len(v) < 100]


def _is_int(rule, name: str) -> bool:
    return type(_converter(rule, name)).__name__.endswith("IntegerConverter")


def _forms_on(response, path: str) -> dict[str, dict]:
    """The POST forms of an HTML page, by the path they post to (the page's own for an empty action)."""
    if response is None or response.status_code != 200 or response.mimetype != "text/html":
        return {}
    reader = FormReader()
    reader.feed(response.get_data(as_text=True))
    forms = {}
    for form in reader.forms:
        if form["post"]:
            fields = {k: v for k, v in form["fields"].items() if k != "csrf_token" and not k.endswith("submission_id")}
            forms.setdefault((form["action"] or path).split("?")[0], fields)  # no one-time token: each post counts
    return forms


def _one_field_at_a_time(swept, client, who, rule, url) -> None:
    """The route's form, as a page shows it and made valid, with one field hostile at a time: what a
    hostile value in every field at once cannot reach, since validation stops at the first field.
    The form comes from the route's own GET page, else from any page the GET sweep saw posting to it.
    Once per route, by the first pass that is let in (the first phase in which the form is open)."""
    path = url.split("?")[0]
    baseline = _forms_on(client.get(url), path).get(path) if "GET" in rule.methods else None
    baseline = baseline or swept.forms.get(path)
    if not baseline:
        return
    swept.forms_done.add(rule.endpoint)
    for name in sorted(baseline):
        for value in FIELD_VALUES:
            _send(swept, client, who, "POST", url, data={**baseline, name: value})


def _refused(response) -> bool:
    """Turned away before the form is looked at: 401/403, or sent to the login page."""
    if response is None:
        return False
    to_login = response.status_code == 302 and response.headers.get("Location", "").startswith("/login")
    return response.status_code in (401, 403) or to_login


@pytest.mark.parametrize(("who", "phase"), PASSES[:3], ids=PASS_IDS[:3])
def test_every_get_route_survives_hostile_parameters(swept, who, phase):
    client = _client(swept, who, phase)
    full = ACCOUNTS[who] is None  # the visitor sends every value; signed in, CORE (NUL is refused before any view)
    values = HOSTILE if full else [v for v in CORE if v != "\x00"]
    query_names = set(COMMON_NAMES) | scanned_names()
    for rule in _rules(swept.app, "GET"):
        for args in path_values(swept.app, rule, swept.values):
            READ.clear()
            response, seconds = _send(swept, client, who, "GET", build(rule, args))
            for action, fields in _forms_on(response, build(rule, args)).items():
                swept.forms.setdefault(action, fields)  # for the POST sweep
            read_here = set(READ)
            slow = seconds >= SLOW_SECONDS
            for name in args:  # each path parameter
                if _is_choice(rule, name) or (_is_int(rule, name) and not full):
                    continue  # an <int:…> is refused by the URL map, before any view: once is enough
                for value in CORE[:3] if slow or _is_int(rule, name) else values:
                    _send(swept, client, who, "GET", build(rule, {**args, name: value}))
            for value in _short(CORE[:3] if slow else values[: len(CORE)] + TWICE):  # every query name at once
                READ.clear()
                _send(swept, client, who, "GET", build(rule, args, dict.fromkeys(sorted(query_names), value)))
                read_here |= READ
            for name in sorted(read_here & query_names):  # each name the view reads, alone
                for value in CORE[:3] if slow else values + TWICE:
                    _send(swept, client, who, "GET", build(rule, args, {name: value}))
    _report(swept)


@pytest.mark.parametrize(("who", "phase"), PASSES, ids=PASS_IDS)
def test_every_post_route_survives_empty_and_hostile_bodies(swept, who, phase):
    fields = form_field_names()
    values = BODY_VALUES if ACCOUNTS[who] else CORE[:3]
    for rule in _rules(swept.app, "POST"):
        client = _client(swept, who, phase)  # again for each route: one may sign out, or change the account
        for args in path_values(swept.app, rule, swept.values):
            url = build(rule, args)
            READ.clear()
            response, _seconds = _send(swept, client, who, "POST", url, data={})
            refused = _refused(response)
            if phase != "issues" and refused:
                continue
            read_here = set(READ)
            if not refused and rule.endpoint not in swept.forms_done:
                _one_field_at_a_time(swept, client, who, rule, url)
            for value in values:
                long = isinstance(value, str) and len(value) > 100  # only in the fields read: below the size limit
                names = sorted(read_here) if long else sorted(fields | read_here)
                _send(swept, client, who, "POST", url, data=dict.fromkeys(names, value))
            for name in args:  # string path parameters reach the view; <int:…> ones were swept with GET
                if not _is_choice(rule, name) and not _is_int(rule, name):
                    for value in values:
                        _send(swept, client, who, "POST", build(rule, {**args, name: value}), data={})
    _report(swept)
    if (who, phase) == PASSES[-1]:  # the sweep still finds and fills the forms (the page markup may change)
        assert len(swept.forms_done) >= 20, sorted(swept.forms_done)
