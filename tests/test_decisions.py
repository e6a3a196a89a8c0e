"""Decisions on issues: shortlist with rationale, decline, withdraw, and merge without double counting."""

import sqlalchemy as sa

from app.extensions import db
from app.issues.models import Allocation, Comment, Issue, IssueStatusChange, Support
from tests.conftest import PASSWORD, make_issue, make_process, make_user


def test_shortlist_with_rationale_shows_on_issue_and_process_page(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id, title="Veilig winkelgebied")
    auth.login_as("wethouder")
    response = client.post(
        f"/issues/{issue.id}/decide",
        data={"decide-decision": "shortlist", "decide-reason": "Veel steun en het raakt veiligheid en economie."},
    )
    assert response.status_code == 302
    assert "Veel steun en het raakt" in client.get(f"/issues/{issue.id}").get_data(as_text=True)
    process_page = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    assert "Gekozen voor de agenda" in process_page and "Veilig winkelgebied" in process_page


def test_a_decision_needs_a_reason(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    auth.login_as("wijkregisseur")
    response = client.post(f"/issues/{issue.id}/decide", data={"decide-decision": "decline", "decide-reason": "nee"})
    assert response.status_code == 400 and b'id="decide-reason-error"' in response.data
    with app.app_context():
        assert db.session.get(Issue, issue.id).status == "open"


def test_residents_and_partners_cannot_decide(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    for role, kwargs in (("resident", {}), ("partner", {"org": "X"}), ("facilitator", {}), ("council", {})):
        auth.login_as(role, **kwargs)
        response = client.post(
            f"/issues/{issue.id}/decide", data={"decide-decision": "shortlist", "decide-reason": "Een goede reden hier"}
        )
        assert response.status_code == 403, role
        auth.logout()


def test_author_withdraws_with_a_reason_and_history_shows_it(app, client, auth):
    process = make_process(app, phase="issues")
    author = make_user(app)
    issue = make_issue(app, process.id, author.id)
    auth.login(author.email)
    assert client.post(f"/issues/{issue.id}/withdraw", data={"reason": "Is al opgelost"}).status_code == 302
    with app.app_context():
        statuses = [
            c.to_status
            for c in db.session.scalars(
                sa.select(IssueStatusChange)
                .where(IssueStatusChange.issue_id == issue.id)
                .order_by(IssueStatusChange.id)
            )
        ]
        assert statuses == ["open", "withdrawn"]
    assert "Is al opgelost" in client.get(f"/issues/{issue.id}").get_data(as_text=True)
    auth.logout()
    other = make_issue(app, process.id, author.id, title="Van iemand anders")
    auth.login_as("resident")
    assert client.post(f"/issues/{other.id}/withdraw", data={"reason": "Niet van mij"}).status_code == 403


def test_merge_carries_supports_points_and_comments_without_counting_anyone_twice(app, client, auth):
    process = make_process(app, phase="issues")
    author = make_user(app)
    source = make_issue(app, process.id, author.id, title="Vuil bij de winkels")
    target = make_issue(app, process.id, author.id, title="Schoon winkelgebied")
    both, only_source, only_target = (make_user(app) for _ in range(3))

    auth.login_as("wijkregisseur")
    client.post(f"/processes/{process.slug}/priorities/settings", data={"points_per_person": 5, "max_per_issue": 3})
    client.post(f"/processes/{process.slug}/priorities/open")
    auth.logout()
    for person, supports, points in (
        (both, (source, target), (2, 2)),
        (only_source, (source,), (1, 0)),
        (only_target, (target,), (0, 1)),
    ):
        browser = app.test_client()
        browser.post("/login", data={"email": person.email, "password": PASSWORD})
        for issue in supports:
            browser.post(f"/issues/{issue.id}/support", data={"action": "add"})
        for issue, n in zip((source, target), points, strict=True):
            if n:
                browser.post(f"/processes/{process.slug}/priorities/{issue.id}", data={"points": n})
        if person is only_source:
            browser.post(
                f"/issues/{source.id}/comments",
                data={"body": "Ik zie het elke dag.", "stance": "for", "kind": "experience"},
            )

    auth.login_as("wijkregisseur")
    response = client.post(
        f"/issues/{source.id}/decide",
        data={
            "decide-decision": "merge",
            "decide-target_id": str(target.id),
            "decide-reason": "Dit gaat over hetzelfde.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        merged = db.session.get(Issue, source.id)
        kept = db.session.get(Issue, target.id)
        assert merged.status == "merged" and merged.merged_into_id == target.id
        supporters = set(db.session.scalars(sa.select(Support.user_id).where(Support.issue_id == target.id)))
        assert supporters == {both.id, only_source.id, only_target.id}
        assert kept.support_count == 3
        points = dict(
            db.session.execute(
                sa.select(Allocation.ballot_id, Allocation.points).where(Allocation.issue_id == target.id)
            ).all()
        )
        assert sorted(points.values()) == [1, 1, 3]  # 2 + 2 capped at the maximum of 3
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Allocation).where(Allocation.issue_id == source.id)
            )
            == 0
        )
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(Comment).where(Comment.issue_id == target.id)) == 1
        )
        assert kept.comment_count == 1
    old_url = client.get(f"/issues/{source.id}")
    assert old_url.status_code == 301 and old_url.headers["Location"] == f"/issues/{target.id}"


def test_merge_target_must_be_chosen(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    auth.login_as("wijkregisseur")
    response = client.post(
        f"/issues/{issue.id}/decide", data={"decide-decision": "merge", "decide-reason": "Dit gaat over hetzelfde."}
    )
    assert response.status_code == 400 and b'id="decide-target_id-error"' in response.data


def test_merge_while_people_support_and_react_loses_and_doubles_nothing(app):
    """Threads support and react on both issues while another thread merges them."""
    import threading

    process = make_process(app, phase="issues")
    source = make_issue(app, process.id, make_user(app).id, title="Bron van de samenvoeging")
    target = make_issue(app, process.id, make_user(app).id, title="Doel van de samenvoeging")
    people = [make_user(app, email=f"druk{i}@example.org") for i in range(10)]
    director = make_user(app, role="wijkregisseur")
    browsers = []
    for person in [*people, director]:
        browser = app.test_client()
        browser.post("/login", data={"email": person.email, "password": PASSWORD})
        browsers.append(browser)
    barrier = threading.Barrier(len(browsers))
    statuses = []

    def act(i, browser):
        barrier.wait()
        if i == len(people):
            statuses.append(
                browser.post(
                    f"/issues/{source.id}/decide",
                    data={
                        "decide-decision": "merge",
                        "decide-target_id": str(target.id),
                        "decide-reason": "Dit gaat over hetzelfde.",
                    },
                ).status_code
            )
            return
        for issue in (source, target):
            browser.post(f"/issues/{issue.id}/support", data={"action": "add"})
            browser.post(
                f"/issues/{issue.id}/comments", data={"body": f"Reactie {i}", "stance": "for", "kind": "experience"}
            )

    threads = [threading.Thread(target=act, args=(i, b)) for i, b in enumerate(browsers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert set(statuses) <= {302, 301, 400, 403}, statuses  # refused or done, never a server error
    with app.app_context():
        assert db.session.get(Issue, source.id).status == "merged"
        kept = db.session.get(Issue, target.id)
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(Support).where(Support.issue_id == target.id))
        left = db.session.scalar(sa.select(sa.func.count()).select_from(Support).where(Support.issue_id == source.id))
        comments = db.session.scalar(
            sa.select(sa.func.count()).select_from(Comment).where(Comment.issue_id == target.id)
        )
        stranded = db.session.scalar(
            sa.select(sa.func.count()).select_from(Comment).where(Comment.issue_id == source.id)
        )
        assert left == 0 and stranded == 0
        assert kept.support_count == rows and rows <= len(people)
        assert kept.comment_count == comments
