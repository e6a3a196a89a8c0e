"""Behaviour that a review found missing: stale requests during a merge, points released,
the merge visible on the target, fair random order, similar-issue scoring, bounded queries."""

from collections import Counter

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.issues import decisions, services, voting
from app.issues.models import Allocation, Ballot, Issue, Support
from tests.conftest import PASSWORD, make_issue, make_process, make_user
from tests.test_query_counts import counting


def login(app, user):
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": PASSWORD})
    return browser


def test_support_and_comment_on_a_stale_copy_of_a_merged_issue_are_refused(app):
    """The request loaded the issue before a merge committed; its write must not land on the merged issue."""
    from app.accounts.models import User

    process = make_process(app, phase="issues")
    source = make_issue(app, process.id, make_user(app).id, title="Bron")
    target = make_issue(app, process.id, make_user(app).id, title="Doel")
    resident = make_user(app)
    with app.app_context():
        stale = db.session.get(Issue, source.id)  # loaded and checked as open ...
        db.session.expunge(stale)
    with app.app_context():  # ... then another request merges it and commits
        db.session.execute(
            sa.update(Issue).where(Issue.id == source.id).values(status="merged", merged_into_id=target.id)
        )
        db.session.commit()
    with app.app_context():
        user = db.session.get(User, resident.id)
        assert stale.status == "open"
        with pytest.raises(DomainError):
            voting.set_support(user, stale, True)
        db.session.rollback()
        with pytest.raises(DomainError):
            services.add_comment(user, stale, "Ik reageer te laat", "for", "experience")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Support)) == 0
        assert db.session.get(Issue, source.id).comment_count == 0


def test_merge_refuses_a_target_that_was_merged_meanwhile(app):
    from app.accounts.models import User

    process = make_process(app, phase="issues")
    a, b, c = (make_issue(app, process.id, make_user(app).id, title=t) for t in ("Een", "Twee", "Drie"))
    director = make_user(app, role="wijkregisseur")
    with app.app_context():
        actor = db.session.get(User, director.id)
        stale_b = db.session.get(Issue, b.id)
        decisions.merge(actor, db.session.get(Issue, b.id), db.session.get(Issue, c.id), "Hetzelfde onderwerp")
        with pytest.raises(DomainError):
            decisions.merge(actor, db.session.get(Issue, a.id), stale_b, "Hetzelfde onderwerp")


def open_round(app, process):
    director = make_user(app, role="wijkregisseur")
    browser = login(app, director)
    browser.post(f"/processes/{process.slug}/priorities/settings", data={"points_per_person": 5, "max_per_issue": 3})
    browser.post(f"/processes/{process.slug}/priorities/open")
    return browser


def test_declining_an_issue_gives_its_points_back(app):
    process = make_process(app, phase="issues")
    declined = make_issue(app, process.id, make_user(app).id, title="Gaat niet door")
    other = make_issue(app, process.id, make_user(app).id, title="Gaat wel door")
    director = open_round(app, process)
    voter = make_user(app)
    browser = login(app, voter)
    browser.post(f"/processes/{process.slug}/priorities/{declined.id}", data={"points": 3})
    director.post(
        f"/issues/{declined.id}/decide",
        data={"decide-decision": "decline", "decide-reason": "Dit ligt bij de provincie."},
    )
    with app.app_context():
        assert db.session.scalar(sa.select(Ballot.points_used).where(Ballot.user_id == voter.id)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Allocation)) == 0
    assert browser.post(f"/processes/{process.slug}/priorities/{other.id}", data={"points": 3}).status_code == 302


def test_points_can_be_taken_back_from_an_issue_that_closed(app):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    open_round(app, process)
    voter = make_user(app)
    browser = login(app, voter)
    browser.post(f"/processes/{process.slug}/priorities/{issue.id}", data={"points": 2})
    with app.app_context():  # closed by some path that does not release points
        db.session.execute(sa.update(Issue).values(status="withdrawn"))
        db.session.commit()
    assert browser.post(f"/processes/{process.slug}/priorities/{issue.id}", data={"points": 1}).status_code == 400
    assert browser.post(f"/processes/{process.slug}/priorities/{issue.id}", data={"points": 0}).status_code == 302


def test_a_closed_round_cannot_open_again(app):
    process = make_process(app, phase="issues")
    director = open_round(app, process)
    director.post(f"/processes/{process.slug}/priorities/close")
    director.post(f"/processes/{process.slug}/priorities/open")
    with app.app_context():
        assert voting.get_round(process.id).status == "closed"


def test_merge_shows_on_the_target_with_its_reason(app, client, auth):
    process = make_process(app, phase="issues")
    source = make_issue(app, process.id, make_user(app).id, title="Vuil bij de flats")
    target = make_issue(app, process.id, make_user(app).id, title="Schone buurt")
    auth.login_as("wijkregisseur")
    client.post(
        f"/issues/{source.id}/decide",
        data={
            "decide-decision": "merge",
            "decide-target_id": str(target.id),
            "decide-reason": "Beide gaan over zwerfvuil.",
        },
    )
    page = client.get(f"/issues/{source.id}", follow_redirects=True).get_data(as_text=True)
    assert "Vuil bij de flats" in page and "Beide gaan over zwerfvuil." in page


def test_decision_form_offers_only_what_the_status_allows(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    withdrawn = make_issue(app, process.id, make_user(app).id, title="Ingetrokken", status="withdrawn")
    auth.login_as("wijkregisseur")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert 'value="shortlist"' in page and 'value="reopen"' not in page
    assert 'name="decide-decision"' not in client.get(f"/issues/{withdrawn.id}").get_data(as_text=True)
    reopen = client.post(
        f"/issues/{issue.id}/decide", data={"decide-decision": "reopen", "decide-reason": "Zomaar weer open."}
    )
    assert reopen.status_code == 400


def test_random_order_is_a_fair_shuffle(app):
    """Over many visitors every issue is first about equally often (a rotation would not be)."""
    process = make_process(app, phase="issues")
    author = make_user(app)
    ids = [make_issue(app, process.id, author.id, title=f"Onderwerp {i}").id for i in range(12)]
    with app.app_context():
        firsts = Counter()
        for seed in range(1200):
            stmt = services.list_query(process.id, services.IssueFilters(sort="random"), seed=seed).limit(1)
            firsts[db.session.scalar(stmt).id] += 1
    assert set(firsts) == set(ids)
    assert max(firsts.values()) < 3 * min(firsts.values())


def test_one_shared_word_does_not_make_issues_similar(app):
    process = make_process(app, phase="issues")
    make_issue(app, process.id, make_user(app).id, title="Lantaarnpaal kapot bij de school")
    with app.app_context():
        assert services.similar_issues(process.id, "Speeltoestel kapot in het park bij de vijver") == []
        found = services.similar_issues(process.id, "Lantaarnpaal bij school doet het niet")
        assert [i.title for i in found] == ["Lantaarnpaal kapot bij de school"]


def test_search_escapes_like_wildcards(app, client):
    process = make_process(app, phase="issues")
    make_issue(app, process.id, make_user(app).id, title="Buurt abcd plan")
    html = client.get(f"/processes/{process.slug}/issues?q=ab_d").get_data(as_text=True)
    assert "Buurt abcd plan" not in html
    html = client.get(f"/processes/{process.slug}/issues?q=abcd").get_data(as_text=True)
    assert "Buurt abcd plan" in html


def test_api_hides_points_while_the_round_is_open(app, client):
    process = make_process(app, slug="open-ronde", phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    open_round(app, process)
    login(app, make_user(app)).post(f"/processes/{process.slug}/priorities/{issue.id}", data={"points": 2})
    items = client.get(f"/api/v1/processes/{process.slug}/issues").get_json()["items"]
    assert "priority_points" not in items[0]
    assert "priority_points" not in client.get(f"/api/v1/issues/{issue.id}").get_json()


def test_issue_page_queries_do_not_grow_with_its_history(app, client, auth):
    process = make_process(app, phase="issues")
    issue = make_issue(app, process.id, make_user(app).id)
    director = make_user(app, role="wijkregisseur")
    partner = make_user(app, role="wethouder")
    browser = login(app, director)
    browser.post(f"/issues/{issue.id}/decide", data={"decide-decision": "shortlist", "decide-reason": "Veel steun."})
    with counting(app) as few:
        client.get(f"/issues/{issue.id}")
    for who in (director, partner, director):
        b = login(app, who)
        b.post(f"/issues/{issue.id}/decide", data={"decide-decision": "reopen", "decide-reason": "Toch weer open."})
        b.post(f"/issues/{issue.id}/decide", data={"decide-decision": "shortlist", "decide-reason": "Toch gekozen."})
    with counting(app) as many:
        client.get(f"/issues/{issue.id}")
    assert len(many) == len(few), (len(few), len(many))


def test_editing_only_the_classification_keeps_a_revision(app, client, auth):
    from app.issues.models import IssueRevision

    process = make_process(app, phase="issues")
    user = auth.login_as("resident")
    issue = make_issue(app, process.id, user.id, title="Een goed onderwerp")
    with app.app_context():
        text = db.session.get(Issue, issue.id).description
    client.post(
        f"/issues/{issue.id}/edit",
        data={
            "title": "Een goed onderwerp",
            "description": text,
            "domains": ["social"],
            "breadth": "single",
            "scale": "large",
            "term": "long",
        },
    )
    with app.app_context():
        revision = db.session.scalar(sa.select(IssueRevision))
        assert revision.classification["domains"] == ["safety"] and revision.classification["scale"] == "small"
