"""The read-only API for processes and issues: paginated, and never an e-mail address."""

import json

from app.extensions import db
from app.seeding import load_demo
from tests.conftest import make_issue, make_process, make_user


def test_processes_and_issues(app, client):
    process = make_process(app, slug="api", phase="issues")
    author = make_user(app, email="geheim-adres@example.org", name="Geheime Naam")
    for i in range(55):
        make_issue(app, process.id, author.id, title=f"Onderwerp {i}", domains=("social", "safety"), breadth="broad")
    listing = client.get("/api/v1/processes").get_json()
    assert listing["total"] == 1 and listing["items"][0]["slug"] == "api" and listing["page"] == 1
    page1 = client.get("/api/v1/processes/api/issues").get_json()
    page2 = client.get("/api/v1/processes/api/issues?page=2").get_json()
    assert (page1["total"], page1["pages"], len(page1["items"]), len(page2["items"])) == (55, 2, 50, 5)
    item = page1["items"][0]
    for key in ("id", "title", "status", "support_count", "comment_count", "domains", "scale", "term", "breadth"):
        assert key in item
    assert "priority_points" not in item  # no closed round yet
    detail = client.get(f"/api/v1/issues/{item['id']}").get_json()
    assert detail["agendas"] == [] and detail["history"][0]["status"] == "open"
    assert detail["author"] == "bewoner"  # the public name, not the display name
    everything = json.dumps([listing, page1, page2, detail])
    assert "@" not in everything
    assert "geheim-adres" not in everything and "Geheime Naam" not in everything


def test_priority_points_once_the_round_is_closed(app, client):
    with app.app_context():
        load_demo()
        db.session.commit()
    items = client.get("/api/v1/processes/buytenwegh/issues").get_json()["items"]
    assert all("priority_points" in i for i in items) and sum(i["priority_points"] for i in items) > 0
    assert "@" not in json.dumps(items)


def test_unknown_things_are_404_in_json(client):
    response = client.get("/api/v1/issues/999")
    assert response.status_code == 404 and response.get_json()["error"]
    assert client.get("/api/v1/processes/bestaat-niet/issues").status_code == 404
