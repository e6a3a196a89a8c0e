"""Agendas in phase 3: editing by the working group, merges and conflicts with two and three editors,
drafts kept, history and diff, restore, moves, refusals, and constant queries per save."""

import re

import sqlalchemy as sa

from app.agendas.models import Agenda, AgendaDraft, AgendaRevision
from app.extensions import db
from tests.conftest import PASSWORD, make_issue, make_process, make_user
from tests.test_query_counts import counting


def setup(app, phase="agendas"):
    process = make_process(app, phase=phase)
    issue = make_issue(app, process.id, make_user(app).id, title="Veilig winkelgebied", status="shortlisted")
    return process, issue


def browser_for(app, role="partner", **kwargs):
    if role == "partner":
        kwargs.setdefault("org", "Stichting Piëzo")
    user = make_user(app, role=role, **kwargs)
    browser = app.test_client()
    assert browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return browser, user


def texts(browser, issue, base, **fields):
    data = {
        "base": str(base),
        "message": fields.pop("message", "tekst"),
        "summary": "",
        "review_moment": "",
        "reviewers": "",
        "success": "",
    }
    data.update(fields)
    return browser.post(f"/issues/{issue.id}/agendas/1/texts", data=data)


def add_activity(browser, issue, base, horizon=1, **fields):
    data = {"base": str(base), "title": "Buurtschouw", "status": "proposed", "message": "nieuw"}
    data.update(fields)
    return browser.post(f"/issues/{issue.id}/agendas/{horizon}/activities/new", data=data)


def current(app, issue, horizon=1):
    from app.agendas import services

    with app.app_context():
        agenda = db.session.scalar(sa.select(Agenda).where(Agenda.issue_id == issue.id, Agenda.horizon == horizon))
        return (agenda.current_revision, services.document(agenda)) if agenda else (0, None)


def test_a_member_writes_texts_and_activities_as_revisions(app):
    _process, issue = setup(app)
    partner, _user = browser_for(app)
    assert texts(partner, issue, 0, summary="Samen werken aan een veilig winkelgebied").status_code == 302
    response = add_activity(
        partner,
        issue,
        1,
        title="Extra verlichting",
        responsible="municipality",
        euros="25000",
        hours="40",
        fte="0,5",
        in_kind="Materialen",
        from_q="2027-q1",
        to_q="2027-Q4",
        indicator="Minder meldingen van overlast",
    )
    assert response.status_code == 302
    number, doc = current(app, issue)
    assert number == 2 and doc["fields"]["summary"] == "Samen werken aan een veilig winkelgebied"
    (activity,) = doc["items"]
    assert (activity["euros"], activity["hours"], activity["fte"], activity["from_q"]) == (25000, 40, 0.5, "2027-Q1")
    page = partner.get(f"/issues/{issue.id}/agendas/1").get_data(as_text=True)
    assert "Extra verlichting" in page and "25.000" in page


def test_bad_activity_input_is_shown_next_to_the_field_and_saves_nothing(app):
    _process, issue = setup(app)
    partner, _user = browser_for(app)
    for field_name, data in (
        ("from_q", {"from_q": "voorjaar"}),
        ("to_q", {"from_q": "2028-Q1", "to_q": "2027-Q1"}),
        ("euros", {"euros": "veel"}),
        ("title", {"title": "x"}),
    ):
        response = add_activity(partner, issue, 0, **data)
        assert response.status_code == 200 and f'id="{field_name}-error"'.encode() in response.data, field_name
    assert current(app, issue)[0] == 0


def test_two_editors_on_different_parts_merge_by_themselves(app):
    _process, issue = setup(app)
    anouk, _ = browser_for(app)
    mehmet, _ = browser_for(app, role="wijkregisseur")
    texts(anouk, issue, 0, summary="Begin", review_moment="Elk half jaar")
    # both start from revision 1
    assert texts(anouk, issue, 1, summary="Begin, met de winkeliers", review_moment="Elk half jaar").status_code == 302
    response = texts(mehmet, issue, 1, summary="Begin", review_moment="Elk kwartaal")
    assert response.status_code == 302 and "/conflict" not in response.headers["Location"]
    number, doc = current(app, issue)
    assert number == 3
    assert doc["fields"]["summary"] == "Begin, met de winkeliers"
    assert doc["fields"]["review_moment"] == "Elk kwartaal"
    with app.app_context():
        assert db.session.scalar(sa.select(AgendaRevision.merged).where(AgendaRevision.number == 3)) is True


def test_a_real_conflict_keeps_the_text_as_a_draft_and_lets_the_editor_choose(app):
    _process, issue = setup(app)
    anouk, _ = browser_for(app)
    mehmet, mehmet_user = browser_for(app)
    texts(anouk, issue, 0, summary="Begin")
    texts(anouk, issue, 1, summary="Versie van Anouk")
    response = texts(mehmet, issue, 1, summary="Versie van Mehmet")
    assert response.headers["Location"].endswith("/agendas/1/conflict")
    with app.app_context():
        draft = db.session.scalar(sa.select(AgendaDraft).where(AgendaDraft.user_id == mehmet_user.id))
        assert draft.document["fields"]["summary"] == "Versie van Mehmet"  # nothing thrown away
    page = mehmet.get(f"/issues/{issue.id}/agendas/1/conflict").get_data(as_text=True)
    assert "Versie van Anouk" in page and "Versie van Mehmet" in page
    revision = re.search(r'name="against" value="(\d+)"', page).group(1)
    resolved = mehmet.post(
        f"/issues/{issue.id}/agendas/1/conflict",
        data={"against": revision, "choice-field:summary": "own", "own-field:summary": "Versie van Anouk en Mehmet"},
    )
    assert resolved.status_code == 302
    number, doc = current(app, issue)
    assert number == 3 and doc["fields"]["summary"] == "Versie van Anouk en Mehmet"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaDraft)) == 0


def test_three_editors_from_the_same_version(app):
    """A and B merge cleanly; C conflicts with A, chooses their own version, and B's change survives."""
    _process, issue = setup(app)
    first, _ = browser_for(app)
    texts(first, issue, 0, summary="Start", review_moment="Jaarlijks", success="Minder overlast")
    a, _ = browser_for(app)
    b, _ = browser_for(app, role="facilitator")
    c, _ = browser_for(app, role="wethouder")
    base = current(app, issue)[0]
    assert (
        texts(a, issue, base, summary="Start A", review_moment="Jaarlijks", success="Minder overlast").status_code
        == 302
    )
    assert (
        "/conflict"
        not in texts(
            b, issue, base, summary="Start", review_moment="Jaarlijks", success="Minder overlast en meer bezoekers"
        ).headers["Location"]
    )
    response = texts(c, issue, base, summary="Start C", review_moment="Elk kwartaal", success="Minder overlast")
    assert response.headers["Location"].endswith("/conflict")
    page = c.get(f"/issues/{issue.id}/agendas/1/conflict").get_data(as_text=True)
    against = re.search(r'name="against" value="(\d+)"', page).group(1)
    c.post(f"/issues/{issue.id}/agendas/1/conflict", data={"against": against, "choice-field:summary": "mine"})
    _number, doc = current(app, issue)
    assert doc["fields"] == {
        "summary": "Start C",
        "review_moment": "Elk kwartaal",
        "success": "Minder overlast en meer bezoekers",
        "reviewers": "",
    }


def test_someone_saving_during_conflict_resolution_is_merged_again(app):
    _process, issue = setup(app)
    a, _ = browser_for(app)
    b, _ = browser_for(app)
    texts(a, issue, 0, summary="Start")
    texts(a, issue, 1, summary="A")
    texts(b, issue, 1, summary="B")  # conflict, draft kept
    page = b.get(f"/issues/{issue.id}/agendas/1/conflict").get_data(as_text=True)
    stale = re.search(r'name="against" value="(\d+)"', page).group(1)
    texts(a, issue, 2, summary="A", review_moment="Nieuw van A")  # meanwhile
    again = b.post(f"/issues/{issue.id}/agendas/1/conflict", data={"against": stale, "choice-field:summary": "mine"})
    assert again.status_code == 200  # the choices are shown again, with the new state
    assert "opnieuw iets opgeslagen" in again.get_data(as_text=True)
    assert current(app, issue)[1]["fields"]["summary"] == "A"  # nothing decided on a stale view
    page = b.get(f"/issues/{issue.id}/agendas/1/conflict").get_data(as_text=True)
    fresh = re.search(r'name="against" value="(\d+)"', page).group(1)
    b.post(f"/issues/{issue.id}/agendas/1/conflict", data={"against": fresh, "choice-field:summary": "mine"})
    doc = current(app, issue)[1]
    assert doc["fields"]["summary"] == "B" and doc["fields"]["review_moment"] == "Nieuw van A"


def test_history_diff_and_restore(app):
    _process, issue = setup(app)
    partner, _ = browser_for(app)
    texts(partner, issue, 0, summary="Eerste tekst")
    add_activity(partner, issue, 1, title="Een")
    add_activity(partner, issue, 2, title="Twee")
    _n, doc = current(app, issue)
    first, second = doc["items"][0]["id"], doc["items"][1]["id"]
    partner.post(
        f"/issues/{issue.id}/agendas/1/activities/{first}",
        data={"base": "3", "title": "Een, aangepast", "status": "agreed", "message": "aangepast"},
    )
    partner.post(f"/issues/{issue.id}/agendas/1/activities/{second}/up", data={"base": "4"})
    partner.post(f"/issues/{issue.id}/agendas/1/activities/{first}/remove", data={"base": "5"})
    history = partner.get(f"/issues/{issue.id}/agendas/1/history").get_data(as_text=True)
    assert "Versie 6" in history
    diff = partner.get(f"/issues/{issue.id}/agendas/1/history/diff?from=3&to=5").get_data(as_text=True)
    assert "Een, aangepast" in diff and "diff--moved" in diff and "diff--changed" in diff
    assert "{&#39;" not in diff and '{"' not in diff  # readable, not raw JSON
    removed = partner.get(f"/issues/{issue.id}/agendas/1/history/diff?from=5&to=6").get_data(as_text=True)
    assert "diff--removed" in removed
    added = partner.get(f"/issues/{issue.id}/agendas/1/history/diff?from=1&to=2").get_data(as_text=True)
    assert "diff--added" in added
    assert partner.post(f"/issues/{issue.id}/agendas/1/restore/3").status_code == 302
    number, doc = current(app, issue)
    assert number == 7 and [i["title"] for i in doc["items"]] == ["Een", "Twee"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaRevision)) == 7  # nothing rewritten


def test_moving_an_activity_to_another_horizon(app):
    _process, issue = setup(app)
    partner, _ = browser_for(app)
    add_activity(partner, issue, 0, title="Groot plan")
    activity_id = current(app, issue)[1]["items"][0]["id"]
    response = partner.post(
        f"/issues/{issue.id}/agendas/1/activities/{activity_id}/move", data={"base": "1", "to": "5"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/agendas/5")
    assert current(app, issue)[1]["items"] == []
    assert [i["title"] for i in current(app, issue, 5)[1]["items"]] == ["Groot plan"]


def test_refused_for_non_members_other_phases_and_issues_not_chosen(app):
    _process, issue = setup(app)
    resident, resident_user = browser_for(app, role="resident")
    assert texts(resident, issue, 0, summary="x").status_code == 403
    council, _ = browser_for(app, role="council")
    assert add_activity(council, issue, 0).status_code == 403
    pending, _ = browser_for(app, role="partner", org="Halte 2717", status="pending")
    assert texts(pending, issue, 0, summary="x").status_code == 403
    # the resident asks to join, is admitted, and may edit
    assert (
        resident.post(f"/issues/{issue.id}/working-group/join", data={"motivation": "Ik woon erboven"}).status_code
        == 302
    )
    director, _ = browser_for(app, role="wijkregisseur")
    from app.agendas.models import WorkingGroupMember

    with app.app_context():
        member_id = db.session.scalar(
            sa.select(WorkingGroupMember.id).where(WorkingGroupMember.user_id == resident_user.id)
        )
    assert resident.post(f"/working-group/{member_id}/admit").status_code == 403  # not by themselves
    assert director.post(f"/working-group/{member_id}/admit").status_code == 302
    assert texts(resident, issue, 0, summary="Van een bewoner").status_code == 302
    earlier_process, earlier = setup(app, phase="issues")
    partner, _ = browser_for(app)
    response = texts(partner, earlier, 0, summary="Te vroeg")
    assert response.status_code == 403 and "Fase 3" in response.get_data(as_text=True)
    open_issue = make_issue(app, _process.id, make_user(app).id, title="Niet gekozen")
    assert texts(partner, open_issue, 0, summary="x").status_code == 403
    assert earlier_process


def test_everyone_can_read_an_agenda_and_its_history(app, client):
    _process, issue = setup(app)
    partner, _ = browser_for(app)
    texts(partner, issue, 0, summary="Openbaar")
    assert "Openbaar" in client.get(f"/issues/{issue.id}/agendas/1").get_data(as_text=True)
    assert client.get(f"/issues/{issue.id}/agendas/1/history").status_code == 200
    assert client.get(f"/issues/{issue.id}/agendas/2").status_code == 404


def test_saving_50_activities_takes_as_many_queries_as_5(app):
    from app.agendas import services

    _process, issue = setup(app)
    partner, _ = browser_for(app)

    def seed(count):
        with app.app_context():
            from app.issues.models import Issue

            agenda = services.agenda_for(db.session.get(Issue, issue.id), 1, create=True)
            doc = services.document(agenda)
            doc["items"] = [{"id": f"x{i}", "title": f"Activiteit {i}", "status": "proposed"} for i in range(count)]
            from app.accounts.models import User

            services.save(db.session.get(User, 1), agenda, agenda.current_revision, doc, "seed")
            db.session.commit()
            return agenda.current_revision

    def save_count(base):
        with counting(app) as statements:
            response = partner.post(
                f"/issues/{issue.id}/agendas/1/activities/x0",
                data={"base": str(base), "title": f"Nieuw {base}", "status": "agreed"},
            )
        assert response.status_code == 302
        return len(statements)

    few = save_count(seed(5))
    many = save_count(seed(50))
    assert few == many, (few, many)


def test_a_later_save_does_not_throw_away_a_kept_draft(app):
    _process, issue = setup(app)
    a, _ = browser_for(app)
    b, b_user = browser_for(app)
    texts(a, issue, 0, summary="Start")
    texts(a, issue, 1, summary="A")
    texts(b, issue, 1, summary="Tekst van B die niet weg mag")  # conflict: kept as a draft
    refused = add_activity(b, issue, 2, title="Iets anders")
    assert refused.status_code == 200 and "Kies eerst wat u wilt bewaren" in refused.get_data(as_text=True)
    assert b'value="Iets anders"' in refused.data  # the form keeps what B typed
    with app.app_context():
        draft = db.session.scalar(sa.select(AgendaDraft).where(AgendaDraft.user_id == b_user.id))
        assert draft.document["fields"]["summary"] == "Tekst van B die niet weg mag"


def test_editing_an_activity_someone_removed_keeps_the_text_as_a_draft(app):
    _process, issue = setup(app)
    a, _ = browser_for(app)
    b, b_user = browser_for(app)
    add_activity(a, issue, 0, title="Speelplek")
    activity_id = current(app, issue)[1]["items"][0]["id"]
    a.post(f"/issues/{issue.id}/agendas/1/activities/{activity_id}/remove", data={"base": "1"})
    response = b.post(
        f"/issues/{issue.id}/agendas/1/activities/{activity_id}",
        data={"base": "1", "title": "Speelplek, groter", "status": "proposed"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/conflict")
    with app.app_context():
        draft = db.session.scalar(sa.select(AgendaDraft).where(AgendaDraft.user_id == b_user.id))
        assert draft.document["items"][0]["title"] == "Speelplek, groter"
    page = b.get(f"/issues/{issue.id}/agendas/1/conflict").get_data(as_text=True)
    against = re.search(r'name="against" value="(\d+)"', page).group(1)
    b.post(f"/issues/{issue.id}/agendas/1/conflict", data={"against": against, f"choice-item:{activity_id}": "mine"})
    assert [i["title"] for i in current(app, issue)[1]["items"]] == ["Speelplek, groter"]


def test_conflict_choices_are_checked(app):
    _process, issue = setup(app)
    a, _ = browser_for(app)
    b, _ = browser_for(app)
    add_activity(a, issue, 0, title="Schouw", status="proposed")
    activity_id = current(app, issue)[1]["items"][0]["id"]
    a.post(
        f"/issues/{issue.id}/agendas/1/activities/{activity_id}",
        data={"base": "1", "title": "Schouw", "status": "agreed"},
    )
    b.post(
        f"/issues/{issue.id}/agendas/1/activities/{activity_id}",
        data={"base": "1", "title": "Schouw", "status": "dropped"},
    )
    page = b.get(f"/issues/{issue.id}/agendas/1/conflict").get_data(as_text=True)
    against = re.search(r'name="against" value="(\d+)"', page).group(1)
    assert " checked" not in page.split("conflict-form")[1]  # nothing chosen for the editor
    key = f"item:{activity_id}:status"
    b.post(f"/issues/{issue.id}/agendas/1/conflict", data={"against": against, f"choice-{key}": "<b>hacked</b>"})
    b.post(
        f"/issues/{issue.id}/agendas/1/conflict",
        data={"against": against, f"choice-{key}": "own", f"own-{key}": "hacked"},
    )
    b.post(f"/issues/{issue.id}/agendas/1/conflict", data={"against": against})  # no choice at all
    assert current(app, issue)[1]["items"][0]["status"] == "agreed"  # nothing crafted got in
    b.post(f"/issues/{issue.id}/agendas/1/conflict", data={"against": against, f"choice-{key}": "mine"})
    assert current(app, issue)[1]["items"][0]["status"] == "dropped"


def test_moving_from_a_stale_page_neither_duplicates_nor_overwrites(app):
    _process, issue = setup(app)
    a, _ = browser_for(app)
    b, _ = browser_for(app)
    add_activity(a, issue, 0, title="Plan")
    activity_id = current(app, issue)[1]["items"][0]["id"]
    a.post(f"/issues/{issue.id}/agendas/1/activities/{activity_id}/move", data={"base": "1", "to": "5"})
    a.post(
        f"/issues/{issue.id}/agendas/5/activities/{activity_id}",
        data={"base": "1", "title": "Plan, uitgewerkt", "euros": "5000", "status": "proposed"},
    )
    b.post(f"/issues/{issue.id}/agendas/1/activities/{activity_id}/move", data={"base": "1", "to": "10"})
    b.post(f"/issues/{issue.id}/agendas/1/activities/{activity_id}/move", data={"base": "1", "to": "5"})
    assert current(app, issue, 10)[0] == 0 or current(app, issue, 10)[1]["items"] == []
    (kept,) = current(app, issue, 5)[1]["items"]
    assert kept["title"] == "Plan, uitgewerkt" and kept["euros"] == 5000


def test_numbers_with_a_decimal_point_are_not_misread(app):
    _process, issue = setup(app)
    a, _ = browser_for(app)
    response = add_activity(a, issue, 0, title="Uren", hours="1.5")
    assert response.status_code == 200 and b'id="hours-error"' in response.data
    add_activity(a, issue, 0, title="Geld", euros="25.000")
    assert current(app, issue)[1]["items"][0]["euros"] == 25000


def test_actions_that_change_nothing_make_no_revision(app):
    _process, issue = setup(app)
    a, _ = browser_for(app)
    add_activity(a, issue, 0, title="Eerste")
    activity_id = current(app, issue)[1]["items"][0]["id"]
    a.post(f"/issues/{issue.id}/agendas/1/activities/{activity_id}/up", data={"base": "1"})
    texts(a, issue, 1)  # the same (empty) texts again
    assert current(app, issue)[0] == 1


def test_routes_refuse_people_outside_the_working_group(app):
    _process, issue = setup(app)
    a, _ = browser_for(app)
    add_activity(a, issue, 0, title="Activiteit")
    activity_id = current(app, issue)[1]["items"][0]["id"]
    outsider, _ = browser_for(app, role="council")
    base = f"/issues/{issue.id}/agendas/1"
    for url, data in (
        (f"{base}/activities/{activity_id}/up", {"base": "1"}),
        (f"{base}/activities/{activity_id}/move", {"base": "1", "to": "5"}),
        (f"{base}/restore/1", {}),
        (f"{base}/conflict", {"against": "1"}),
        (f"{base}/texts", {"base": "1", "summary": "x"}),
        (f"/issues/{issue.id}/working-group/join", {"motivation": "x"}),
    ):
        assert outsider.post(url, data=data).status_code == 403, url
    assert current(app, issue)[0] == 1


def test_opposite_moves_at_the_same_time_both_finish(app):
    """One moves 1→5 while another moves 5→1: agendas are locked in one order, so no deadlock."""
    import threading

    _process, issue = setup(app)
    a, _ = browser_for(app)
    b, _ = browser_for(app)
    add_activity(a, issue, 0, title="Van 1 naar 5")
    add_activity(a, issue, 0, horizon=5, title="Van 5 naar 1")
    one = current(app, issue)[1]["items"][0]["id"]
    five = current(app, issue, 5)[1]["items"][0]["id"]
    barrier = threading.Barrier(2)
    statuses = []

    def move(browser, horizon, activity_id, to):
        barrier.wait()
        statuses.append(
            browser.post(
                f"/issues/{issue.id}/agendas/{horizon}/activities/{activity_id}/move", data={"base": "1", "to": str(to)}
            ).status_code
        )

    threads = [threading.Thread(target=move, args=(a, 1, one, 5)), threading.Thread(target=move, args=(b, 5, five, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert statuses == [302, 302]
    assert [i["title"] for i in current(app, issue)[1]["items"]] == ["Van 5 naar 1"]
    assert [i["title"] for i in current(app, issue, 5)[1]["items"]] == ["Van 1 naar 5"]


def test_agenda_and_activity_statuses_keep_their_own_words(app):
    from app.agendas.models import activity_label, agenda_label

    with app.test_request_context():
        assert agenda_label("agreed") == "vastgesteld"
        assert activity_label("agreed") == "afgesproken"
