"""The prioritisation round: budget and maximum per issue; hidden results; one person, one vote."""

import threading

import sqlalchemy as sa

from app.extensions import db
from app.issues.models import Allocation, Ballot, PriorityRound
from tests.conftest import PASSWORD, make_issue, make_process, make_user


def open_round(app, client, auth, slug, points=5, maximum=3, visible=False):
    auth.login_as("wijkregisseur")
    data = {"points_per_person": points, "max_per_issue": maximum}
    if visible:
        data["results_while_open"] = "y"
    assert client.post(f"/processes/{slug}/priorities/settings", data=data).status_code == 302
    assert client.post(f"/processes/{slug}/priorities/open").status_code == 302
    auth.logout()


def used(app, user_id):
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Allocation.points), 0))
            .join(Ballot, Ballot.id == Allocation.ballot_id)
            .where(Ballot.user_id == user_id)
        )


def setup(app, n=3):
    process = make_process(app, slug="punten", phase="issues")
    author = make_user(app)
    issues = [make_issue(app, process.id, author.id, title=f"Onderwerp {i}") for i in range(n)]
    return process, issues


def test_points_within_budget_and_maximum(app, client, auth):
    process, issues = setup(app)
    open_round(app, client, auth, process.slug)
    voter = auth.login_as("resident")
    url = f"/processes/{process.slug}/priorities"
    assert client.post(f"{url}/{issues[0].id}", data={"points": 3}).status_code == 302
    too_many = client.post(f"{url}/{issues[1].id}", data={"points": 4})
    assert too_many.status_code == 400 and "tussen 0 en 3" in too_many.get_data(as_text=True)
    over_budget = client.post(f"{url}/{issues[1].id}", data={"points": 3})
    assert over_budget.status_code == 400 and "2 punten" in over_budget.get_data(as_text=True)
    assert client.post(f"{url}/{issues[1].id}", data={"points": 2}).status_code == 302
    assert used(app, voter.id) == 5
    assert client.post(f"{url}/{issues[0].id}", data={"points": 0}).status_code == 302  # take back
    assert used(app, voter.id) == 2
    assert client.post(f"{url}/{issues[0].id}", data={"points": -1}).status_code == 400


def test_concurrent_requests_cannot_exceed_the_budget(app, client, auth):
    process, issues = setup(app, n=6)
    open_round(app, client, auth, process.slug, points=5, maximum=3)
    voter = make_user(app)
    browser = app.test_client()
    browser.post("/login", data={"email": voter.email, "password": PASSWORD})
    barrier = threading.Barrier(len(issues))

    def give(issue_id):
        barrier.wait()
        browser.post(f"/processes/{process.slug}/priorities/{issue_id}", data={"points": 3})

    threads = [threading.Thread(target=give, args=(i.id,)) for i in issues]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    total = used(app, voter.id)
    assert total <= 5
    with app.app_context():
        ballot = db.session.scalar(sa.select(Ballot).where(Ballot.user_id == voter.id))
        assert ballot.points_used == total


def test_results_are_hidden_until_the_round_closes(app, client, auth):
    process, issues = setup(app)
    open_round(app, client, auth, process.slug)
    auth.login_as("resident")
    client.post(f"/processes/{process.slug}/priorities/{issues[1].id}", data={"points": 2})
    page = client.get(f"/processes/{process.slug}/priorities").get_data(as_text=True)
    assert "<svg" not in page and "als de ronde sluit" in page
    auth.logout()
    auth.login_as("wijkregisseur")
    assert client.post(f"/processes/{process.slug}/priorities/close").status_code == 302
    auth.logout()
    page = app.test_client().get(f"/processes/{process.slug}/priorities").get_data(as_text=True)
    assert "<svg" in page and "<table" in page and "Onderwerp 1" in page


def test_results_can_be_shown_while_open(app, client, auth):
    process, issues = setup(app)
    open_round(app, client, auth, process.slug, visible=True)
    auth.login_as("resident")
    client.post(f"/processes/{process.slug}/priorities/{issues[0].id}", data={"points": 1})
    assert "<svg" in app.test_client().get(f"/processes/{process.slug}/priorities").get_data(as_text=True)


def test_results_split_residents_and_partners_one_person_one_vote(app, client, auth):
    process, issues = setup(app)
    open_round(app, client, auth, process.slug, visible=True)
    for role, kwargs in (
        ("resident", {}),
        ("resident", {}),
        ("partner", {"org": "Grote Corporatie"}),
        ("partner", {"org": "Grote Corporatie"}),
    ):
        auth.login_as(role, **kwargs)
        client.post(f"/processes/{process.slug}/priorities/{issues[0].id}", data={"points": 2})
        auth.logout()
    from app.issues import voting

    with app.app_context():
        round_ = db.session.scalar(sa.select(PriorityRound))
        (row,) = voting.results(round_)
        assert (row.total, row.residents, row.partners, row.voters) == (8, 4, 4, 4)


def test_voting_is_refused_before_the_round_opens_and_after_it_closes(app, client, auth):
    process, issues = setup(app)
    auth.login_as("wijkregisseur")
    client.post(f"/processes/{process.slug}/priorities/settings", data={"points_per_person": 5, "max_per_issue": 3})
    auth.logout()
    auth.login_as("resident")
    assert client.post(f"/processes/{process.slug}/priorities/{issues[0].id}", data={"points": 1}).status_code == 403


def test_only_the_neighbourhood_director_manages_the_round(app, client, auth):
    process, _issues = setup(app)
    for role in ("resident", "facilitator", "wethouder", "council"):
        auth.login_as(role)
        for action in ("open", "close"):
            assert client.post(f"/processes/{process.slug}/priorities/{action}").status_code == 403
        assert (
            client.post(
                f"/processes/{process.slug}/priorities/settings", data={"points_per_person": 9, "max_per_issue": 9}
            ).status_code
            == 403
        )
        auth.logout()
    with app.app_context():
        assert db.session.scalar(sa.select(PriorityRound)) is None


def test_bad_settings_are_shown_next_to_the_field(app, client, auth):
    process, _issues = setup(app)
    auth.login_as("wijkregisseur")
    response = client.post(
        f"/processes/{process.slug}/priorities/settings", data={"points_per_person": 3, "max_per_issue": 5}
    )
    assert response.status_code == 400 and b'id="max_per_issue-error"' in response.data


def test_only_residents_and_approved_partners_divide_points(app, client, auth):
    process, issues = setup(app)
    open_round(app, client, auth, process.slug)
    for role, kwargs in (
        ("wijkregisseur", {}),
        ("wethouder", {}),
        ("council", {}),
        ("partner", {"org": "Halte 2717", "status": "pending"}),
    ):
        auth.login_as(role, **kwargs)
        response = client.post(f"/processes/{process.slug}/priorities/{issues[0].id}", data={"points": 1})
        assert response.status_code == 403, role
        auth.logout()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Allocation)) == 0
