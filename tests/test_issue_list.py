"""The issue list: filters, search, sorting (random with a seed per visitor), pagination, constant queries."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.issues.models import Issue
from tests.conftest import make_issue, make_process, make_user
from tests.test_query_counts import counting


def titles(html: str) -> list[str]:
    return re.findall(r'issue-card__title"><a class="utrecht-link" href="/issues/\d+">([^<]+)</a>', html)


def setup_issues(app):
    process = make_process(app, slug="lijst", phase="issues")
    author = make_user(app)
    make_issue(app, process.id, author.id, title="Zwerfvuil winkelcentrum", domains=("physical",), place="Winkelgebied")
    make_issue(app, process.id, author.id, title="Eenzaamheid ouderen", domains=("social",), scale="large", term="long")
    make_issue(app, process.id, author.id, title="Onveilig fietspad", domains=("safety",))
    make_issue(app, process.id, author.id, title="Oude wens", status="declined")
    return process


def test_filters_and_search(app, client):
    process = setup_issues(app)
    base = f"/processes/{process.slug}/issues"
    assert sorted(titles(client.get(base).get_data(as_text=True))) == [
        "Eenzaamheid ouderen",
        "Onveilig fietspad",
        "Zwerfvuil winkelcentrum",
    ]  # declined not by default
    assert titles(client.get(base + "?domain=social").get_data(as_text=True)) == ["Eenzaamheid ouderen"]
    assert titles(client.get(base + "?scale=large&term=long").get_data(as_text=True)) == ["Eenzaamheid ouderen"]
    assert titles(client.get(base + "?place=winkelgebied").get_data(as_text=True)) == ["Zwerfvuil winkelcentrum"]
    assert titles(client.get(base + "?status=declined").get_data(as_text=True)) == ["Oude wens"]
    assert titles(client.get(base + "?q=fietspad").get_data(as_text=True)) == ["Onveilig fietspad"]
    assert titles(client.get(base + "?q=100%25_").get_data(as_text=True)) == []  # LIKE wildcards are escaped


def test_sorting_by_support_and_discussion(app, client):
    process = setup_issues(app)
    with app.app_context():
        db.session.execute(sa.update(Issue).where(Issue.title == "Onveilig fietspad").values(support_count=9))
        db.session.execute(sa.update(Issue).where(Issue.title == "Eenzaamheid ouderen").values(comment_count=4))
        db.session.commit()
    base = f"/processes/{process.slug}/issues"
    assert titles(client.get(base + "?sort=supported").get_data(as_text=True))[0] == "Onveilig fietspad"
    assert titles(client.get(base + "?sort=discussed").get_data(as_text=True))[0] == "Eenzaamheid ouderen"


def test_random_order_is_stable_for_a_visitor_and_differs_between_visitors(app):
    process = make_process(app, slug="willekeurig", phase="issues")
    author = make_user(app)
    for i in range(30):
        make_issue(app, process.id, author.id, title=f"Onderwerp nummer {i:02d}")
    url = f"/processes/{process.slug}/issues?sort=random"
    one = app.test_client()
    first = titles(one.get(url).get_data(as_text=True))
    assert titles(one.get(url).get_data(as_text=True)) == first  # same seed: same order, also on page 2
    orders = {tuple(titles(app.test_client().get(url).get_data(as_text=True))) for _ in range(5)}
    assert len(orders) > 1
    page1 = titles(one.get(url).get_data(as_text=True))
    page2 = titles(one.get(url + "&page=2").get_data(as_text=True))
    assert len(page1) == 20 and len(page2) == 10 and not set(page1) & set(page2)


def test_list_queries_do_not_grow_with_issues_supports_or_comments(app, client, auth):
    process = make_process(app, slug="tellen", phase="issues")
    auth.login_as("resident")
    author = make_user(app, role="partner", org="Stichting Piëzo")
    for i in range(3):
        make_issue(app, process.id, author.id, title=f"Eerste {i}")
    url = f"/processes/{process.slug}/issues?sort=supported"
    with counting(app) as few:
        assert client.get(url).status_code == 200
    for i in range(40):
        other = make_user(app, role="partner", org=f"Organisatie {i}") if i % 5 == 0 else author
        make_issue(app, process.id, other.id, title=f"Later {i}", domains=("social", "safety"), breadth="broad")
    with counting(app) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), (len(few), len(many))
