"""Supporting: once per person, exact counts under concurrency, plain form and JSON."""

import threading

import sqlalchemy as sa

from app.extensions import db
from app.issues.models import Issue, Support
from tests.conftest import PASSWORD, make_issue, make_process, make_user


def state(app, issue_id):
    with app.app_context():
        count = db.session.scalar(sa.select(Issue.support_count).where(Issue.id == issue_id))
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(Support).where(Support.issue_id == issue_id))
        return count, rows


def test_support_toggles_and_redirects_back(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    auth.login_as("resident")
    response = client.post(f"/issues/{issue.id}/support", data={"next": f"/processes/{process.slug}/issues"})
    assert response.status_code == 302 and response.headers["Location"] == f"/processes/{process.slug}/issues"
    assert state(app, issue.id) == (1, 1)
    client.post(f"/issues/{issue.id}/support")
    assert state(app, issue.id) == (0, 0)


def test_explicit_add_and_remove_are_idempotent(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    auth.login_as("resident")
    for _ in range(3):
        client.post(f"/issues/{issue.id}/support", data={"action": "add"})
    assert state(app, issue.id) == (1, 1)
    for _ in range(2):
        client.post(f"/issues/{issue.id}/support", data={"action": "remove"})
    assert state(app, issue.id) == (0, 0)


def test_json_answer_for_the_enhanced_button(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    auth.login_as("resident")
    data = client.post(
        f"/issues/{issue.id}/support", data={"action": "add"}, headers={"X-Requested-With": "fetch"}
    ).get_json()
    assert data["supported"] is True and data["count"] == 1 and "1" in data["count_text"]


def test_support_is_refused_for_other_roles_phases_and_closed_issues(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    declined = make_issue(app, process.id, make_user(app).id, title="Afgewezen idee", status="declined")
    auth.login_as("wijkregisseur")
    assert client.post(f"/issues/{issue.id}/support").status_code == 403
    auth.logout()
    auth.login_as("resident")
    assert client.post(f"/issues/{declined.id}/support").status_code == 403
    later = make_process(app, phase="agendas")
    old = make_issue(app, later.id, make_user(app).id)
    response = client.post(f"/issues/{old.id}/support")
    assert response.status_code == 403 and "voorbij" in response.get_data(as_text=True)
    assert state(app, issue.id) == (0, 0)


def test_many_people_at_once_give_an_exact_count(app):
    """Each thread is a separate browser with its own database session and connection."""
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    people = [make_user(app, email=f"steun{i}@example.org") for i in range(16)]
    clients = []
    for person in people:
        browser = app.test_client()
        assert browser.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
        clients.append(browser)
    barrier = threading.Barrier(len(clients))
    statuses = []

    def vote(browser, times):
        barrier.wait()
        for _ in range(times):  # some people click twice: on, off
            statuses.append(browser.post(f"/issues/{issue.id}/support").status_code)

    threads = [threading.Thread(target=vote, args=(b, 1 if i % 4 else 2)) for i, b in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert set(statuses) == {302}
    expected = sum(1 for i in range(len(clients)) if i % 4)  # those who clicked twice took it back
    assert state(app, issue.id) == (expected, expected)


def test_double_click_by_one_person_counts_once(app):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    person = make_user(app)
    browser = app.test_client()
    browser.post("/login", data={"email": person.email, "password": PASSWORD})
    barrier = threading.Barrier(6)

    def click():
        barrier.wait()
        browser.post(f"/issues/{issue.id}/support", data={"action": "add"})

    threads = [threading.Thread(target=click) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert state(app, issue.id) == (1, 1)
