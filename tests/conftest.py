"""Fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL runs need TEST_DATABASE_URL (``.ci/run`` sets it); without it they are skipped
with a reason shown in the summary.
"""

from __future__ import annotations

import os

import pytest

from tests import factories
from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db

PG_SKIP_REASON = (
    "PostgreSQL run skipped: set TEST_DATABASE_URL, e.g. "
    "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_test (.ci/run does)"
)


def pytest_report_header(config) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return f"PostgreSQL tests: {'on ' + url if url else 'skipped (no TEST_DATABASE_URL)'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    if request.param == "postgresql":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.skip(PG_SKIP_REASON)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tracker-test.sqlite3'}"


@pytest.fixture(scope="session")
def _app(database_url):
    app = create_app(TestConfig(database_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(_app):
    """The application, with an empty database after the test."""
    yield _app
    with _app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


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
def world(app):
    """Two customers, a partner, one user per role, and two projects (see factories.World)."""
    with app.app_context():
        return factories.build_world()


@pytest.fixture
def login(client):
    """Sign ``client`` in as the user with ``email``: ``login("csm@t.test")``."""

    def sign_in(email: str, password: str = factories.PASSWORD):
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, f"sign-in of {email} failed"
        return client

    return sign_in
