"""Fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL runs need TEST_DATABASE_URL (``.ci/run`` sets it); without it they are skipped
with a reason shown in the summary.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import settings

from tests import database, factories, helpers
from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db

# The real SMTP server fixtures (smtp_server, smtp) for every test module.
pytest_plugins = ["tests.smtp"]

PG_SKIP_REASON = (
    "PostgreSQL run skipped: set TEST_DATABASE_URL, e.g. "
    "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_test (.ci/run does)"
)


# Property tests (tests/test_hostile_input.py, tests/test_api_schema.py). "repeatable" (the
# default) tries the same inputs on every run: a test's outcome never depends on chance, and
# a red build can be replayed. "explore" (HYPOTHESIS_PROFILE=explore) tries new inputs on each
# run and remembers failures in .hypothesis/; "thorough" explores ten times as many. Each
# test scales max_examples by its own weight.
settings.register_profile(
    "repeatable", max_examples=200, deadline=None, derandomize=True, database=None
)
settings.register_profile("explore", max_examples=200, deadline=None, print_blob=True)
settings.register_profile("thorough", settings.get_profile("explore"), max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "repeatable")

HOSTILE_INPUTS = "hostile_inputs"  # a test's user property: (database, inputs tried)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items) -> None:
    """Under pytest-xdist (--dist loadgroup), the tests that share a costly module-wide
    set-up run on one worker: the browser and its live server, the pairs of servers."""
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if path.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.xdist_group("browser"))
        elif path == "tests/test_multi_instance.py":
            item.add_marker(pytest.mark.xdist_group("servers"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids) -> None:
    """Stop, rather than run slower, when pytest-xdist ignores the groups: it marks a grouped
    test's id with ``@group``, which pytest 9.2 silently drops (pytest-xdist#1386)."""
    if node.config.getoption("dist", default=None) != "loadgroup":
        return
    ungrouped = [nodeid for nodeid in ids if nodeid.startswith("tests/e2e/") and "@" not in nodeid]
    if ungrouped:
        raise pytest.UsageError(
            f"pytest-xdist did not group the browser tests (e.g. {ungrouped[0]}): "
            "install the pytest release that requirements.txt pins"
        )


def pytest_report_header(config) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return f"PostgreSQL tests: {'on ' + url if url else 'skipped (no TEST_DATABASE_URL)'}"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    tried: Counter = Counter()
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == HOSTILE_INPUTS:
                    kind, count = value
                    tried[kind] += count
    if tried:
        per_database = ", ".join(f"{name}: {count}" for name, count in sorted(tried.items()))
        terminalreporter.write_line(
            f"hostile inputs tried: {sum(tried.values())} ({per_database}); "
            f"hypothesis profile {settings.get_current_profile_name()}"
        )


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """The database of this test process: a SQLite file of its own, or TEST_DATABASE_URL (a
    database of its own beside it for each worker when tests run in parallel)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tracker-test.sqlite3'}"
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP_REASON)
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # pytest-xdist's: gw0, gw1...
    if worker is None:
        yield url
        return
    own = helpers.create_pg_database(helpers.normalise_database_url(url), f"tracker_{worker}")
    yield own
    helpers.drop_pg_database(own)


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    # Attached files go to a folder of the run's own, never to the instance folder.
    app = create_app(TestConfig(database_url, STORAGE_URL=str(tmp_path_factory.mktemp("files"))))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _base(_app) -> database.Base:
    return database.Base()


@pytest.fixture
def app(_app, _base, request):
    """The application, in a transaction rolled back after the test (tests/database.py):
    with the base's world if the test asks for ``world``, empty otherwise."""
    _base.ensure(_app)
    with database.rolled_back(_app, empty="world" not in request.fixturenames):
        yield _app


@pytest.fixture
def committing_app(_app, _base):
    """The application without a transaction of the test's own: what the test commits is
    committed (two sessions racing, say). The base is built again after it."""
    _base.ensure(_app)
    yield _app
    _base.invalidate()


@pytest.fixture
def ctx(app):
    """An application context for tests that call services and queries directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def count_hostile_input(request, app):
    """Call once per generated input a property test submits: counted per database and
    reported at the end of the run ("hostile inputs tried: N"), from every worker."""
    database = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+", 1)[0]
    tried = [0]

    def count() -> None:
        tried[0] += 1

    yield count
    request.node.user_properties.append((HOSTILE_INPUTS, (database, tried[0])))


@pytest.fixture
def world(app, _base) -> factories.World:
    """Two customers, a partner, one user per role, and two projects (see factories.World)."""
    return _base.world


@pytest.fixture
def login(client):
    """Sign ``client`` in as the user with ``email``: ``login("csm@t.test")``."""

    def sign_in(email: str, password: str = factories.PASSWORD):
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, f"sign-in of {email} failed"
        return client

    return sign_in


# --- the route authorization matrix (tests/test_route_matrix.py) --------------------------

ROUTE_MATRIX_TEST = "test_route_matrix.py::test_route_authorization["


@pytest.hookimpl(specname="pytest_terminal_summary")
def pytest_terminal_summary_route_matrix(terminalreporter) -> None:
    """'authorization cases checked: N': endpoint x method x object x role cases, per database."""
    outcomes: dict[str, str] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if ROUTE_MATRIX_TEST in nodeid and outcomes.get(nodeid) in (None, "passed"):
                outcomes[nodeid] = outcome
    if not outcomes:
        return
    per_database: dict[str, Counter] = {}
    cases = set()
    for nodeid, outcome in outcomes.items():
        params = nodeid.split("[", 1)[1].rstrip("]")
        database = next((d for d in ("sqlite", "postgresql") if d in params.split("-")), "?")
        per_database.setdefault(database, Counter())[outcome] += 1
        cases.add(params.replace(database, "", 1))
    details = "; ".join(
        f"{database}: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        for database, counts in sorted(per_database.items())
    )
    terminalreporter.write_line(f"authorization cases checked: {len(cases)} ({details})")
