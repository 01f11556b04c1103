"""Scale: the number of SQL statements of a page does not grow with the data, the counts
written for the lists (no joins) agree with the lists, the customer filter stays small,
and /healthz is trivial.

The data comes from bench.populate (the benchmark's own generator), small here; the
benchmark itself (``make bench``) measures the times at 200 to 20,000 projects.
"""

from __future__ import annotations

import time
from itertools import product

import pytest
import sqlalchemy as sa
from flask import before_render_template, template_rendered

from bench import dashboards as bench
from bench.populate import populate
from tests.factories import World
from tracker.checklist import queries as checklist_queries
from tracker.dashboard import queries as lists
from tracker.enums import Party, Role
from tracker.extensions import db
from tracker.models import ChecklistItem, Organisation, Project, User
from tracker.portfolio import queries as portfolio_queries
from tracker.timeutil import today, utcnow


def fill(app, projects: int, seed: int) -> None:
    with app.app_context():
        populate(projects, seed=seed, log=None, analyze=False)
        db.session.remove()


def statements_per_page(app) -> dict[str, int]:
    """SQL statements of each benchmarked page (and of the instantiation), as the CSM or the
    client user of the first bench population; each page asked twice, the second counted."""
    s = bench.subjects(app)
    clients = {
        "csm": bench.signed_in(app, "csm-0@bench.test"),
        "client": bench.signed_in(app, "client-0@bench.test"),
    }
    counts = {}
    for page in bench.PAGES:
        url = page.url(s)
        for _ in range(2):
            data = bench._status_form(app, s) if page.post else None
            with app.app_context(), bench.count_queries(db.engine) as counter:
                client = clients[page.who]
                response = client.post(url, data=data) if page.post else client.get(url)
            assert response.status_code == (302 if page.post else 200), (url, response.status)
        counts[page.name] = counter["n"]
    counts[bench.INSTANTIATION] = bench.measure_instantiation(app, s, 1).as_dict()["queries"][0]
    return counts


def test_statements_per_request_do_not_grow_with_the_data(app):
    fill(app, 12, seed=1)
    small = statements_per_page(app)
    fill(app, 60, seed=2)  # five times as many projects, customers, people, items, events
    large = statements_per_page(app)

    assert large == small
    assert all(0 < n <= 24 for n in small.values()), small


# --- the counts of the lists ---------------------------------------------------------------


@pytest.fixture
def portfolio(app):
    """A bench population with an archived project holding overdue and soon-due items."""
    fill(app, 40, seed=3)
    with app.app_context():
        archived = db.session.scalar(
            sa.select(Project).where(Project.archived_at.is_(None)).order_by(Project.id.desc())
        )
        archived.archived_at = utcnow()
        db.session.commit()
    return app


def _users() -> list[User]:
    """One of each kind of user, with tasks or not: bench and demo accounts."""
    emails = [
        "csm-0@bench.test",
        "client-0@bench.test",
        "ims-0@bench.test",
        "partner-0-0@bench.test",
        "admin@demo.test",
        "client@acme.demo.test",
    ]
    users = list(db.session.scalars(sa.select(User).where(User.email.in_(emails))))
    assert {u.role for u in users} == set(Role)
    return users


def _rows(select: sa.Select) -> int:
    return len(db.session.execute(select).all())


def test_counts_agree_with_the_lists_for_every_role_and_filter(portfolio):
    day = today()
    with portfolio.app_context():
        users = _users()
        csm = next(u for u in users if u.email == "csm-0@bench.test")
        customer = db.session.scalar(
            sa.select(Project.customer_id)
            .group_by(Project.customer_id)
            .order_by(sa.func.count().desc())
        )
        checked = 0
        for user in users:
            assert db.session.scalar(lists.my_tasks_count(user)) == _rows(
                lists.my_tasks_select(user)
            ), user.email
            assert db.session.scalar(lists.answerable_count(user)) == _rows(
                lists.my_tasks_select(user, answerable=True)
            ), user.email
            for party, accountable, csm_id, customer_id in product(
                (None, Party.CLIENT, Party.INFOR),
                (None, Party.CLIENT),
                (None, csm.id),
                (None, customer),
            ):
                filters = {
                    "party": party,
                    "accountable": accountable,
                    "csm_id": csm_id,
                    "customer_id": customer_id,
                }
                overdue = _rows(lists.overdue_select(user, day, **filters))
                soon = _rows(lists.due_soon_select(user, day, 7, **filters))
                assert db.session.scalar(lists.overdue_count(user, day, **filters)) == overdue
                assert db.session.scalar(lists.due_soon_count(user, day, 7, **filters)) == soon
                checked += overdue + soon
        assert checked > 0  # the data has overdue and soon-due items to count


def test_a_csm_counts_their_assigned_and_their_unassigned_infor_items(portfolio):
    with portfolio.app_context():
        csm = db.session.scalar(sa.select(User).where(User.email == "csm-0@bench.test"))
        listed = db.session.execute(lists.my_tasks_select(csm)).all()
        assigned = [r for r in listed if r.assignee_name == csm.name]
        waiting = [r for r in listed if r.assignee_name is None]
        assert assigned and waiting
        assert {r.party for r in waiting} == {Party.INFOR}
        assert db.session.scalar(lists.my_tasks_count(csm)) == len(listed)


# --- the customer filter ---------------------------------------------------------------------


def sign_in(client, email: str = "csm-0@bench.test"):
    response = client.post("/login", data={"email": email, "password": bench.PASSWORD})
    assert response.status_code == 302
    return client


def test_few_customers_are_a_select(portfolio, client):
    sign_in(client)
    for url in ("/projects", "/overdue", "/insights/heatmap"):
        page = client.get(url).get_data(as_text=True)
        assert '<select class="form-select form-select-sm" id="filter-customer"' in page
        assert 'name="customer_name"' not in page


@pytest.fixture
def many_customers(portfolio, monkeypatch):
    """More customers than the filter lists: it becomes a text field with suggestions."""
    monkeypatch.setattr(portfolio_queries, "CUSTOMER_OPTIONS_LIMIT", 3)
    return portfolio


def test_many_customers_are_a_text_field_with_a_few_suggestions(many_customers, client):
    sign_in(client)
    for url in ("/projects", "/overdue", "/insights/heatmap"):
        page = client.get(url).get_data(as_text=True)
        assert 'name="customer_name"' in page
        assert 'id="filter-customer"' in page
        start = page.index('<datalist id="filter-customer-names">')
        assert page[start : page.index("</datalist>", start)].count("<option value=") == 3
        assert '<select class="form-select form-select-sm" id="filter-customer"' not in page


def _customer(app, index: int) -> tuple[int, str]:
    """(id, name) of the ``index``-th customer with projects, by name."""
    with app.app_context():
        return tuple(
            db.session.execute(
                sa.select(Organisation.id, Organisation.name)
                .where(Organisation.id.in_(sa.select(Project.customer_id)))
                .order_by(Organisation.name)
            ).all()[index]
        )


def test_a_customer_name_typed_filters_the_lists(many_customers, client):
    sign_in(client)
    customer_id, name = _customer(many_customers, 5)
    by_id = client.get(f"/overdue?customer={customer_id}").get_data(as_text=True)
    for typed in (name, name.upper(), f"  {name.lower()}  "):
        by_name = client.get("/overdue", query_string={"customer_name": typed})
        text = by_name.get_data(as_text=True)
        assert by_name.status_code == 200
        assert f'value="{name}"' in text  # the field shows the customer found
        for marker in ('data-testid="overdue-count">', 'data-testid="due-soon-count">'):
            count = text.split(marker, 1)[1].split("<", 1)[0]
            assert count == by_id.split(marker, 1)[1].split("<", 1)[0]
    portfolio_page = client.get("/projects", query_string={"customer_name": name})
    assert portfolio_page.status_code == 200


def test_a_unique_prefix_finds_the_customer_and_an_unknown_name_finds_nothing(
    many_customers, client
):
    sign_in(client)
    with many_customers.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "csm-0@bench.test"))
        customer_id, name = _customer(many_customers, 2)
        assert portfolio_queries.customer_named(user, name[:-1] + "%") is None  # no wildcards
        assert portfolio_queries.customer_named(user, name) == customer_id
        assert portfolio_queries.customer_named(user, "Customer ") is None  # several
        assert portfolio_queries.customer_named(user, "nobody at all") is None
    nothing = client.get("/overdue", query_string={"customer_name": "nobody at all"})
    text = nothing.get_data(as_text=True)
    assert 'data-testid="overdue-count">0<' in text
    assert 'value="nobody at all"' in text
    for hostile in ("\x00", "x" * 5000, "%", "_", "\\"):
        assert client.get("/overdue", query_string={"customer_name": hostile}).status_code == 200
        assert client.get("/projects", query_string={"customer_name": hostile}).status_code == 200


def test_a_client_finds_only_their_own_customer_by_name(many_customers, client):
    sign_in(client, "client-0@bench.test")
    with many_customers.app_context():
        me = db.session.scalar(sa.select(User).where(User.email == "client-0@bench.test"))
        other = db.session.scalar(
            sa.select(Project.customer_id).where(Project.customer_id != me.organisation_id)
        )
        other_name = db.session.get(Organisation, other).name
        assert portfolio_queries.customer_named(me, other_name) is None
    page = client.get("/overdue", query_string={"customer_name": other_name})
    assert 'data-testid="overdue-count">0<' in page.get_data(as_text=True)


# --- the trivial endpoint ----------------------------------------------------------------------


def test_healthz_is_ok_without_the_database_or_a_session(app, client):
    with app.app_context(), bench.count_queries(db.engine) as counter:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.mimetype == "text/plain"
    assert counter["n"] == 0
    assert "Set-Cookie" not in response.headers


def test_the_benchmark_times_the_template_of_a_rendered_page(app, client):
    with app.app_context(), bench.count_queries(db.engine, app) as counter:
        response = client.get("/login")
    assert response.status_code == 200
    assert counter["template_ms"] > 0


def test_the_benchmark_times_no_template_for_an_answer_without_one(app, client):
    with app.app_context(), bench.count_queries(db.engine, app) as counter:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert counter["template_ms"] == 0


def test_the_benchmarks_template_time_leaves_out_the_sql_a_template_runs(app, world, login):
    """The item page's template reads the item's catalogue row and area as it writes them."""
    client = login(World.CSM)
    renders: list[float] = []
    sql_in_render: list[int] = []

    def started(*_args, **_kwargs):
        renders.append(time.perf_counter())

    def ended(*_args, **_kwargs):
        renders.append(time.perf_counter())

    def statement(*_args, **_kwargs):
        if len(renders) == 1:
            sql_in_render.append(1)

    with app.app_context():
        item_id = db.session.scalar(
            sa.select(ChecklistItem.id).where(ChecklistItem.project_id == world.project_a)
        )
        db.session.remove()
        sa.event.listen(db.engine, "before_cursor_execute", statement)
        before_render_template.connect(started, app)
        template_rendered.connect(ended, app)
        try:
            with bench.count_queries(db.engine, app) as counter:
                response = client.get(f"/projects/{world.project_a}/items/{item_id}")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", statement)
            before_render_template.disconnect(started, app)
            template_rendered.disconnect(ended, app)
    assert response.status_code == 200
    assert sql_in_render  # the menus, read while rendering
    render_ms = (renders[1] - renders[0]) * 1000
    assert 0 < counter["template_ms"] < render_ms


def _bench_page(name, median, sql, template, bare):
    return {
        "name": name,
        "median_ms": median,
        "sql_ms": sql,
        "template_ms": template,
        "bare_ms": bare,
        "ratio": round(median / bare, 2),
    }


def test_the_benchmark_reports_a_page_beyond_3x_with_its_template_and_sql_alone():
    pages = [
        _bench_page("project page", 25.0, 1.0, 13.0, 2.0),
        _bench_page("overdue dashboard", 24.0, 11.0, 7.0, 12.0),
        _bench_page(bench.INSTANTIATION, 3.0, 1.0, None, 1.5),
    ]
    report = {"runs": [{"db": "sqlite", "projects": 20000, "pages": pages, "load": None}]}
    (line,) = bench.targets(report)
    assert "not project page 12.5x (template and SQL alone 7.0x)" in line
    assert "overdue dashboard" not in line


def test_a_name_that_matches_nobody_is_carried_to_the_heatmap(many_customers, client):
    sign_in(client)
    portfolio_page = client.get("/projects", query_string={"customer_name": "nobody at all"})
    text = portfolio_page.get_data(as_text=True)
    assert "customer_name=nobody+at+all" in text or "customer_name=nobody%20at%20all" in text
    assert "customer=-1" not in text
    heatmap_page = client.get("/insights/heatmap", query_string={"customer_name": "nobody at all"})
    assert "0 active projects." in heatmap_page.get_data(as_text=True)


def test_a_project_page_reads_as_many_statements_whatever_the_projects_shape(app, world, login):
    """Project A has no partner and no IMS contract, project B both: the page reads each
    project's partner and catalogue version with the project, not one more statement."""
    client = login(World.CSM)

    def statements(project_id: int) -> int:
        client.get(f"/projects/{project_id}")
        with app.app_context(), bench.count_queries(db.engine) as sent:
            assert client.get(f"/projects/{project_id}").status_code == 200
        return sent["n"]

    assert statements(world.project_a) == statements(world.project_b)


def test_the_assignee_menus_search_the_user_indexes_on_sqlite(app, portfolio):
    """Every project page reads the users who may be assigned its items (an item save, when
    its form is shown again). On
    SQLite, ``active IS 1`` made the planner scan every user (2 ms at 11,000 users) instead of
    searching the role and organisation indexes of the OR."""
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name != "sqlite":
            pytest.skip("a SQLite plan (PostgreSQL's BitmapOr: bench/plans.md)")
        # The statistics SQLite keeps for the benchmark's 11,000 users (five roles, one or
        # two users an organisation), then reloaded: the plan of the size that matters.
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'users'")
        connection.exec_driver_sql(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('users', NULL, '11000'),"
            " ('users', 'ix_users_role', '11000 2200'),"
            " ('users', 'ix_users_organisation_id', '11000 2'),"
            " ('users', 'sqlite_autoindex_users_1', '11000 1')"
        )
        connection.exec_driver_sql("ANALYZE sqlite_schema")
        project = db.session.scalar(sa.select(Project).where(Project.partner_id.is_not(None)))
        sql = checklist_queries.assignable_users_select(project).compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
        plan = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    assert "MULTI-INDEX OR" in plan, plan
    assert not [step for step in plan if step.startswith("SCAN")], plan
