"""Dutch first, English complete: the language switch, and catalogs that cover every string."""

from pathlib import Path

from babel.messages.pofile import read_po

from app.cli import extract_messages

ROOT = Path(__file__).resolve().parent.parent
NL_PO = ROOT / "app" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"


def test_dutch_is_the_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl"' in html
    assert "Naar de inhoud" in html and "Inloggen" in html


def test_switching_to_english_and_back(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en"' in html and "Skip to content" in html and "Forgot your password?" in html
    assert 'value="nl"' in html and 'lang="nl"' in html  # the switch back, marked in its own language
    client.post("/language", data={"lang": "nl"})
    assert '<html lang="nl"' in client.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "xx"})
    assert '<html lang="nl"' in client.get("/").get_data(as_text=True)


def test_language_survives_login(app, client, auth):
    client.post("/language", data={"lang": "en"})
    auth.login_as("resident")
    assert '<html lang="en"' in client.get("/account").get_data(as_text=True)


def test_dutch_catalog_covers_every_string_in_the_code(tmp_path):
    """Extract afresh: every msgid in code and templates has a Dutch translation, none fuzzy."""
    pot = tmp_path / "messages.pot"
    extract_messages(pot)
    extracted = {m.id for m in read_po(pot.open("rb")) if m.id}
    catalog = read_po(NL_PO.open("rb"))
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[message.id] = all(strings) and not message.fuzzy
    missing = sorted(str(i) for i in extracted if not translated.get(i))
    assert len(extracted) > 250
    assert missing == [], f"untranslated in nl: {missing[:10]} (run `flask translate update`, then translate)"


def test_english_is_complete_because_it_is_the_source_language(client):
    """msgids are English, so English can never miss a string. Spot-check a few pages for Dutch leftovers."""
    client.post("/language", data={"lang": "en"})
    for url in ("/", "/register", "/privacy", "/accessibility", "/password/forgot"):
        html = client.get(url).get_data(as_text=True)
        for dutch in ("Inloggen", "Registreren", "wachtwoord", "Wijk van de toekomst", "Naar de inhoud"):
            assert dutch not in html, (url, dutch)
