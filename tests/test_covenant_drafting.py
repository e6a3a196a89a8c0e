"""Drafting covenants through the pages: a new covenant from agreed agendas, editing its text (merges,
conflicts, drafts), history and restore, parties with reasons, the council rule and opening for signature,
and refusing every role but the drafters on every POST route."""

import re
from datetime import date

import sqlalchemy as sa

from app.covenants.models import (
    Covenant,
    CovenantDraft,
    CovenantParty,
    CovenantRevision,
    CovenantVersion,
)
from app.extensions import db
from tests.conftest import PASSWORD, make_issue, make_organisation, make_process, make_user, page_text
from tests.covenant_helpers import agreed_agenda, make_covenant, open_covenant


def browser(app, person, lang=None):
    """A logged-in client for `person` (an object with an email), optionally in another language."""
    client = app.test_client()
    if lang:
        client.post("/language", data={"lang": lang})
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


def drafter_browser(app, world, lang=None):
    return browser(app, world.drafter, lang)


def covenant_state(app, covenant_id):
    from app.covenants import services

    with app.app_context():
        covenant = db.session.get(Covenant, covenant_id)
        return {
            "revision": covenant.current_revision,
            "version": covenant.current_version,
            "status": covenant.status,
            "title": covenant.title,
            "commits": covenant.commits_municipality,
            "fields": services.TEXTS.document(covenant)["fields"],
            "parties": {p.party: (p.removed, p.reason) for p in covenant.parties},
        }


def edit(client, covenant_id, base, text, title="Veilig fietspad", message="aangepast"):
    return client.post(
        f"/covenants/{covenant_id}/edit", data={"base": str(base), "title": title, "text": text, "message": message}
    )


# --- a new covenant ------------------------------------------------------------------------------


def test_a_drafter_makes_a_covenant_from_agreed_agendas_with_a_proposed_text(app):
    process = make_process(app, phase="covenants")
    org_a = make_organisation(app, "Woningcorporatie De Veste")
    org_b = make_organisation(app, "Welzijn Zoetermeer")
    drafter = make_user(app, role="wijkregisseur")
    issue = make_issue(app, process.id, drafter.id, title="Meer licht op het fietspad", status="shortlisted")
    activities = [
        {"title": "Lantaarns plaatsen", "responsible": str(org_a.id), "euros": 25000, "from_q": "2027-Q1"},
        {"title": "Buurtavond", "responsible": str(org_b.id), "hours": 40, "to_q": "2027-Q4"},
    ]
    agenda_id = agreed_agenda(app, issue.id, drafter.id, activities, horizon=5)
    client = browser(app, drafter, lang="en")

    page = client.get(f"/covenants/new?process={process.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Meer licht op het fietspad, 5-year agenda" in html and f'value="{agenda_id}"' in html

    response = client.post(
        f"/covenants/new?process={process.id}", data={"title": "Licht op het fietspad", "agendas": [str(agenda_id)]}
    )
    assert response.status_code == 302 and re.search(r"/covenants/\d+/edit$", response.headers["Location"])
    with app.app_context():
        covenant = db.session.scalar(sa.select(Covenant))
        assert covenant.title == "Licht op het fietspad" and covenant.current_revision == 1
        assert [a.id for a in covenant.agendas] == [agenda_id]
        assert {p.party for p in covenant.parties} == {"municipality", str(org_a.id), str(org_b.id)}
        assert all(p.from_agendas for p in covenant.parties)
        assert covenant.commits_municipality is False
        text = db.session.scalar(sa.select(CovenantRevision.document)).get("fields")["text"]
    for expected in (
        "## Parties",
        "Woningcorporatie De Veste",
        "Welzijn Zoetermeer",
        "What each party commits to",
        "**Lantaarns plaatsen**",
        "€ 25,000",
        "from 2027-Q1",
        "40 hours",
        "until 2027-Q4",
        "How the agendas stay current",
        "How we judge whether it works",
        "Duration and evaluation",
        "for 5 years",
        "Stepping out",
    ):
        assert expected in text, expected
    edit_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lantaarns plaatsen" in edit_page and 'name="base" type="hidden" value="1"' in edit_page


def test_the_commits_box_and_the_agendas_decide_the_municipal_setting(app):
    process = make_process(app, phase="agendas")  # drafting starts in phase 3 already
    drafter = make_user(app, role="facilitator")
    issue = make_issue(app, process.id, drafter.id, status="shortlisted")
    agenda_id = agreed_agenda(app, issue.id, drafter.id, [{"title": "Snoeien", "responsible": "municipality"}])
    client = browser(app, drafter)
    response = client.post(
        f"/covenants/new?process={process.id}", data={"title": "Groen", "agendas": [str(agenda_id)], "commits": "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Covenant.commits_municipality)) is True


def test_without_agreed_agendas_the_page_says_so_and_offers_no_form(app):
    process = make_process(app, phase="covenants")
    drafter = make_user(app, role="wijkregisseur")
    client = browser(app, drafter, lang="en")
    page = client.get(f"/covenants/new?process={process.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "A covenant is drawn from agreed agendas" in html and "no agreed agendas yet" in html
    assert 'name="title"' not in html


def test_new_needs_an_existing_process(app):
    drafter = make_user(app, role="wijkregisseur")
    client = browser(app, drafter)
    assert client.get("/covenants/new?process=999").status_code == 404
    assert client.get("/covenants/new").status_code == 404


def test_bad_input_for_a_new_covenant_is_shown_next_to_the_field_and_saves_nothing(app):
    process = make_process(app, phase="covenants")
    drafter = make_user(app, role="wijkregisseur")
    issue = make_issue(app, process.id, drafter.id, status="shortlisted")
    agenda_id = agreed_agenda(app, issue.id, drafter.id, [{"title": "Snoeien", "responsible": "municipality"}])
    other = make_process(app, phase="covenants")
    other_issue = make_issue(app, other.id, drafter.id, status="shortlisted")
    foreign = agreed_agenda(app, other_issue.id, drafter.id, [{"title": "Elders", "responsible": "municipality"}])
    client = browser(app, drafter)
    for field_name, data in (
        ("title", {"title": "", "agendas": [str(agenda_id)]}),
        ("title", {"title": "ab", "agendas": [str(agenda_id)]}),
        ("agendas", {"title": "Groen"}),
        ("agendas", {"title": "Groen", "agendas": [str(foreign)]}),
    ):
        response = client.post(f"/covenants/new?process={process.id}", data=data)
        assert response.status_code == 400, data
        assert f'id="{field_name}-error"' in response.get_data(as_text=True), data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Covenant)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CovenantParty)) == 0


# --- refusals ------------------------------------------------------------------------------------


def post_routes(world):
    c = world.covenant_id
    return [
        (f"/covenants/new?process={world.process.id}", {"title": "Nog een", "agendas": [str(world.agenda_ids[0])]}),
        (f"/covenants/{c}/edit", {"base": "1", "title": "Gekaapt", "text": "Andere tekst"}),
        (f"/covenants/{c}/resolve", {"against": "1", "choice-field:text": "mine"}),
        (f"/covenants/{c}/discard", {}),
        (f"/covenants/{c}/history/1/restore", {}),
        (f"/covenants/{c}/parties/add", {"add-party": "municipality", "add-reason": "Omdat het moet, echt waar"}),
        (f"/covenants/{c}/parties/municipality/remove", {"remove-municipality-reason": "Omdat het moet, echt"}),
        (f"/covenants/{c}/settings", {"commits": "y"}),
        (f"/covenants/{c}/open", {}),
    ]


def test_every_post_route_refuses_residents_partners_aldermen_and_visitors(app):
    world = make_covenant(app)
    before = covenant_state(app, world.covenant_id)
    people = {"resident": world.resident, "partner": world.signatories[0], "wethouder": world.wethouder}
    for role, person in people.items():
        client = browser(app, person)
        for url, data in post_routes(world):
            assert client.post(url, data=data).status_code == 403, (role, url)
    visitor = app.test_client()
    for url, data in post_routes(world):
        response = visitor.post(url, data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert covenant_state(app, world.covenant_id) == before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Covenant)) == 1


def test_drafting_pages_are_refused_to_other_roles_and_unknown_covenants_are_404(app):
    world = make_covenant(app)
    client = browser(app, world.resident)
    for page in ("edit", "parties", "resolve"):
        assert client.get(f"/covenants/{world.covenant_id}/{page}").status_code == 403, page
    drafter = drafter_browser(app, world)
    for url in ("/covenants/999/edit", "/covenants/999/parties", "/covenants/999/history", "/covenants/999/open"):
        method = drafter.post if url.endswith("open") else drafter.get
        assert method(url).status_code == 404, url
    assert drafter.get(f"/covenants/{world.covenant_id}/history/9").status_code == 404


def test_an_ended_covenant_can_no_longer_be_edited(app):
    world = make_covenant(app)
    with app.app_context():
        db.session.get(Covenant, world.covenant_id).status = "ended"
        db.session.commit()
    drafter = drafter_browser(app, world)
    assert drafter.get(f"/covenants/{world.covenant_id}/edit").status_code == 403
    assert edit(drafter, world.covenant_id, 1, "Nieuw").status_code == 403


# --- the text ------------------------------------------------------------------------------------


def test_editing_saves_revision_2(app):
    world = make_covenant(app)
    drafter = drafter_browser(app, world)
    page = drafter.get(f"/covenants/{world.covenant_id}/edit")
    assert page.status_code == 200 and "new-version-warning" not in page.get_data(as_text=True)
    response = edit(drafter, world.covenant_id, 1, "## Partijen\n\nAlle partijen.", title="Veilig fietspad 2027")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/covenants/{world.covenant_id}")
    state = covenant_state(app, world.covenant_id)
    assert state["revision"] == 2 and state["title"] == "Veilig fietspad 2027"
    assert state["fields"]["text"] == "## Partijen\n\nAlle partijen.\n"
    with app.app_context():
        assert db.session.scalar(sa.select(CovenantRevision.message).where(CovenantRevision.number == 2)) == "aangepast"
    # the same text again makes no revision
    assert (
        edit(drafter, world.covenant_id, 2, "## Partijen\n\nAlle partijen.", title="Veilig fietspad 2027").status_code
        == 302
    )
    assert covenant_state(app, world.covenant_id)["revision"] == 2


def test_bad_text_input_is_shown_next_to_the_field_and_saves_nothing(app):
    world = make_covenant(app)
    drafter = drafter_browser(app, world)
    for field_name, data in (("text", {"text": "   "}), ("title", {"title": "x", "text": "Tekst"})):
        response = edit(drafter, world.covenant_id, 1, **data)
        assert response.status_code == 400 and f'id="{field_name}-error"' in response.get_data(as_text=True)
    assert covenant_state(app, world.covenant_id)["revision"] == 1


def test_edits_of_different_parts_on_an_old_base_merge(app):
    world = make_covenant(app)
    facilitator = make_user(app, role="facilitator")
    first, second = drafter_browser(app, world), browser(app, facilitator)
    original = covenant_state(app, world.covenant_id)["fields"]["text"]
    # both loaded revision 1; one changes the title, the other the text
    assert edit(first, world.covenant_id, 1, original, title="Een veilig fietspad").status_code == 302
    response = edit(second, world.covenant_id, 1, original + "\nEen nieuwe afspraak.\n", title="Veilig fietspad")
    assert response.status_code == 302 and "/resolve" not in response.headers["Location"]
    state = covenant_state(app, world.covenant_id)
    assert state["revision"] == 3 and state["title"] == "Een veilig fietspad"
    assert state["fields"]["text"].endswith("Een nieuwe afspraak.\n")
    with app.app_context():
        assert db.session.scalar(sa.select(CovenantRevision.merged).where(CovenantRevision.number == 3)) is True


def test_a_clash_on_the_text_keeps_a_draft_and_the_editor_chooses(app):
    world = make_covenant(app)
    facilitator = make_user(app, role="facilitator")
    first, second = drafter_browser(app, world), browser(app, facilitator)
    assert edit(first, world.covenant_id, 1, "Tekst van Wendy").status_code == 302
    response = edit(second, world.covenant_id, 1, "Tekst van Fenna")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{world.covenant_id}/resolve")
    with app.app_context():
        draft = db.session.scalar(sa.select(CovenantDraft).where(CovenantDraft.user_id == facilitator.id))
        assert draft.document["fields"]["text"] == "Tekst van Fenna\n"  # nothing thrown away
    notice = second.get(f"/covenants/{world.covenant_id}/edit").get_data(as_text=True)
    assert f"/covenants/{world.covenant_id}/resolve" in notice
    # a second save is refused until the first clash is resolved
    blocked = edit(second, world.covenant_id, 2, "Nog iets")
    assert blocked.status_code == 400 and covenant_state(app, world.covenant_id)["revision"] == 2

    page = second.get(f"/covenants/{world.covenant_id}/resolve").get_data(as_text=True)
    assert "Tekst van Wendy" in page and "Tekst van Fenna" in page
    against = re.search(r'name="against" value="(\d+)"', page).group(1)
    resolved = second.post(
        f"/covenants/{world.covenant_id}/resolve",
        data={"against": against, "choice-field:text": "own", "own-field:text": "Tekst van Wendy en Fenna"},
    )
    assert resolved.status_code == 302
    state = covenant_state(app, world.covenant_id)
    assert state["revision"] == 3 and state["fields"]["text"] == "Tekst van Wendy en Fenna\n"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CovenantDraft)) == 0
        assert db.session.scalar(sa.select(CovenantRevision.event).where(CovenantRevision.number == 3)) == "resolved"


def test_resolving_without_choices_saves_nothing_and_a_draft_can_be_thrown_away(app):
    world = make_covenant(app)
    facilitator = make_user(app, role="facilitator")
    first, second = drafter_browser(app, world), browser(app, facilitator)
    edit(first, world.covenant_id, 1, "Tekst van Wendy")
    edit(second, world.covenant_id, 1, "Tekst van Fenna")
    response = second.post(f"/covenants/{world.covenant_id}/resolve", data={"against": "2"})
    assert response.status_code == 400 and covenant_state(app, world.covenant_id)["revision"] == 2
    assert second.post(f"/covenants/{world.covenant_id}/discard").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CovenantDraft)) == 0
    assert covenant_state(app, world.covenant_id)["fields"]["text"] == "Tekst van Wendy\n"
    gone = second.get(f"/covenants/{world.covenant_id}/resolve")
    assert gone.status_code == 302 and gone.headers["Location"].endswith("/edit")


# --- history -------------------------------------------------------------------------------------


def test_history_revision_diff_and_restore(app):
    world = make_covenant(app)
    drafter = drafter_browser(app, world)
    edit(drafter, world.covenant_id, 1, "Eerste regel\nTweede regel\n", message="korter")
    edit(drafter, world.covenant_id, 2, "Eerste regel\nDerde regel\n", message="regel twee weg")

    history = app.test_client().get(f"/covenants/{world.covenant_id}/history")  # readable by everyone
    html = history.get_data(as_text=True)
    assert history.status_code == 200
    assert html.index("regel twee weg") < html.index("korter")  # newest first
    assert f"/covenants/{world.covenant_id}/history/2" in html and "/restore" not in html

    page = drafter.get(f"/covenants/{world.covenant_id}/history/3").get_data(as_text=True)
    assert re.search(r"<del><span class=\"visually-hidden\">[^<]*</span>Tweede regel</del>", page)
    assert re.search(r"<ins><span class=\"visually-hidden\">[^<]*</span>Derde regel</ins>", page)
    assert "<p>Eerste regel\nDerde regel</p>" in page  # the rendered text
    assert "/restore" not in page  # the current revision
    assert f"/covenants/{world.covenant_id}/history/2/restore" in drafter.get(
        f"/covenants/{world.covenant_id}/history/2"
    ).get_data(as_text=True)

    response = drafter.post(f"/covenants/{world.covenant_id}/history/1/restore")
    assert response.status_code == 302 and response.headers["Location"].endswith("/history")
    state = covenant_state(app, world.covenant_id)
    with app.app_context():
        first = db.session.scalar(sa.select(CovenantRevision).where(CovenantRevision.number == 1))
        newest = db.session.scalar(sa.select(CovenantRevision).where(CovenantRevision.number == 4))
        assert newest.document == first.document and newest.event == "restored"
    assert state["revision"] == 4
    # restoring the current revision is refused, with the reason on the page
    refused = drafter.post(f"/covenants/{world.covenant_id}/history/4/restore")
    assert refused.status_code == 400 and 'role="alert"' in refused.get_data(as_text=True)
    assert covenant_state(app, world.covenant_id)["revision"] == 4


def test_line_diff_marks_only_changed_lines_with_context():
    from app.revisions.textdiff import line_diff

    old = "\n".join(f"regel {i}" for i in range(20))
    new = old.replace("regel 10", "regel tien")
    lines = line_diff(old, new, context=2)
    kinds = [(line.kind, line.text, line.skipped) for line in lines]
    assert kinds[0] == ("gap", "", 8)
    assert ("removed", "regel 10", 0) in kinds and ("added", "regel tien", 0) in kinds
    assert kinds[-1] == ("gap", "", 7)
    assert line_diff("a\nb", "a\nb") == []


# --- parties -------------------------------------------------------------------------------------


def test_adding_and_removing_a_party_needs_a_reason(app):
    world = make_covenant(app)
    extra = make_organisation(app, "Basisschool De Regenboog")
    drafter = drafter_browser(app, world)
    url = f"/covenants/{world.covenant_id}"
    page = drafter.get(f"{url}/parties").get_data(as_text=True)
    assert f'value="{extra.id}"' in page and f'<option value="{world.orgs[0].id}"' not in page

    short = drafter.post(f"{url}/parties/add", data={"add-party": str(extra.id), "add-reason": "kort"})
    assert short.status_code == 400 and 'id="add-reason-error"' in short.get_data(as_text=True)
    assert str(extra.id) not in covenant_state(app, world.covenant_id)["parties"]
    reason = "De school doet mee met de buurtavond."
    assert (
        drafter.post(f"{url}/parties/add", data={"add-party": str(extra.id), "add-reason": reason}).status_code == 302
    )
    assert covenant_state(app, world.covenant_id)["parties"][str(extra.id)] == (False, reason)

    key = str(world.orgs[1].id)
    empty = drafter.post(f"{url}/parties/{key}/remove", data={f"remove-{key}-reason": ""})
    assert empty.status_code == 400 and f'id="remove-{key}-reason-error"' in empty.get_data(as_text=True)
    assert covenant_state(app, world.covenant_id)["parties"][key] == (False, "")
    why = "Welzijn trekt zich terug uit de wijk."
    assert drafter.post(f"{url}/parties/{key}/remove", data={f"remove-{key}-reason": why}).status_code == 302
    assert covenant_state(app, world.covenant_id)["parties"][key] == (True, why)
    page = drafter.get(f"{url}/parties").get_data(as_text=True)
    assert reason in page and why in page
    assert drafter.post(f"{url}/parties/{key}/remove", data={f"remove-{key}-reason": why}).status_code == 404


def test_the_municipal_setting_can_not_be_switched_off_to_skip_the_council(app):
    world = make_covenant(app)
    drafter = drafter_browser(app, world)
    assert drafter.post(f"/covenants/{world.covenant_id}/settings", data={"commits": "y"}).status_code == 302
    assert covenant_state(app, world.covenant_id)["commits"] is True
    # these agendas give the municipality no money: switching it off again is allowed
    assert drafter.post(f"/covenants/{world.covenant_id}/settings", data={}).status_code == 302
    assert covenant_state(app, world.covenant_id)["commits"] is False
    open_covenant(app, world)
    # switched on after opening: the open version stops counting until the council approves
    assert drafter.post(f"/covenants/{world.covenant_id}/settings", data={"commits": "y"}).status_code == 302
    state = covenant_state(app, world.covenant_id)
    assert state["commits"] is True and state["status"] == "draft"


def test_the_municipal_setting_stays_on_when_the_agendas_give_the_municipality_money(app):
    world = make_covenant(app, municipal_money=True)
    drafter = drafter_browser(app, world)
    refused = drafter.post(f"/covenants/{world.covenant_id}/settings", data={})
    assert refused.status_code == 400 and 'id="commits-error"' in page_text(refused)
    assert covenant_state(app, world.covenant_id)["commits"] is True


# --- opening and versions ------------------------------------------------------------------------


def test_opening_fixes_version_1_and_a_change_opens_version_2(app):
    world = make_covenant(app)
    drafter = drafter_browser(app, world)
    page = drafter.get(f"/covenants/{world.covenant_id}/parties").get_data(as_text=True)
    assert f"/covenants/{world.covenant_id}/open" in page and "opening-problem" not in page
    response = drafter.post(f"/covenants/{world.covenant_id}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/covenants/{world.covenant_id}")
    with app.app_context():
        first = db.session.scalar(sa.select(CovenantVersion).where(CovenantVersion.number == 1))
        first_hash = first.content_hash
    with drafter.session_transaction() as session:
        flashes = " ".join(message for _category, message in session.get("_flashes", []))
    assert first_hash[:8] in flashes and first_hash[8:16] in flashes

    page = drafter.get(f"/covenants/{world.covenant_id}/edit").get_data(as_text=True)
    assert 'id="new-version-warning"' in page
    assert edit(drafter, world.covenant_id, 1, "Een andere tekst").status_code == 302
    state = covenant_state(app, world.covenant_id)
    assert state["version"] == 2 and state["status"] == "open"
    with app.app_context():
        versions = db.session.scalars(sa.select(CovenantVersion).order_by(CovenantVersion.number)).all()
        assert [v.number for v in versions] == [1, 2]
        assert versions[0].content_hash == first_hash and versions[0].superseded_at is not None
        assert versions[1].content_hash != first_hash and versions[1].text == "Een andere tekst\n"
    # opening again is not offered: changes open the next version by themselves
    again = drafter.post(f"/covenants/{world.covenant_id}/open")
    assert again.status_code == 400 and covenant_state(app, world.covenant_id)["version"] == 2


def test_adding_a_party_after_opening_opens_the_next_version(app):
    world = make_covenant(app)
    extra = make_organisation(app, "Basisschool De Regenboog")
    open_covenant(app, world)
    drafter = drafter_browser(app, world)
    response = drafter.post(
        f"/covenants/{world.covenant_id}/parties/add",
        data={"add-party": str(extra.id), "add-reason": "De school doet mee met de buurtavond."},
    )
    assert response.status_code == 302
    with app.app_context():
        latest = db.session.scalar(sa.select(CovenantVersion).where(CovenantVersion.number == 2))
        assert str(extra.id) in latest.party_keys


def test_a_covenant_with_municipal_money_opens_only_after_the_council_approved_it(app):
    world = make_covenant(app, municipal_money=True)
    assert covenant_state(app, world.covenant_id)["commits"] is True
    drafter = drafter_browser(app, world, lang="en")
    page = drafter.get(f"/covenants/{world.covenant_id}/parties").get_data(as_text=True)
    assert 'id="opening-problem"' in page
    assert "commits municipal money or staff" in page and "once the council has approved this text" in page
    assert f'action="/covenants/{world.covenant_id}/open"' not in page
    refused = drafter.post(f"/covenants/{world.covenant_id}/open")
    assert refused.status_code == 400 and "once the council has approved this text" in refused.get_data(as_text=True)
    assert re.search(r'<input[^>]* checked [^>]*id="commits"', refused.get_data(as_text=True))  # not reset
    assert covenant_state(app, world.covenant_id)["version"] == 0

    from app.council.models import CouncilPosition

    with app.app_context():
        position = CouncilPosition(
            process_id=world.process.id,
            kind="council_decision",
            decided_on=date(2027, 1, 20),
            reference="2027/004",
            title="Convenant veilig fietspad",
            outcome="approved",
        )
        position.covenants.append(db.session.get(Covenant, world.covenant_id))
        db.session.add(position)
        db.session.commit()
    page = drafter.get(f"/covenants/{world.covenant_id}/parties").get_data(as_text=True)
    assert 'id="opening-problem"' not in page and f'action="/covenants/{world.covenant_id}/open"' in page
    assert "2027/004" in page
    assert drafter.post(f"/covenants/{world.covenant_id}/open").status_code == 302
    state = covenant_state(app, world.covenant_id)
    assert state["version"] == 1 and state["status"] == "open"


def test_opening_waits_for_phase_4(app):
    world = make_covenant(app, phase="agendas")
    drafter = drafter_browser(app, world)
    page = drafter.get(f"/covenants/{world.covenant_id}/parties").get_data(as_text=True)
    assert f'action="/covenants/{world.covenant_id}/open"' not in page
    assert drafter.post(f"/covenants/{world.covenant_id}/open").status_code == 403
    assert edit(drafter, world.covenant_id, 1, "Nog in fase 3").status_code == 302  # drafting is fine
