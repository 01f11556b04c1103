"""When the database does not answer: a clear 503 (page or problem document), never the
server's bare error page nor "the change was not saved" for a read."""

from __future__ import annotations

import pytest

from tracker import config, create_app
from tracker.extensions import db

# Nothing listens on port 1: every connection is refused at once, as when the server is down.
UNREACHABLE = "postgresql+psycopg://tracker@127.0.0.1:1/tracker?connect_timeout=2"


@pytest.fixture
def unreachable_app():
    app = create_app(config.TestConfig(UNREACHABLE))
    yield app
    with app.app_context():
        db.engine.dispose()


def signed_in(app):
    """A browser holding the session of user 1, as before the database went away."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1.0"
        session["_fresh"] = True
    return client


def test_a_signed_in_page_answers_503_with_a_page_that_says_why(unreachable_app):
    response = signed_in(unreachable_app).get("/projects")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    assert "cannot reach its database" in page
    assert "<html" in page  # the tracker's page, not the server's bare one


def test_a_signed_out_page_that_needs_the_database_answers_503(unreachable_app):
    response = unreachable_app.test_client().post(
        "/login", data={"email": "csm@demo.test", "password": "whatever-it-is"}
    )
    assert response.status_code == 503


def test_an_api_read_answers_503_as_a_problem_document(unreachable_app):
    response = unreachable_app.test_client().get(
        "/api/v1/projects", headers={"Authorization": "Bearer trk_anything"}
    )
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 503
    assert "not saved" not in problem["detail"]
    assert "not available" in problem["detail"]


def test_a_page_without_the_database_still_answers(unreachable_app):
    assert unreachable_app.test_client().get("/login").status_code == 200
