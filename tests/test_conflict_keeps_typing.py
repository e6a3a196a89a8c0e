"""The conflict pages (agendas and covenant texts) show again what the person typed and chose when their
choices are refused, so a combination they wrote is never replaced by their old version; choices made
while someone else saved again are not ticked for them, but what they typed stays."""

import re

from tests.conftest import make_user
from tests.covenant_helpers import make_covenant
from tests.test_agendas import add_activity, browser_for, current, setup, texts
from tests.test_covenant_drafting import browser, drafter_browser, edit


def textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, name
    return found.group(1)


def checked(page: str, name: str) -> list[str]:
    """The values of the ticked radio buttons of this group."""
    return re.findall(rf'name="{re.escape(name)}" value="(\w+)"[^>]*\bchecked\b', page)


def against(page: str) -> str:
    return re.search(r'name="against" value="(\d+)"', page).group(1)


# --- agendas -------------------------------------------------------------------------------------


def test_a_refused_choice_on_an_agenda_keeps_the_typed_combination_and_the_choices(app):
    _process, issue = setup(app)
    a, _ = browser_for(app)
    b, _ = browser_for(app)
    add_activity(a, issue, 0, title="Schouw", status="proposed")
    activity = current(app, issue)[1]["items"][0]["id"]
    url = f"/issues/{issue.id}/agendas/1/activities/{activity}"
    a.post(url, data={"base": "1", "title": "Schouw in de wijk", "status": "proposed"})
    b.post(url, data={"base": "1", "title": "Schouw met de buurt", "status": "proposed"})
    conflict = f"/issues/{issue.id}/agendas/1/conflict"
    page = b.get(conflict).get_data(as_text=True)
    key = f"item:{activity}:title"
    assert textarea(page, f"own-{key}") == "Schouw met de buurt" and checked(page, f"choice-{key}") == []

    # typed, but no choice made: refused, and the typing is still there
    page = b.post(conflict, data={"against": against(page), f"own-{key}": "Schouw, samen"}).get_data(as_text=True)
    assert textarea(page, f"own-{key}") == "Schouw, samen"
    assert "Schouw met de buurt" in page  # their own version is still shown beside it

    # a combination the agenda refuses (too short a title): both the choice and the text stay
    refused = b.post(conflict, data={"against": against(page), f"choice-{key}": "own", f"own-{key}": "Sc"})
    page = refused.get_data(as_text=True)
    assert "at least 3 characters" in page or "minstens 3 tekens" in page
    assert textarea(page, f"own-{key}") == "Sc" and checked(page, f"choice-{key}") == ["own"]
    assert current(app, issue)[1]["items"][0]["title"] == "Schouw in de wijk"  # nothing saved

    done = b.post(conflict, data={"against": against(page), f"choice-{key}": "own", f"own-{key}": "Schouw, samen"})
    assert done.status_code == 302
    assert current(app, issue)[1]["items"][0]["title"] == "Schouw, samen"


def summary_conflict(app):
    """A and B both changed the summary from revision 1: B's version is kept and B must choose."""
    _process, issue = setup(app)
    a, _ = browser_for(app)
    b, _ = browser_for(app)
    texts(a, issue, 0, summary="Begin")
    texts(a, issue, 1, summary="Versie van A")
    texts(b, issue, 1, summary="Versie van B")
    return issue, a, b, f"/issues/{issue.id}/agendas/1/conflict"


def test_choices_made_while_someone_saved_again_are_not_ticked_but_the_typing_stays(app):
    issue, a, b, conflict = summary_conflict(app)
    stale = against(b.get(conflict).get_data(as_text=True))
    texts(a, issue, 2, summary="Nog een versie van A")  # saved while B chooses
    page = b.post(
        conflict, data={"against": stale, "choice-field:summary": "own", "own-field:summary": "A en B samen"}
    ).get_data(as_text=True)
    assert "Nog een versie van A" in page  # the new saved text to choose against
    assert against(page) != stale
    assert checked(page, "choice-field:summary") == []  # chosen against another text: choose again
    assert textarea(page, "own-field:summary") == "A en B samen"


def test_throwing_ones_version_away_needs_no_choices(app):
    """The browser must not ask for a choice on every point before the version can be thrown away."""
    _issue, _a, b, conflict = summary_conflict(app)
    page = b.get(conflict).get_data(as_text=True)
    (button,) = re.findall(r'<button[^>]*name="discard"[^>]*>', page)
    assert "formnovalidate" in button


# --- covenant texts ------------------------------------------------------------------------------


def test_a_refused_choice_on_a_covenant_keeps_the_typed_combination_and_the_choices(app):
    world = make_covenant(app)
    facilitator = make_user(app, role="facilitator")
    first, second = drafter_browser(app, world), browser(app, facilitator, lang="en")
    assert edit(first, world.covenant_id, 1, "Tekst van Wendy", title="Een veilig fietspad").status_code == 302
    assert edit(second, world.covenant_id, 1, "Tekst van Fenna", title="Fietspad, veilig").status_code == 302
    resolve = f"/covenants/{world.covenant_id}/resolve"
    page = second.get(resolve).get_data(as_text=True)
    assert textarea(page, "own-field:text") == "Tekst van Fenna\n"

    refused = second.post(
        resolve,
        data={
            "against": against(page),
            "choice-field:title": "own",
            "own-field:title": "Fi",  # too short: the covenant refuses it
            "choice-field:text": "own",
            "own-field:text": "Tekst van Wendy en Fenna, samen geschreven",
        },
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "at least 3 characters" in page
    assert textarea(page, "own-field:text") == "Tekst van Wendy en Fenna, samen geschreven"
    assert textarea(page, "own-field:title") == "Fi"
    assert checked(page, "choice-field:text") == ["own"] and checked(page, "choice-field:title") == ["own"]

    done = second.post(
        resolve,
        data={
            "against": against(page),
            "choice-field:title": "theirs",
            "choice-field:text": "own",
            "own-field:text": textarea(page, "own-field:text"),
        },
    )
    assert done.status_code == 302
