"""A live server with the demo data, and Debian's Chromium driven by Playwright.

The server runs in a thread of the test process; the browser is a separate process.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from app.seeding import load_demo
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "lantaarn-fiets-dinsdag-42"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


LIVE: dict = {}


def mails_to(address: str) -> list:
    """The mails the live server sent to `address`, oldest first."""
    return [m for m in LIVE["app"].extensions.get("mail_outbox", []) if m.to == address]


@pytest.fixture(scope="session")
def live_server(schema_template, tmp_path_factory):
    import shutil

    from tests.conftest import PG_URL

    if PG_URL:
        url = PG_URL
    else:
        target = tmp_path_factory.mktemp("live") / "live.sqlite"
        shutil.copy(schema_template, target)
        url = f"sqlite:///{target}"
    app = make_app(url)
    with app.app_context():
        if PG_URL:
            from tests.conftest import _empty_postgres

            _empty_postgres()
        load_demo()
        db.session.commit()
    LIVE["app"] = app  # tests read the mails the server sent (memory backend)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    if PG_URL:
        with app.app_context():
            _empty_postgres()
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """A factory for pages in fresh contexts (separate cookies), closed after the test."""
    contexts = []

    def open_page(width=1280, height=900, javascript=True):
        # bypass_csp lets the test inject axe-core; the site's own CSP stays as it is.
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript, bypass_csp=True, locale="nl-NL"
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"login failed for {email}"
