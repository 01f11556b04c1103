"""Sessions: fixation, cookie flags, deactivated users, and the app behind a reverse proxy."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from tests.factories import PASSWORD, World
from tracker import config, create_app
from tracker.extensions import db
from tracker.models import User


def sign_in(client, email: str = World.CSM, remember: bool = False):
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def is_signed_in(client) -> bool:
    return client.get("/projects").status_code == 200


def deactivate(app, user_id: int) -> None:
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()


@pytest.fixture
def app_with(app, database_url):
    """A fresh application with some settings changed, on the test database."""
    built = []

    def build(**overrides):
        other = create_app(config.TestConfig(database_url, **overrides))
        built.append(other)
        return other

    yield build
    for other in built:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


# --- session fixation -------------------------------------------------------------------


def test_sign_in_keeps_nothing_the_session_held_before(world, client):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"

    sign_in(client)

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{world.csm}.0"  # the user and their sessions' generation


def test_session_cookie_from_before_sign_in_does_not_become_signed_in(app, world, client):
    with client.session_transaction() as session:
        session["visited"] = True  # an anonymous session, as a CSRF token would make
    before = client.get_cookie("session").value
    sign_in(client)

    replayed = app.test_client()
    replayed.set_cookie("session", before)

    assert client.get_cookie("session").value != before
    assert not is_signed_in(replayed)


# --- cookie flags -----------------------------------------------------------------------


def set_cookie_header(response, name: str) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return header


def test_session_cookie_is_http_only_and_same_site_lax(world, client):
    header = set_cookie_header(sign_in(client), "session")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_session_cookie_is_not_secure_by_default(world, client):
    assert "Secure" not in set_cookie_header(sign_in(client), "session")


def test_session_cookie_is_secure_when_configured(world, app_with):
    client = app_with(SESSION_COOKIE_SECURE=True).test_client()
    assert "Secure" in set_cookie_header(sign_in(client), "session")


def test_remember_cookie_is_http_only_and_same_site_lax(world, client):
    header = set_cookie_header(sign_in(client, remember=True), "remember_token")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_remember_cookie_is_secure_with_the_session_cookie(world, app_with):
    client = app_with(SESSION_COOKIE_SECURE=True).test_client()
    assert "Secure" in set_cookie_header(sign_in(client, remember=True), "remember_token")


# --- deactivated users ------------------------------------------------------------------


def test_user_deactivated_while_signed_in_is_signed_out_on_the_next_request(app, world, login):
    client = login(World.CSM)
    deactivate(app, world.csm)

    response = client.get("/projects")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def remembered_client(app, client):
    """A new browser session holding only the remember-me cookie of ``client``."""
    fresh = app.test_client()
    fresh.set_cookie("remember_token", client.get_cookie("remember_token").value)
    return fresh


def test_remember_cookie_signs_in_a_new_browser_session(app, world, client):
    sign_in(client, remember=True)
    assert is_signed_in(remembered_client(app, client))


def test_remember_cookie_of_a_deactivated_user_does_not_sign_in(app, world, client):
    sign_in(client, remember=True)
    deactivate(app, world.csm)
    assert not is_signed_in(remembered_client(app, client))


# --- behind a reverse proxy -------------------------------------------------------------

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "tracker.example"}


def reset_link_shown(client, user_id: int, headers: dict[str, str]) -> str:
    html = client.post(f"/admin/users/{user_id}/reset-link", headers=headers).get_data(as_text=True)
    return re.search(r'id="reset-link" type="text" readonly value="([^"]+)"', html).group(1)


def test_trusted_proxy_headers_give_the_public_https_address(world, app_with):
    client = app_with(TRUST_PROXY=1).test_client()
    sign_in(client, World.ADMIN)

    link = reset_link_shown(client, world.client_a, FORWARDED)

    assert link.startswith("https://tracker.example/reset-password/")


def test_proxy_headers_are_ignored_unless_trusted(world, client):
    sign_in(client, World.ADMIN)

    link = reset_link_shown(client, world.client_a, FORWARDED)

    assert link.startswith("http://localhost/reset-password/")


@pytest.mark.parametrize(
    ("value", "proxies"), [("", 0), ("0", 0), ("false", 0), ("1", 1), ("true", 1), ("2", 2)]
)
def test_trust_proxy_setting_is_a_number_of_proxies(monkeypatch, value, proxies):
    monkeypatch.setenv("TRUST_PROXY", value)
    assert config._proxy_count("TRUST_PROXY") == proxies


def test_trust_proxy_setting_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("TRUST_PROXY", "several")
    with pytest.raises(RuntimeError, match="TRUST_PROXY"):
        config._proxy_count("TRUST_PROXY")


def test_signing_out_ends_a_kept_sign_in(world, client):
    sign_in(client, remember=True)
    assert client.get_cookie("remember_token") is not None

    response = client.post("/logout")

    assert "remember_token=;" in set_cookie_header(response, "remember_token")
    assert client.get_cookie("remember_token") is None
    assert not is_signed_in(client)


# --- ending sessions for good: copied cookies stop working ----------------------------------


def copied_browser(app, client):
    """Another browser holding copies of ``client``'s cookies (session and remember-me)."""
    other = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def test_signing_out_ends_a_copied_session(app, world, client):
    sign_in(client)
    copy = copied_browser(app, client)
    assert is_signed_in(copy)

    client.post("/logout")

    assert not is_signed_in(copy)


def test_signing_out_ends_a_copied_remember_cookie(app, world, client):
    sign_in(client, remember=True)
    kept = remembered_client(app, client)

    client.post("/logout")

    assert not is_signed_in(kept)


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app, world, client):
    from tests.test_auth_passwords import STRONG, change

    sign_in(client, remember=True)
    copy = copied_browser(app, client)
    kept = remembered_client(app, client)

    assert change(client).status_code == 302

    assert is_signed_in(client)
    assert not is_signed_in(copy)
    assert not is_signed_in(kept)
    assert is_signed_in(remembered_client(app, client))  # this browser's cookie was renewed
    assert sign_in(app.test_client(), World.CSM).status_code == 401  # the old password
    assert (
        app.test_client().post("/login", data={"email": World.CSM, "password": STRONG}).status_code
        == 302
    )


def test_a_password_reset_ends_the_users_sessions(app, world, client):
    from tracker.auth.services import issue_reset_link

    sign_in(client, remember=True)
    kept = remembered_client(app, client)
    with app.app_context():
        user, admin = db.session.get(User, world.csm), db.session.get(User, world.admin)
        token, _ = issue_reset_link(user, actor=admin, lifetime=timedelta(hours=1))
        db.session.commit()
    response = app.test_client().post(
        f"/reset-password/{token}",
        data={
            "new_password": "an entirely new passphrase 42",
            "confirm": "an entirely new passphrase 42",
        },
    )
    assert response.status_code == 302

    assert not is_signed_in(client)
    assert not is_signed_in(kept)


def test_reactivating_a_user_does_not_revive_their_old_sessions(app, world, client):
    from tracker.admin.services import update_user

    sign_in(client, remember=True)
    kept = remembered_client(app, client)

    def set_active(active: bool) -> None:
        with app.app_context():
            user, admin = db.session.get(User, world.csm), db.session.get(User, world.admin)
            update_user(
                user,
                actor=admin,
                email=user.email,
                name=user.name,
                role=user.role,
                organisation_id=user.organisation_id,
                password=None,
                active=active,
            )
            db.session.commit()

    set_active(False)
    set_active(True)

    assert not is_signed_in(client)
    assert not is_signed_in(kept)
    assert sign_in(app.test_client()).status_code == 302  # a new sign-in works


def test_a_kept_sign_in_lasts_thirty_days(world, client):
    before = datetime.now(UTC).replace(microsecond=0)
    response = sign_in(client, remember=True)
    after = datetime.now(UTC)
    header = set_cookie_header(response, "remember_token")
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1))
    assert before + timedelta(days=30) <= expires <= after + timedelta(days=30)
