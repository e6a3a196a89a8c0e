"""Plain Dutch in the details, shown on the pages, in Dutch and in English.

- a waiting time reads as people say it ("minder dan een minuut", "3 dagen", "2 weken"), never "0 seconden";
- sizes and decimals use the reader's decimal sign ("162,2 kB" and "0,2" in Dutch);
- a text that is too long gets the site's own words with the limit and its current length, and is not cut
  by the browser (no maxlength attribute); WTForms' own messages ("Ongeldige keuze") are replaced too;
- the demo texts say as many steps as they list.
"""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models_common import utcnow
from tests.conftest import make_issue, make_process, make_user

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def english(client) -> None:
    client.post("/language", data={"lang": "en"})


def groene_loper(html: str) -> str:
    match = re.search(r'<p class="groene-loper">(.*?)</p>', html, re.S)
    assert match, "the waiting time is missing"
    return " ".join(match.group(1).split())


# --- durations --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "dutch", "in_english"),
    [
        (timedelta(seconds=0), "minder dan een minuut", "less than a minute"),
        (timedelta(minutes=5), "5 minuten", "5 minutes"),
        (timedelta(days=3, hours=2), "3 dagen", "3 days"),
        (timedelta(days=14), "2 weken", "2 weeks"),
    ],
)
def test_a_waiting_issue_says_how_long_in_words(app, client, age, dutch, in_english):
    process = make_process(app)
    author = make_user(app, role="resident")
    issue = make_issue(app, process.id, author.id, created_at=utcnow() - age)
    text = groene_loper(client.get(f"/issues/{issue.id}").get_data(as_text=True))
    assert text == f"Wacht al {dutch} op antwoord van een partner of de gemeente."
    english(client)
    text = groene_loper(client.get(f"/issues/{issue.id}").get_data(as_text=True))
    assert text == f"Waiting for an answer from a partner or the municipality for {in_english}."


def test_answer_times_in_words_on_the_issue_and_the_process_page(app, client):
    from app.issues.models import Issue

    process = make_process(app)
    author = make_user(app, role="resident")
    issue = make_issue(app, process.id, author.id, created_at=utcnow() - timedelta(days=2))
    with app.app_context():
        found = db.session.get(Issue, issue.id)
        found.first_response_at = found.created_at + timedelta(seconds=30)
        db.session.commit()
    html = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert groene_loper(html) == "Een partner of de gemeente gaf na minder dan een minuut antwoord."
    html = " ".join(client.get(f"/processes/{process.slug}").get_data(as_text=True).split())
    assert "Bewoners krijgen na minder dan een minuut een eerste antwoord" in html
    assert "seconden" not in html


# --- numbers and sizes ------------------------------------------------------------------------------


def test_the_size_of_an_export_uses_the_readers_decimal_sign(app, client, auth):
    process = make_process(app)
    author = make_user(app, role="resident")
    for n in range(3):
        make_issue(app, process.id, author.id, title=f"Onderwerp {n} over de wijk")
    auth.login_as("facilitator")
    response = client.post("/exports", data={"process_slug": process.slug, "include": ["issues", "comments"]})
    assert response.status_code == 303
    status_url = response.headers["Location"]
    html = client.get(status_url).get_data(as_text=True)
    assert re.search(r"\(ZIP, \d+,\d kB\)", html), re.findall(r"\(ZIP, [^)]*\)", html)
    english(client)
    html = client.get(status_url).get_data(as_text=True)
    assert re.search(r"\(ZIP, \d+\.\d kB\)", html), re.findall(r"\(ZIP, [^)]*\)", html)


@pytest.mark.parametrize(
    ("size", "dutch", "in_english"),
    [
        (1, "1 byte", "1 byte"),
        (999, "999 bytes", "999 bytes"),
        (162_200, "162,2 kB", "162.2 kB"),
        (3_460_000, "3,5 MB", "3.5 MB"),
    ],
)
def test_file_sizes_in_both_languages(app, size, dutch, in_english):
    from flask_babel import force_locale

    from app.templating import file_size

    with app.test_request_context():
        assert file_size(size) == dutch
        with force_locale("en"):
            assert file_size(size) == in_english


def test_a_decimal_in_an_agenda_form_uses_the_readers_decimal_sign(app, client):
    """The demo's youth evening place needs 0.2 FTE: the edit form shows "0,2" in Dutch."""
    from app.agendas import services as agendas
    from app.agendas.models import Agenda
    from app.processes.models import Process
    from app.seeding import load_demo

    with app.app_context():
        load_demo()
        db.session.scalar(sa.select(Process)).current_phase = "agendas"
        db.session.commit()
        agenda = next(
            a
            for a in db.session.scalars(sa.select(Agenda))
            if any(i.get("fte") == 0.2 for i in agendas.document(a)["items"])
        )
        item = next(i for i in agendas.document(agenda)["items"] if i.get("fte") == 0.2)
        url = f"/issues/{agenda.issue_id}/agendas/{agenda.horizon}/activities/{item['id']}"
    client.post("/login", data={"email": "facilitator@example.org", "password": "lantaarn-fiets-dinsdag-42"})
    html = client.get(url).get_data(as_text=True)
    assert re.search(r'name="fte"[^>]*value="0,2"', html)
    english(client)
    html = client.get(url).get_data(as_text=True)
    assert re.search(r'name="fte"[^>]*value="0.2"', html)


# --- lengths and the library's words ----------------------------------------------------------------


def _new_issue(title: str) -> dict:
    return {
        "title": title,
        "description": "Het pad naar het winkelcentrum is 's avonds te donker om veilig te lopen.",
        "domains": ["safety"],
        "breadth": "single",
        "scale": "small",
        "term": "short",
        "step": "check",
    }


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<div class="utrecht-form-field-error-message" id="{field}-error">(.*?)</div>', html, re.S)
    assert match, f"no error next to {field}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_a_pasted_long_title_is_refused_plainly_not_cut(app, client, auth):
    process = make_process(app)
    auth.login_as("resident")
    url = f"/processes/{process.slug}/issues/new"
    form = client.get(url).get_data(as_text=True)
    assert "maxlength" not in form  # a browser would cut a pasted title silently at the limit
    response = client.post(url, data=_new_issue("x" * 10_000))
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    assert field_error(html, "title") == "Dit mag hoogstens 140 tekens zijn. U heeft er nu 10.000."
    assert "karakter" not in html
    assert "x" * 10_000 in html  # the text stays in the field, so nothing is lost while shortening it
    english(client)
    html = client.post(url, data=_new_issue("x" * 10_000)).get_data(as_text=True)
    assert field_error(html, "title") == "This can be at most 140 characters. You now have 10,000."
    with app.app_context():
        from app.issues.models import Issue

        assert db.session.scalar(sa.select(sa.func.count()).select_from(Issue)) == 0


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_uses_the_sites_words_and_length_checks(app):
    """Every form of the site derives from forms_common.Form and checks lengths with max_length/length_between."""
    from flask_wtf import FlaskForm
    from wtforms.validators import Length

    from app.forms_common import Form, TextLength

    forms = [f for f in _subclasses(FlaskForm) if f.__module__.startswith("app.")]  # create_app imported them all
    assert len(forms) > 25
    checked = 0
    for form_class in forms:
        assert issubclass(form_class, Form), f"{form_class.__module__}.{form_class.__name__} is not a forms_common.Form"
        for name in dir(form_class):
            unbound = getattr(form_class, name)
            for validator in getattr(unbound, "kwargs", {}).get("validators") or []:
                if isinstance(validator, Length):
                    assert isinstance(validator, TextLength), f"{form_class.__name__}.{name} uses wtforms' Length"
                    assert validator.field_flags == {}
                    checked += 1
    assert checked > 40


def test_a_wrong_choice_or_number_gets_the_sites_words(app, client, auth):
    process = make_process(app)
    author = make_user(app, role="resident")
    issue = make_issue(app, process.id, author.id)
    auth.login_as("resident")
    response = client.post(
        f"/issues/{issue.id}/comments", data={"body": "Goed idee, ik help mee.", "stance": "maybe", "kind": "question"}
    )
    html = response.get_data(as_text=True)
    assert field_error(html, "stance") == "Kies een van de mogelijkheden."
    assert "Ongeldige keuze" not in html and "Not a valid choice" not in html
    english(client)
    html = client.post(
        f"/issues/{issue.id}/comments", data={"body": "Good idea, I will help.", "stance": "maybe", "kind": "question"}
    ).get_data(as_text=True)
    assert field_error(html, "stance") == "Choose one of the options."


def test_a_number_that_is_not_a_number_gets_the_sites_words(app, client, auth):
    process = make_process(app)
    auth.login_as("wijkregisseur")
    response = client.post(
        f"/processes/{process.slug}/priorities/settings",
        data={"points_per_person": "vijf", "max_per_issue": "300"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Vul een heel getal in, bijvoorbeeld 3." in html
    assert "Vul een getal in van 1 tot en met 50." in html
    assert "Ongeldig getal" not in html and "Nummer moet" not in html


# --- the demo texts ---------------------------------------------------------------------------------

NUMBERS = {"twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9, "tien": 10}
CLAIM = re.compile(r"\b(" + "|".join(NUMBERS) + r") (\w+)[^\n]*:\n\n((?:(?:[-*]|\d+\.) .*\n?)+)")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def claims(text: str) -> list[tuple[str, int, int]]:
    """(what is counted, the number the text says, how many items its list has) for "in vijf stappen:" + list.

    A list of phases counts only the items that are a phase ("Fase 2: ..."), not the interim stop."""
    found = []
    for word, noun, items in CLAIM.findall(text):
        lines = [line for line in items.splitlines() if line.strip()]
        if noun.startswith("fase"):
            lines = [line for line in lines if "Fase" in line]
        found.append((noun, NUMBERS[word], len(lines)))
    return found


def test_the_claim_check_sees_the_old_mistake():
    old = "We werken in vijf stappen:\n\n1. a\n2. b\n3. c\n4. d\n5. e\n6. f\n\nDaarna..."
    assert claims(old) == [("stappen", 5, 6)]


def test_demo_texts_say_as_many_steps_as_they_list():
    counted = []
    for path in sorted(SEEDS.glob("*.toml")):
        for text in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            for noun, said, listed in claims(text):
                counted.append(noun)
                assert said == listed, f"{path.name}: says {said} {noun} but lists {listed}"
    assert "fasen" in counted  # the process plan is checked


def test_the_demo_plan_lists_the_phases_the_platform_shows(app, client):
    from app.seeding import load_demo

    with app.app_context():
        load_demo()
        db.session.commit()
    html = client.get("/processes/buytenwegh").get_data(as_text=True)
    assert "We werken in vijf fasen, met halverwege een tussenstop" in html
    for n, title in enumerate(
        ["Plan van aanpak", "Deelnemers kiezen", "Onderwerpen kiezen", "Agenda's maken", "Convenanten ondertekenen"]
    ):
        assert f"Fase {n}: {title}".replace("'", "&#39;") in html
