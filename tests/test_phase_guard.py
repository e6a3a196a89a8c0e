"""Changing the phase is guarded: two steps without JavaScript (choose, then read what it means and
confirm with a reason); going back or skipping a phase also needs an explicit confirmation; the
reason is public in the phase history."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.processes.models import PhaseChange, Process
from tests.conftest import make_process

DEMO_PASSWORD = "lantaarn-fiets-dinsdag-42"
REASON = "De tussenevaluatie met bewoners en partners begint."


def _phase(app, process_id) -> str:
    with app.app_context():
        return db.session.get(Process, process_id).current_phase


def _changes(app) -> list[PhaseChange]:
    with app.app_context():
        return list(db.session.scalars(sa.select(PhaseChange).order_by(PhaseChange.id)))


def _set_phase(app, process_id, phase):
    with app.app_context():
        db.session.execute(sa.update(Process).where(Process.id == process_id).values(current_phase=phase))
        db.session.commit()


def _section(page: str, marker: str) -> str:
    return page.split(marker, 1)[1].split("</ul>", 1)[0]


def test_the_process_page_asks_for_the_phase_with_a_plain_get_form(app, client, auth):
    p = make_process(app, phase="issues")
    auth.login_as("wijkregisseur")
    page = client.get(f"/processes/{p.slug}").get_data(as_text=True)
    manage = page.split('id="manage"', 1)[1]
    form = re.search(r'<form method="get" action="/processes/[^"]+/phase"', manage)
    assert form, "step 1 is a GET form: choosing changes nothing yet"
    assert 'selected value="interim"' in manage  # the next phase is proposed
    assert 'value="issues"' not in manage.split("</select>")[0]  # the current phase is no choice
    # choosing is not changing
    step2 = client.get(f"/processes/{p.slug}/phase?phase=interim")
    assert step2.status_code == 200
    assert _phase(app, p.id) == "issues" and _changes(app) == []


def test_a_next_step_needs_a_reason_and_shows_what_stops_and_opens(app, client, auth):
    p = make_process(app, phase="issues")
    auth.login_as("wijkregisseur")
    page = client.get(f"/processes/{p.slug}/phase?phase=interim").get_data(as_text=True)
    assert "Onderwerpen voorstellen en steunen" in _section(page, "data-phase-stops")
    assert "Punten verdelen over onderwerpen" in _section(page, "data-phase-stops")
    assert "data-phase-warning" not in page and 'name="confirm"' not in page  # a normal step: no checkbox
    assert 'name="reason"' in page and 'name="from_phase" type="hidden" value="issues"' in page

    for reason in ("", "Klaar."):  # empty, and shorter than the minimum
        refused = client.post(
            f"/processes/{p.slug}/phase", data={"phase": "interim", "from_phase": "issues", "reason": reason}
        )
        assert refused.status_code == 400
        assert 'id="reason-error"' in refused.get_data(as_text=True)
        assert _phase(app, p.id) == "issues"

    done = client.post(
        f"/processes/{p.slug}/phase", data={"phase": "interim", "from_phase": "issues", "reason": REASON}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("#phase-history")
    assert _phase(app, p.id) == "interim"
    assert [(c.from_phase, c.to_phase, c.note) for c in _changes(app)] == [("issues", "interim", REASON)]


def test_the_reason_is_public_in_the_phase_history(app, client, auth):
    p = make_process(app, phase="issues")
    auth.login_as("wijkregisseur", name="Marieke de Wijkregisseur", show_name=True)
    client.post(f"/processes/{p.slug}/phase", data={"phase": "interim", "from_phase": "issues", "reason": REASON})
    auth.logout()
    page = client.get(f"/processes/{p.slug}").get_data(as_text=True)  # a visitor
    history = page.split('id="phase-history"', 1)[1].split("</section>", 1)[0]
    assert REASON in history
    assert "Fase 2: Onderwerpen kiezen → Tussenstop" in history


def test_skipping_the_tussenstop_says_so_and_needs_a_confirmation(app, client, auth):
    p = make_process(app, phase="issues")
    auth.login_as("wijkregisseur")
    page = client.get(f"/processes/{p.slug}/phase?phase=agendas").get_data(as_text=True)
    warning = page.split("data-phase-warning", 1)[1].split("</div>", 1)[0]
    assert "U slaat een fase over" in warning
    assert "tussenevaluatie" in warning and "tussenstop wordt overgeslagen" in warning.lower()
    assert 'name="confirm"' in page

    data = {"phase": "agendas", "from_phase": "issues", "reason": "De raad wil snel verder met de agenda's."}
    refused = client.post(f"/processes/{p.slug}/phase", data=data)
    assert refused.status_code == 400 and 'id="confirm-error"' in refused.get_data(as_text=True)
    assert _phase(app, p.id) == "issues"

    assert client.post(f"/processes/{p.slug}/phase", data={**data, "confirm": "y"}).status_code == 302
    assert _phase(app, p.id) == "agendas"
    history = client.get(f"/processes/{p.slug}").get_data(as_text=True).split('id="phase-history"', 1)[1]
    assert "een fase overgeslagen" in history.split("</li>", 1)[0]


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return db.session.scalar(sa.select(Process.id).where(Process.slug == "buytenwegh"))


def _as_director(client):
    response = client.post("/login", data={"email": "wijkregisseur@example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_going_back_from_3_to_2_counts_what_stops(app, client, demo):
    _set_phase(app, demo, "agendas")
    _as_director(client)
    page = client.get("/processes/buytenwegh/phase?phase=issues").get_data(as_text=True)
    assert "U gaat terug naar een eerdere fase" in page
    assert "Agenda's schrijven en instemmingsrondes beantwoorden" in _section(page, "data-phase-stops")
    assert "Onderwerpen voorstellen en steunen" in _section(page, "data-phase-opens")
    effects = _section(page, "data-phase-effects")
    assert "1 instemmingsronde is open" in effects  # the demo's round on the Cesar Franckrode agenda
    assert "2 agenda&#39;s zijn nog niet afgesproken" in effects
    assert "4 onderwerpen zijn al gekozen" in effects

    data = {"phase": "issues", "from_phase": "agendas", "reason": "Er moeten eerst meer onderwerpen komen."}
    assert client.post("/processes/buytenwegh/phase", data=data).status_code == 400  # no confirmation
    assert _phase(app, demo) == "agendas"
    assert client.post("/processes/buytenwegh/phase", data={**data, "confirm": "y"}).status_code == 302
    assert _phase(app, demo) == "issues"
    history = client.get("/processes/buytenwegh").get_data(as_text=True).split('id="phase-history"', 1)[1]
    assert "terug naar een eerdere fase" in history.split("</li>", 1)[0]


def test_leaving_phase_4_counts_the_covenants_waiting_for_signatures(app, client, demo):
    _set_phase(app, demo, "covenants")
    _as_director(client)
    page = client.get("/processes/buytenwegh/phase?phase=agendas").get_data(as_text=True)
    assert "Convenanten openstellen voor ondertekening en ze ondertekenen" in _section(page, "data-phase-stops")
    effects = _section(page, "data-phase-effects")
    # the demo's covenant open for signature: signed by De Goede Woning, three parties still to sign
    assert "1 convenant staat open voor ondertekening" in effects
    assert "Er ontbreken nog 3 handtekeningen" in effects


def test_a_change_made_meanwhile_is_not_overwritten(app, client, auth):
    p = make_process(app, phase="issues")
    auth.login_as("wijkregisseur")
    client.get(f"/processes/{p.slug}/phase?phase=interim")
    _set_phase(app, p.id, "agendas")  # another director, while this one reads the consequences
    stale = client.post(
        f"/processes/{p.slug}/phase", data={"phase": "interim", "from_phase": "issues", "reason": REASON}
    )
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Iemand anders heeft net de fase veranderd" in page
    assert "U gaat terug naar een eerdere fase" in page  # the consequences as they are now: 3 back to the interim
    assert _phase(app, p.id) == "agendas" and _changes(app) == []
    # the same move made by someone else: told, nothing logged twice
    same = client.post(
        f"/processes/{p.slug}/phase", data={"phase": "agendas", "from_phase": "issues", "reason": REASON}
    )
    assert same.status_code == 302 and _changes(app) == []


def test_odd_phase_values_are_refused_plainly(app, client, auth):
    p = make_process(app, phase="issues")
    auth.login_as("wijkregisseur")
    for value in ("issues", "nonsense", "", "²"):
        response = client.get(f"/processes/{p.slug}/phase", query_string={"phase": value})
        assert response.status_code == 400, value
        assert 'id="phase-error"' in response.get_data(as_text=True)
        posted = client.post(
            f"/processes/{p.slug}/phase", data={"phase": value, "from_phase": "issues", "reason": REASON}
        )
        assert posted.status_code == 400, value
    assert client.get(f"/processes/{p.slug}/phase").status_code == 200  # step 1 on its own page
    assert _phase(app, p.id) == "issues" and _changes(app) == []


@pytest.mark.parametrize("role", ["resident", "partner", "facilitator", "wethouder", "council"])
def test_other_roles_see_neither_step(app, client, auth, role):
    p = make_process(app, phase="issues")
    auth.login_as(role, org="Halte 2717" if role == "partner" else None)
    assert client.get(f"/processes/{p.slug}/phase?phase=interim").status_code == 403
    data = {"phase": "interim", "from_phase": "issues", "reason": REASON, "confirm": "y"}
    assert client.post(f"/processes/{p.slug}/phase", data=data).status_code == 403
    assert _phase(app, p.id) == "issues"


def test_a_visitor_is_sent_to_log_in(app, client):
    p = make_process(app, phase="issues")
    response = client.get(f"/processes/{p.slug}/phase?phase=interim")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_service_holds_the_rules_for_the_cli_too(app):
    from app.accounts.models import User
    from app.errors import DomainError
    from app.processes import services
    from tests.conftest import make_user

    p = make_process(app, phase="agendas")
    director = make_user(app, role="wijkregisseur")
    with app.app_context():
        actor = db.session.get(User, director.id)
        process = db.session.get(Process, p.id)
        with pytest.raises(DomainError) as short:
            services.set_phase(actor, process, "covenants", "Ja")
        assert short.value.field == "reason"
        with pytest.raises(DomainError) as unconfirmed:
            services.set_phase(actor, process, "issues", "Terug om meer onderwerpen te verzamelen.")
        assert unconfirmed.value.field == "confirm"
        change = services.set_phase(actor, process, "covenants", "Alle agenda's zijn afgesproken.")
        assert change.note == "Alle agenda's zijn afgesproken." and process.current_phase == "covenants"


def test_the_phase_history_costs_the_same_queries_however_long_it_is(app, client, auth):
    from app.processes import services
    from tests.conftest import make_user
    from tests.test_query_counts import queries

    p = make_process(app, phase="approach")
    order = ["participants", "issues", "interim", "agendas", "covenants", "agendas"]

    def change(to: str) -> None:
        from app.accounts.models import User

        director = make_user(app, role="wijkregisseur", show_name=True)
        with app.app_context():
            process = db.session.get(Process, p.id)
            services.set_phase(
                db.session.get(User, director.id), process, to, f"Naar {to}, met een reden.", confirmed=True
            )
            db.session.commit()

    change(order[0])
    few = queries(app, client, f"/processes/{p.slug}")
    for to in order[1:]:
        change(to)
    assert queries(app, client, f"/processes/{p.slug}") == few


def test_the_command_line_publishes_and_changes_the_phase_with_the_same_rules(app, runner):
    p = make_process(app, phase="issues", published=False, slug="seghwaert")
    listed = runner.invoke(args=["processes", "list"])
    assert "seghwaert\tissues\tnot published" in listed.output
    assert runner.invoke(args=["processes", "publish", "seghwaert"]).output.strip() == "seghwaert: published"
    with app.app_context():
        assert db.session.get(Process, p.id).published_at is not None

    short = runner.invoke(args=["processes", "phase", "seghwaert", "agendas", "--reason", "Nu"])
    assert short.exit_code != 0 and "reason" in short.output
    skipped = runner.invoke(args=["processes", "phase", "seghwaert", "agendas", "--reason", "De raad wil door."])
    assert skipped.exit_code != 0 and "confirm" in skipped.output
    assert "tussenstop wordt overgeslagen" in skipped.output.lower()  # what it means, before refusing
    assert _phase(app, p.id) == "issues"
    done = runner.invoke(
        args=["processes", "phase", "seghwaert", "agendas", "--reason", "De raad wil door.", "--confirm"]
    )
    assert done.exit_code == 0, done.output
    assert _phase(app, p.id) == "agendas"
    assert [(c.from_phase, c.to_phase, c.changed_by_id) for c in _changes(app)] == [("issues", "agendas", None)]
