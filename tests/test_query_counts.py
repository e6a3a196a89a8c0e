"""Lists are paginated and their number of SQL queries does not grow with the data."""

from contextlib import contextmanager

import sqlalchemy as sa

from app.extensions import db
from tests.conftest import make_organisation, make_process, make_user


@contextmanager
def counting(app):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def queries(app, client, url):
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def add_people(app, n, start):
    for i in range(n):
        make_user(
            app, role="partner", email=f"p{start + i}@example.org", org=f"Org {(start + i) % 7}", status="pending"
        )


def test_admin_lists_make_the_same_number_of_queries_for_more_data(app, client, auth):
    auth.login_as("admin")
    make_process(app, slug="a")
    add_people(app, 3, 0)
    urls = ["/admin/users", "/admin/organisations", "/admin/memberships", "/processes", "/", "/processes/a"]
    few = {url: queries(app, client, url) for url in urls}
    add_people(app, 40, 100)
    for i in range(5):
        make_organisation(app, f"Extra {i}")
        make_process(app, slug=f"extra-{i}")
    many = {url: queries(app, client, url) for url in urls if url not in ("/processes", "/")}
    for url, count in many.items():
        assert count == few[url], (url, few[url], count)


def test_process_overview_queries_do_not_grow_with_processes(app, client):
    make_process(app, slug="eerste")
    few = queries(app, client, "/processes")
    for i in range(10):
        make_process(app, slug=f"p-{i}")
    assert queries(app, client, "/processes") == few
