"""On a 360-pixel phone, measured in the browser: nothing runs off the screen; a wide table scrolls inside its
own box (which fits, is reachable by keyboard, and keeps its caption in view); labels of check boxes and radio
buttons keep a readable width; chart text is at least 12 pixels high; similar issues appear right under the
title while someone types it; required fields nobody touched are not red. And pages load without a failed
request or a console error (the icon)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_agendas_in_the_browser import set_phase

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}

# Every template with a table, a check box or radio button, or a chart, by who can open it.
PAGES = {
    None: [
        "/",
        "/register",
        "/login",
        "/processes/buytenwegh",
        "/processes/buytenwegh/priorities",  # bar chart, table
        "/processes/buytenwegh/balance",  # ternary chart, four tables
        "/help/balance",
        "/processes/buytenwegh/links",
        "/issues/1",
        "/issues/3",  # a hidden reaction's placeholder
        "/issues/1/agendas/1",
        "/covenants/1",  # signatures, versions
        "/covenants/2",
        "/covenants/1/versions/1",
        "/covenants/verify",
        "/council",
        "/council/positions/1",
        "/moderation/log",
    ],
    "bewoner@example.org": [
        "/processes/buytenwegh/issues/new",  # check boxes, radio buttons
        "/issues/1",  # the reaction form
        "/issues/1/report",
        "/account",
        "/issues/3/working-group",
        "/mijn",
        "/mijn/onderwerpen",
    ],
    "partner@example.org": ["/account/organisations"],
    "wijkregisseur@example.org": [
        "/processes/buytenwegh",
        "/processes/buytenwegh/edit",
        "/processes/buytenwegh/phase?phase=covenants",  # skipping a phase: the warning alert
        "/processes/new",
        "/processes/buytenwegh/balance",  # with the form for the intended balance
        "/processes/buytenwegh/priorities",
        "/admin/memberships",
        "/admin/organisations",
        "/admin/organisations/new",
        "/moderation",
        "/moderation/issue/2",
        "/moderation/issue/2/classification",
        "/issues/1/working-group",
        "/covenants/2/parties",
        "/covenants/2/edit",
        "/dashboard",  # the work overview
        "/dashboard?process=buytenwegh",
        "/",  # with "What is waiting for you"
    ],
    "admin@example.org": ["/admin/users", "/admin/users/1", "/admin/organisations/1"],
    "raad@example.org": ["/council/positions/new", "/council/positions/1/edit"],
    "facilitator@example.org": ["/exports", "/dashboard"],
    "wethouder@example.org": ["/dashboard", "/"],
}

# Returns a list of problems on the current page, in words.
LAYOUT_PROBLEMS = """
() => {
  const vw = document.documentElement.clientWidth;
  const screen = { left: 0, right: vw };
  const problems = [];
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  const text = (e) => (e.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 50);
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && getComputedStyle(e).visibility !== "hidden";
  };
  const clipper = (e) => {  // the nearest ancestor that scrolls or clips sideways
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return p;
    }
    return null;
  };
  const within = (r, box) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5;

  if (document.documentElement.scrollWidth > vw)
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${vw})`);

  // Every visible element of the content: on the screen, or inside a scrolling box that is.
  for (const e of document.querySelectorAll("main *")) {
    if (e.closest("svg") && e.tagName.toLowerCase() !== "svg") continue;
    if (!visible(e) || within(e.getBoundingClientRect(), screen)) continue;
    const c = clipper(e);
    if (!c || !within(c.getBoundingClientRect(), screen)) problems.push(`${name(e)} runs off the screen: “${text(e)}”`);
  }

  // A table fits, or scrolls inside a box that the keyboard reaches; its caption stays in the visible part.
  for (const t of document.querySelectorAll("main table")) {
    if (!visible(t)) continue;
    const c = clipper(t);
    if (!within(t.getBoundingClientRect(), screen) && !c) problems.push(`the table “${text(t)}” runs off the screen`);
    if (c && c.scrollWidth > c.clientWidth + 1 && c.tabIndex < 0)
      problems.push(`the scrolling table “${text(t)}” cannot be reached by keyboard`);
    const box = c ? c.getBoundingClientRect() : screen;
    const cap = t.querySelector("caption");
    const seen = { left: Math.max(0, box.left), right: Math.min(vw, box.right) };
    if (cap && visible(cap) && !within(cap.getBoundingClientRect(), seen))
      problems.push(`the caption “${text(cap)}” runs off the visible part of its table`);
  }

  // Labels of check boxes and radio buttons: one line, or a readable width.
  for (const input of document.querySelectorAll("main input[type=checkbox], main input[type=radio]")) {
    if (!visible(input) || !input.labels || !input.labels.length) continue;
    const label = input.labels[0];
    const r = label.getBoundingClientRect();
    const box = (label.closest("fieldset, .utrecht-form-field, form") || label.parentElement).getBoundingClientRect();
    const oneLine = r.height < (parseFloat(getComputedStyle(label).lineHeight) || 24) * 1.6;
    if (!oneLine && r.width < 200 && r.width < 0.6 * box.width)
      problems.push(`the label “${text(label)}” is squeezed to ${Math.round(r.width)} px`);
  }

  // Headings (in alerts, cards, side by side with lists): one line, or a readable width.
  for (const h of document.querySelectorAll("main h1, main h2, main h3, main h4")) {
    if (!visible(h) || !text(h)) continue;
    const r = h.getBoundingClientRect();
    const box = h.parentElement.getBoundingClientRect();
    const oneLine = r.height < (parseFloat(getComputedStyle(h).lineHeight) || 24) * 1.6;
    if (!oneLine && r.width < 200 && r.width < 0.6 * box.width)
      problems.push(`the heading “${text(h)}” is squeezed to ${Math.round(r.width)} px`);
  }

  // Chart text: at least 12 CSS pixels as rendered, and inside its chart.
  for (const t of document.querySelectorAll("main svg text")) {
    if (!visible(t) || !text(t)) continue;
    const svg = t.ownerSVGElement;
    const size = parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a;
    if (size < 12) problems.push(`chart text “${text(t)}” is ${size.toFixed(1)} px high`);
    if (!within(t.getBoundingClientRect(), svg.getBoundingClientRect()))
      problems.push(`chart text “${text(t)}” is cut off`);
  }

  // Required fields nobody touched yet: no error colour.
  for (const f of document.querySelectorAll("main input:required, main textarea:required, main select:required")) {
    if (!visible(f) || f.getAttribute("aria-invalid") === "true") continue;
    if (window.__isRed(f)) problems.push(`the untouched field ${name(f)} has a red border`);
  }
  return problems;
}
"""

# Whether an element has a red border (the error colour of the site and of the design system).
IS_RED = """
window.__isRed = (f) => {
  const s = getComputedStyle(f);
  return ["Top", "Right", "Bottom", "Left"].some((side) => {
    const [r, g, b] = s[`border${side}Color`].match(/\\d+/g).map(Number);
    return parseFloat(s[`border${side}Width`]) > 0 && r >= 128 && g < 90 && b < 90;
  });
};
"""


def phone(new_page):
    page = new_page(**PHONE)
    page.add_init_script(IS_RED)
    return page


def problems_on(page, url):
    page.goto(url)
    return page.evaluate(LAYOUT_PROBLEMS)


@pytest.mark.parametrize("who", list(PAGES), ids=lambda who: who or "visitor")
def test_pages_fit_a_phone(live_server, new_page, who):
    page = phone(new_page)
    if who:
        log_in(page, live_server, who)
    found = {}
    for path in PAGES[who]:
        problems = problems_on(page, live_server + path)
        if problems:
            found[path] = problems
    assert found == {}, f"as {who or 'visitor'} at 360 px"


def test_signing_page_fits_a_phone(live_server, new_page):
    director = new_page(javascript=False)
    set_phase(director, live_server, "covenants")
    try:
        page = phone(new_page)
        log_in(
            page, live_server, "politie@example.org"
        )  # bestuur-piezo signs covenant 2 in test_covenants_in_the_browser (same live server)
        assert problems_on(page, live_server + "/covenants/2/sign") == []
        statement = page.locator("label[for=confirm]").bounding_box()
        assert statement["width"] > 250  # the statement's check box label, not one word per line
    finally:
        set_phase(new_page(javascript=False), live_server, "issues")


def test_similar_issues_appear_right_under_the_title(live_server, new_page):
    page = phone(new_page)
    log_in(page, live_server, "buurtbewoner25@example.org")
    page.goto(live_server + "/processes/buytenwegh/issues/new")
    # in the document: the hints follow the title's field directly (screen readers meet them there too)
    assert page.evaluate(
        "document.querySelector('#title').closest('.utrecht-form-field').nextElementSibling.matches('[data-similar-live]')"
    )
    page.type("#title", "Eenzaamheid ouderen", delay=20)
    page.wait_for_selector("[data-similar-box]:not([hidden]) li", timeout=5000)
    title = page.locator("#title").bounding_box()
    hints = page.locator("[data-similar-box]").bounding_box()
    description_label = page.locator("label[for=description]").bounding_box()
    gap = hints["y"] - (title["y"] + title["height"])
    assert 0 <= gap <= 24, f"the hints start {gap} px under the title field"
    assert hints["y"] + hints["height"] <= description_label["y"]
    assert page.evaluate(LAYOUT_PROBLEMS) == []


def test_required_fields_turn_red_only_after_an_attempt(live_server, new_page):
    page = phone(new_page)
    page.goto(live_server + "/register")
    assert not page.evaluate("window.__isRed(document.querySelector('#display_name'))")
    # changed by the person and wrong: red at once
    page.fill("#email", "geen-adres")
    page.keyboard.press("Tab")
    assert page.evaluate("window.__isRed(document.querySelector('#email'))")
    assert not page.evaluate("window.__isRed(document.querySelector('#password'))")
    # sent with errors: the server marks the fields
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("window.__isRed(document.querySelector('#display_name'))")

    page.goto(live_server + "/processes/buytenwegh/issues/new")  # a login page for a visitor: a fresh form
    log_in(page, live_server, "bewoner@example.org")
    page.goto(live_server + "/processes/buytenwegh/issues/new")
    assert not page.evaluate("window.__isRed(document.querySelector('#description'))")


def test_pages_load_without_failed_requests_or_console_errors(live_server, new_page):
    page = new_page(**PHONE)
    failures = []
    page.on("console", lambda message: message.type == "error" and failures.append(f"console: {message.text}"))
    page.on("requestfailed", lambda request: failures.append(f"failed: {request.url}"))
    page.on(
        "response", lambda response: response.status >= 400 and failures.append(f"{response.status}: {response.url}")
    )
    for path in ("/", "/processes/buytenwegh", "/issues/1"):
        page.goto(live_server + path, wait_until="networkidle")
    assert failures == []
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).ok and page.request.get(live_server + "/favicon.ico").ok
