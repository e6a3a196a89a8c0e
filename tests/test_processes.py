"""Processes: the process page, phases with dates, the wijkregisseur moving the phase, several processes."""

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.processes.models import PhaseChange, Process
from tests.conftest import make_process, make_user

DATES = {"issues": (date(2027, 3, 1), date(2027, 5, 31)), "agendas": (date(2027, 9, 1), date(2028, 3, 1))}


def test_process_page_shows_timeline_and_current_phase(app, client):
    p = make_process(app, phase="participants", dates=DATES)
    page = client.get(f"/processes/{p.slug}").get_data(as_text=True)
    assert "Fase 1: Deelnemers kiezen" in page  # Dutch by default
    assert 'aria-current="step"' in page
    for title in ("Plan van aanpak", "Onderwerpen kiezen", "Tussenstop", "Agenda", "Convenanten ondertekenen"):
        assert title in page
    assert "1 maart 2027" in page
    assert "<strong>test</strong>" in page  # the description is Markdown


def test_anonymous_visitor_sees_when_taking_part_opens(app, client):
    p = make_process(app, phase="participants", dates=DATES)
    page = client.get(f"/processes/{p.slug}").get_data(as_text=True)
    actions = page.split('id="can-do"')[1].split("</section>")[0]
    assert "Onderwerpen voorstellen kan nog niet" in actions
    assert "1 maart 2027" in actions
    assert "action-list__item--open" not in actions


def test_resident_sees_what_is_open_now(app, client, auth):
    p = make_process(app, phase="issues", dates=DATES)
    auth.login_as("resident")
    page = client.get(f"/processes/{p.slug}").get_data(as_text=True)
    actions = page.split('id="can-do"')[1].split("</section>")[0]
    open_items = [item for item in actions.split("<li")[1:] if "action-list__item--open" in item]
    assert any("Stel een onderwerp voor" in item for item in open_items)
    assert any("Steun onderwerpen" in item for item in open_items)
    agenda = next(item for item in actions.split("<li")[1:] if "Werk mee aan de agenda" in item)
    assert "Fase 3" in agenda and "1 september 2027" in agenda  # when it opens
    # refusals that are only about the role are not listed for a resident
    assert "andere fase" not in actions.lower() and "convenant" not in actions.lower()


def test_pending_partner_is_told_why(app, client, auth):
    p = make_process(app, phase="issues")
    auth.login_as("partner", org="Halte 2717", status="pending")
    page = client.get(f"/processes/{p.slug}").get_data(as_text=True)
    assert "moet nog worden goedgekeurd" in page
    assert "action-list__item--open" not in page.split('id="timeline"')[0]


def test_wijkregisseur_moves_the_phase_and_it_is_logged(app, client, auth):
    p = make_process(app, phase="issues")
    user = auth.login_as("wijkregisseur")
    response = client.post(
        f"/processes/{p.slug}/phase",
        data={"phase": "interim", "from_phase": "issues", "reason": "Tussenevaluatie met iedereen"},
    )
    assert response.status_code == 302
    with app.app_context():
        process = db.session.get(Process, p.id)
        assert process.current_phase == "interim"
        change = db.session.scalar(sa.select(PhaseChange))
        assert (change.from_phase, change.to_phase, change.changed_by_id, change.note) == (
            "issues",
            "interim",
            user.id,
            "Tussenevaluatie met iedereen",
        )
    assert "Tussenevaluatie met iedereen" in client.get(f"/processes/{p.slug}").get_data(as_text=True)


def test_moving_to_the_same_phase_is_refused_next_to_the_field(app, client, auth):
    p = make_process(app, phase="issues")
    auth.login_as("wijkregisseur")
    response = client.post(
        f"/processes/{p.slug}/phase", data={"phase": "issues", "from_phase": "issues", "reason": "Nog een keer."}
    )
    assert response.status_code == 400
    assert b'id="phase-error"' in response.data


def test_other_roles_cannot_move_the_phase(app, client, auth):
    p = make_process(app, phase="issues")
    for role in ("resident", "partner", "facilitator", "wethouder", "council"):
        auth.login_as(role, org="Halte 2717" if role == "partner" else None)
        response = client.post(f"/processes/{p.slug}/phase", data={"phase": "agendas"})
        assert response.status_code == 403, role
        assert "wijkregisseur" in response.get_data(as_text=True)
        auth.logout()
    anonymous = client.post(f"/processes/{p.slug}/phase", data={"phase": "agendas"})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    with app.app_context():
        assert db.session.get(Process, p.id).current_phase == "issues"


def test_wijkregisseur_creates_a_second_process(app, client, auth):
    make_process(app, slug="buytenwegh")
    auth.login_as("wijkregisseur")
    response = client.post(
        "/processes/new",
        data={
            "name": "Wijk van de toekomst Seghwaert",
            "neighbourhood": "Seghwaert",
            "description": "Volgende wijk",
            "starts_issues": "2028-01-01",
            "ends_issues": "2028-03-31",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/processes/wijk-van-de-toekomst-seghwaert"
    listing = client.get("/processes").get_data(as_text=True)
    assert "Seghwaert" in listing and "Teststad" in listing
    with app.app_context():
        process = db.session.scalar(sa.select(Process).where(Process.neighbourhood == "Seghwaert"))
        assert process.current_phase == "approach"
        assert len(process.phases) == 6
        assert process.phase("issues").starts_on == date(2028, 1, 1)


def test_process_slug_must_be_unique(app, client, auth):
    make_process(app, slug="buytenwegh")
    auth.login_as("wijkregisseur")
    response = client.post("/processes/new", data={"name": "Nog een", "neighbourhood": "X", "slug": "buytenwegh"})
    assert b'id="slug-error"' in response.data


def test_dates_out_of_order_are_refused_and_nothing_is_saved(app, client, auth):
    p = make_process(app, dates=DATES)
    auth.login_as("wijkregisseur")
    response = client.post(
        f"/processes/{p.slug}/edit",
        data={
            "name": "Nieuwe naam",
            "neighbourhood": "Teststad",
            "starts_issues": "2027-06-01",
            "ends_issues": "2027-05-01",
        },
    )
    assert response.status_code == 200
    assert b'id="ends_issues-error"' in response.data
    with app.app_context():
        process = db.session.get(Process, p.id)
        assert process.name != "Nieuwe naam"
        assert process.phase("issues").ends_on == date(2027, 5, 31)


def test_phase_cannot_start_before_the_previous_one(app, client, auth):
    p = make_process(app)
    auth.login_as("wijkregisseur")
    response = client.post(
        f"/processes/{p.slug}/edit",
        data={"name": "X", "neighbourhood": "Y", "starts_issues": "2027-06-01", "starts_agendas": "2027-01-01"},
    )
    assert b'id="starts_agendas-error"' in response.data


def test_badly_written_date_gets_a_message(app, client, auth):
    p = make_process(app)
    auth.login_as("wijkregisseur")
    response = client.post(
        f"/processes/{p.slug}/edit", data={"name": "X", "neighbourhood": "Y", "starts_issues": "1 maart"}
    )
    assert response.status_code == 200
    assert b'id="starts_issues-error"' in response.data


def test_edit_saves_texts_and_dates(app, client, auth):
    p = make_process(app, dates=DATES)
    auth.login_as("wijkregisseur")
    response = client.post(
        f"/processes/{p.slug}/edit",
        data={
            "name": "Nieuwe naam",
            "neighbourhood": "Teststad",
            "plan": "1. Eerst\n2. Dan",
            "starts_issues": "2027-03-02",
            "ends_issues": "2027-06-01",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/processes/{p.slug}").get_data(as_text=True)
    assert "Nieuwe naam" in page and "<ol>" in page and "2 maart 2027" in page


def test_residents_cannot_create_or_edit_processes(app, client, auth):
    p = make_process(app)
    auth.login_as("resident")
    assert client.get("/processes/new").status_code == 403
    assert client.post("/processes/new", data={"name": "X", "neighbourhood": "Y"}).status_code == 403
    assert client.post(f"/processes/{p.slug}/edit", data={"name": "X", "neighbourhood": "Y"}).status_code == 403


def test_unknown_process_is_404(client):
    assert client.get("/processes/bestaat-niet").status_code == 404


def test_phase_change_refusal_for_resident_is_explained(app, client, auth):
    """A refused action says why, and never shows a stack trace."""
    p = make_process(app)
    make_user(app)
    auth.login_as("resident")
    response = client.post(f"/processes/{p.slug}/phase", data={"phase": "agendas"})
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    assert "Alleen de wijkregisseur" in text


def test_long_name_gives_a_valid_address(app, client, auth):
    auth.login_as("wijkregisseur")
    name = "Wijk van de toekomst Buytenwegh en Rokkeveen samen in actie! Deel twee"
    response = client.post("/processes/new", data={"name": name, "neighbourhood": "Buytenwegh"})
    assert response.status_code == 302
    slug = response.headers["Location"].rsplit("/", 1)[1]
    assert len(slug) <= 60 and not slug.endswith("-")


def test_name_without_latin_letters_falls_back_to_the_neighbourhood(app, client, auth):
    auth.login_as("wijkregisseur")
    response = client.post("/processes/new", data={"name": "حي المستقبل", "neighbourhood": "Meerzicht"})
    assert response.headers["Location"] == "/processes/meerzicht"


def test_phase_change_on_a_stale_page_is_refused(app, client, auth):
    """Two directors change the phase at once: the second is told, and history stays right."""
    from app.processes import services

    p = make_process(app, phase="issues")
    user = make_user(app, role="wijkregisseur")
    with app.app_context():
        from app.accounts.models import User

        actor = db.session.get(User, user.id)
        stale = db.session.get(Process, p.id)  # read before the other change
        db.session.execute(  # the other director, behind this session's back
            sa.update(Process).values(current_phase="interim").execution_options(synchronize_session=False)
        )
        try:
            services.set_phase(actor, stale, "agendas", "De agenda's beginnen nu.", confirmed=True)
        except services.DomainError as error:
            assert error.field == "phase"
        else:
            raise AssertionError("a change on a stale page went through")
        db.session.rollback()


def test_date_errors_say_which_phase(app, client, auth):
    p = make_process(app)
    auth.login_as("wijkregisseur")
    response = client.post(
        f"/processes/{p.slug}/edit", data={"name": "X", "neighbourhood": "Y", "ends_agendas": "morgen"}
    )
    summary = response.get_data(as_text=True).split("data-error-summary")[1].split("</div>")[0]
    assert "Fase 3" in summary
