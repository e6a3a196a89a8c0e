"""Each place shows the decision it names: "chosen for the agendas" shows why it was chosen, not a later
merge note; the history and the API tell a merge note from a decision."""

from __future__ import annotations

import re

from tests.conftest import make_issue, make_process, make_user

RATIONALE = "Gekozen omdat veel bewoners zich zorgen maken over de veiligheid."
MERGE_NOTE = "Samengevoegd omdat beide onderwerpen over dezelfde winkelstraat gaan."


def _decide(client, issue_id: int, decision: str, reason: str, target_id: int | None = None):
    data = {"decide-decision": decision, "decide-reason": reason}
    if target_id:
        data["decide-target_id"] = str(target_id)
    response = client.post(f"/issues/{issue_id}/decide", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def _shortlist_section(html: str) -> str:
    """The process page's "Gekozen voor de agenda's" list."""
    found = re.search(r'<ul class="shortlist">(.*?)</ul>', html, re.S)
    assert found, "no shortlist on the process page"
    return found.group(1)


def _setup(app, client, auth):
    process = make_process(app, phase="issues")
    author = make_user(app)
    chosen = make_issue(app, process.id, author.id, title="Veilig winkelgebied")
    joining = make_issue(app, process.id, author.id, title="Meer licht bij de winkels")
    auth.login_as("wijkregisseur")
    _decide(client, chosen.id, "shortlist", RATIONALE)
    return process, chosen, joining


def test_a_merge_into_a_shortlisted_issue_keeps_its_rationale_on_the_process_page(app, client, auth):
    process, chosen, joining = _setup(app, client, auth)
    _decide(client, joining.id, "merge", MERGE_NOTE, target_id=chosen.id)

    shortlist = _shortlist_section(client.get(f"/processes/{process.slug}").get_data(as_text=True))
    assert "Veilig winkelgebied" in shortlist
    assert "Gekozen omdat veel bewoners" in shortlist
    assert "Samengevoegd omdat" not in shortlist

    # The issue page keeps both, each for what it is.
    page = client.get(f"/issues/{chosen.id}").get_data(as_text=True)
    history = page[page.index('id="history-title"') :]
    assert "Gekozen omdat veel bewoners" in history and "Samengevoegd omdat" in history
    assert "Samengevoegd met dit onderwerp: Meer licht bij de winkels" in history


def test_the_newest_shortlisting_counts_after_reopening(app, client, auth):
    process, chosen, joining = _setup(app, client, auth)
    _decide(client, chosen.id, "reopen", "Eerst nog met de winkeliers praten.")
    _decide(client, chosen.id, "shortlist", "Opnieuw gekozen na het gesprek met de winkeliers.")
    _decide(client, joining.id, "merge", MERGE_NOTE, target_id=chosen.id)

    shortlist = _shortlist_section(client.get(f"/processes/{process.slug}").get_data(as_text=True))
    assert "Opnieuw gekozen na het gesprek" in shortlist
    assert "Gekozen omdat veel bewoners" not in shortlist and "Samengevoegd omdat" not in shortlist


def test_the_api_history_tells_a_merge_from_a_decision(app, client, auth):
    _process, chosen, joining = _setup(app, client, auth)
    _decide(client, joining.id, "merge", MERGE_NOTE, target_id=chosen.id)

    history = client.get(f"/api/v1/issues/{chosen.id}").get_json()["history"]
    decisions = [h for h in history if h["event"] == "decision"]
    merges = [h for h in history if h["event"] == "merged"]
    assert [d["status"] for d in decisions] == ["open", "shortlisted"]
    assert decisions[-1]["reason"] == RATIONALE and decisions[-1]["merged_from"] is None
    assert len(merges) == 1 and merges[0]["reason"] == MERGE_NOTE and merges[0]["merged_from"] == joining.id


def test_the_booklet_shows_the_shortlisting_rationale(app, client, auth):
    from app.exports.booklet import booklet_context
    from app.processes.services import get_process

    process, chosen, joining = _setup(app, client, auth)
    _decide(client, joining.id, "merge", MERGE_NOTE, target_id=chosen.id)
    with app.test_request_context():
        context = booklet_context(get_process(process.slug), {"issues"})
        [(issue, decision)] = context["shortlist"]
        assert issue.id == chosen.id and decision.reason == RATIONALE
