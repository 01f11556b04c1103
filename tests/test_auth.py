"""Signing in and out, where sign-in leads, password storage and CSRF protection."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
import werkzeug.security

from tests.factories import PASSWORD, World
from tracker import config, create_app
from tracker.auth.services import record_sign_in
from tracker.extensions import db
from tracker.models import User


def sign_in(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    url = "/login" if next_url is None else f"/login?next={next_url}"
    return client.post(url, data={"email": email, "password": password})


def is_signed_in(client) -> bool:
    return client.get("/projects").status_code == 200


def test_sign_in_with_the_right_password_redirects_to_the_portfolio(world, client):
    response = sign_in(client, World.CSM)
    assert response.status_code == 302
    assert response.headers["Location"] == "/projects"


def test_sign_in_with_the_right_password_signs_in(world, client):
    sign_in(client, World.CSM)
    assert is_signed_in(client)


def test_wrong_password_is_refused_with_a_message(world, client):
    response = sign_in(client, World.CSM, "not-the-password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)


def test_wrong_password_does_not_sign_in(world, client):
    sign_in(client, World.CSM, "not-the-password")
    assert not is_signed_in(client)


def test_unknown_email_is_refused(world, client):
    assert sign_in(client, "nobody@t.test").status_code == 401


def hashes_computed(monkeypatch) -> list[str]:
    """The methods of the password hashes computed from now on (werkzeug's)."""
    methods: list[str] = []
    real = werkzeug.security._hash_internal

    def counting(method: str, salt: str, password: str):
        methods.append(method)
        return real(method, salt, password)

    monkeypatch.setattr(werkzeug.security, "_hash_internal", counting)
    return methods


def test_unknown_email_costs_the_same_hashing_as_a_wrong_password(app, world, client, monkeypatch):
    """Timing must not tell which e-mails have an account: the same hash work for both."""
    sign_in(client, "nobody@example.com", "x")  # the stand-in hash is made once per process
    methods = hashes_computed(monkeypatch)
    sign_in(client, World.CSM, "not-the-password")
    for_a_wrong_password = list(methods)
    methods.clear()

    sign_in(client, "nobody@example.com", "not-the-password")

    assert for_a_wrong_password == [app.config["PASSWORD_HASH_METHOD"]]
    assert methods == for_a_wrong_password


def test_deactivated_user_cannot_sign_in(app, world, client):
    with app.app_context():
        db.session.get(User, world.csm).active = False
        db.session.commit()
    response = sign_in(client, World.CSM)
    assert response.status_code == 401
    assert not is_signed_in(client)


def test_email_is_case_insensitive(world, client):
    response = sign_in(client, "CSM@T.Test")
    assert response.status_code == 302
    assert is_signed_in(client)


def test_sign_out_by_get_is_not_allowed(world, login):
    client = login(World.CSM)
    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)


def test_sign_out_by_post_signs_out(world, login):
    client = login(World.CSM)
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert not is_signed_in(client)


def test_sign_in_redirects_to_a_local_next_path(world, client):
    response = sign_in(client, World.CSM, next_url="/overdue")
    assert response.headers["Location"] == "/overdue"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "evil.example",
        "%2F%0D%0ASet-Cookie:%20planted=1",  # CR/LF: a header injected through the redirect
        "%2Fprojects%0A",
    ],
)
def test_sign_in_ignores_an_external_next_url(world, client, next_url):
    response = sign_in(client, World.CSM, next_url=next_url)
    assert response.headers["Location"] == "/projects"


def test_anonymous_portfolio_redirects_to_login(world, client):
    response = client.get("/projects")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_redirect_comes_back_to_the_page_asked_for(world, client):
    location = client.get("/overdue").headers["Location"]
    response = client.post(location, data={"email": World.CSM, "password": PASSWORD})
    assert response.headers["Location"] == "/overdue"


def test_password_is_stored_hashed(app, world):
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash).where(User.id == world.csm))
    assert PASSWORD not in stored


def test_stored_password_hash_checks_the_password(app, world):
    with app.app_context():
        user = db.session.get(User, world.csm)
        assert user.check_password(PASSWORD)
        assert not user.check_password(PASSWORD + "x")


# --- CSRF -------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(app, database_url):
    """A client of an application with CSRF protection on, on the test database."""
    protected = create_app(config.TestConfig(database_url, WTF_CSRF_ENABLED=True))
    yield protected.test_client()
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


def test_sign_in_without_csrf_token_is_refused(world, csrf_client):
    response = sign_in(csrf_client, World.CSM)
    assert response.status_code == 400
    assert not is_signed_in(csrf_client)


def test_sign_in_with_the_forms_csrf_token_is_accepted(world, csrf_client):
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post(
        "/login", data={"email": World.CSM, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_the_sign_in_page_with_a_line_break_in_next_is_shown(client):
    """It answered 500: the page is shown, the line break nowhere in it undecoded."""
    response = client.get("/login?next=%2F%0D%0ASet-Cookie:%20planted=1")
    assert response.status_code == 200
    assert "\nSet-Cookie" not in response.get_data(as_text=True)


# --- the browser's time zone at the first sign-in -------------------------------------------


def time_zone_of(app, user_id: int) -> str | None:
    with app.app_context():
        return db.session.get(User, user_id).time_zone


def sign_in_from(client, email: str, zone: str | None):
    """Sign in as the page's script would, with the browser's time zone (or without it)."""
    data = {"email": email, "password": PASSWORD}
    if zone is not None:
        data["time_zone"] = zone
    return client.post("/login", data=data)


def test_the_sign_in_page_asks_the_browser_for_its_time_zone(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<input data-time-zone-guess="" id="time_zone" name="time_zone"', page)
    assert '<script src="/static/js/time-zone.js"></script>' in page
    with client.get("/static/js/time-zone.js") as script:
        assert script.status_code == 200
        assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in script.get_data(as_text=True)


def test_the_first_sign_in_keeps_the_browsers_time_zone(app, world, client):
    assert time_zone_of(app, world.csm) is None

    response = sign_in_from(client, World.CSM, "Europe/Paris")

    assert response.status_code == 302
    assert time_zone_of(app, world.csm) == "Europe/Paris"


def test_a_later_sign_in_leaves_a_known_time_zone_as_it_is(app, world, client):
    with app.app_context():
        db.session.get(User, world.csm).time_zone = "Asia/Tokyo"
        db.session.commit()

    sign_in_from(client, World.CSM, "Europe/Paris")

    assert time_zone_of(app, world.csm) == "Asia/Tokyo"


@pytest.mark.parametrize(
    "zone", [None, "", "Mars/Base", "europe/paris", "Europe/Paris\x00", "x" * 5000, "localtime"]
)
def test_a_missing_or_invalid_time_zone_is_ignored_and_the_sign_in_succeeds(
    app, world, client, zone
):
    response = sign_in_from(client, World.CSM, zone)

    assert response.status_code == 302
    assert is_signed_in(client)
    assert time_zone_of(app, world.csm) is None


def test_a_refused_sign_in_keeps_no_time_zone(app, world, client):
    response = client.post(
        "/login", data={"email": World.CSM, "password": "wrong", "time_zone": "Europe/Paris"}
    )

    assert response.status_code == 401
    assert time_zone_of(app, world.csm) is None


def test_the_sign_in_service_writes_the_zone_with_the_sign_in_and_commits_nothing(app, world):
    """One transaction, the request's: the service only flushes, the boundary commits."""
    with app.app_context():
        user = db.session.get(User, world.csm)
        record_sign_in(user, time_zone_guess="America/New_York")
        assert (user.time_zone, user.last_login_at is not None) == ("America/New_York", True)
        db.session.rollback()
        user = db.session.get(User, world.csm)
        assert (user.time_zone, user.last_login_at) == (None, None)
