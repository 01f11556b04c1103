"""Password reset links: issued by an administrator, shown once, single use, expiring."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, World
from tracker.extensions import db
from tracker.models import PasswordResetToken, User, hash_reset_token
from tracker.timeutil import utcnow

NEW_PASSWORD = "velvet-orbit-cactus-lantern"
LINK = re.compile(r'value="(http://localhost/reset-password/([A-Za-z0-9_-]+))"')


def issue(client, user_id: int):
    return client.post(f"/admin/users/{user_id}/reset-link")


def issued_link(client, user_id: int) -> tuple[str, str]:
    """The reset link an administrator sees for ``user_id``, and its token."""
    match = LINK.search(issue(client, user_id).get_data(as_text=True))
    assert match, "no reset link on the page"
    return match.group(1), match.group(2)


@pytest.fixture
def token(world, login) -> str:
    """A reset link token for the client user of customer A, issued by the admin."""
    client = login(World.ADMIN)
    _, issued = issued_link(client, world.client_a)
    client.post("/logout")  # the test goes on with nobody signed in
    return issued


def set_password(client, token: str, new: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(
        f"/reset-password/{token}",
        data={"new_password": new, "confirm": new if confirm is None else confirm},
    )


def can_sign_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


def stored_links(app, user_id: int) -> list[PasswordResetToken]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(PasswordResetToken).where(PasswordResetToken.user_id == user_id)
            )
        )


def expire_links(app, user_id: int) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(PasswordResetToken)
            .where(PasswordResetToken.user_id == user_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


# --- issuing ------------------------------------------------------------------------------


def test_user_page_offers_a_reset_link(world, login):
    html = login(World.ADMIN).get(f"/admin/users/{world.client_a}").get_data(as_text=True)
    assert f'action="/admin/users/{world.client_a}/reset-link"' in html


def test_admin_sees_the_new_link_once(world, login):
    response = issue(login(World.ADMIN), world.client_a)
    assert response.status_code == 200
    assert LINK.search(response.get_data(as_text=True))


def test_page_with_the_link_is_not_cached(world, login):
    response = issue(login(World.ADMIN), world.client_a)
    assert response.headers["Cache-Control"] == "no-store"


def test_only_a_hash_of_the_token_is_stored(app, world, login):
    _, token = issued_link(login(World.ADMIN), world.client_a)
    [stored] = stored_links(app, world.client_a)
    assert stored.token_hash == hash_reset_token(token)
    assert token not in stored.token_hash


def test_link_expires_after_48_hours(app, world, login):
    issued_link(login(World.ADMIN), world.client_a)
    [stored] = stored_links(app, world.client_a)
    assert stored.expires_at - stored.created_at == timedelta(hours=48)


def test_user_page_tells_of_an_unused_link(world, login):
    client = login(World.ADMIN)
    issue(client, world.client_a)
    html = client.get(f"/admin/users/{world.client_a}").get_data(as_text=True)
    assert "An unused link created" in html


def test_no_link_is_issued_for_a_deactivated_user(app, world, login):
    with app.app_context():
        db.session.get(User, world.client_a).active = False
        db.session.commit()
    client = login(World.ADMIN)
    response = issue(client, world.client_a)
    assert response.status_code == 302
    assert "reactivate them first" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert stored_links(app, world.client_a) == []


def test_link_for_an_unknown_user_is_404(world, login):
    assert issue(login(World.ADMIN), 999_999).status_code == 404


@pytest.mark.parametrize("email", [World.CSM, World.CLIENT_A])
def test_only_administrators_issue_links(app, world, login, email):
    response = issue(login(email), world.client_b)
    assert response.status_code == 403
    assert stored_links(app, world.client_b) == []


def test_issuing_by_get_is_not_allowed(world, login):
    client = login(World.ADMIN)
    assert client.get(f"/admin/users/{world.client_a}/reset-link").status_code == 405


# --- using ------------------------------------------------------------------------------


def test_link_shows_a_form_for_the_users_new_password(world, client, token):
    response = client.get(f"/reset-password/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert World.CLIENT_A in html
    assert 'name="new_password"' in html


def test_link_page_is_not_cached(world, client, token):
    assert client.get(f"/reset-password/{token}").headers["Cache-Control"] == "no-store"


def test_setting_a_password_leads_to_sign_in(world, client, token):
    response = set_password(client, token)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


def test_password_set_through_the_link_signs_in(app, world, client, token):
    set_password(client, token)
    assert can_sign_in(app, World.CLIENT_A, NEW_PASSWORD)


def test_old_password_no_longer_signs_in_after_a_reset(app, world, client, token):
    set_password(client, token)
    assert not can_sign_in(app, World.CLIENT_A, PASSWORD)


def test_link_works_once(world, client, token):
    set_password(client, token)
    response = client.get(f"/reset-password/{token}")
    assert response.status_code == 410
    assert "already been used" in response.get_data(as_text=True)


def test_used_link_cannot_set_another_password(app, world, client, token):
    set_password(client, token)
    response = set_password(client, token, "another-quite-unusual-phrase")
    assert response.status_code == 410
    assert can_sign_in(app, World.CLIENT_A, NEW_PASSWORD)


def test_expired_link_is_refused_with_a_message(app, world, client, token):
    expire_links(app, world.client_a)
    response = client.get(f"/reset-password/{token}")
    assert response.status_code == 410
    assert "This password reset link has expired." in response.get_data(as_text=True)


def test_expired_link_points_to_forgot_password_rather_than_an_administrator(
    app, world, client, token
):
    expire_links(app, world.client_a)

    page = client.get(f"/reset-password/{token}").get_data(as_text=True)

    assert "Forgot password?" in page
    assert "administrator" not in page


def test_expired_link_cannot_set_a_password(app, world, client, token):
    expire_links(app, world.client_a)
    assert set_password(client, token).status_code == 410
    assert can_sign_in(app, World.CLIENT_A, PASSWORD)


def test_unknown_link_is_404_with_a_message(world, client):
    response = client.get("/reset-password/not-a-real-token")
    assert response.status_code == 404
    assert "This password reset link is not valid." in response.get_data(as_text=True)


def test_a_new_link_cancels_the_earlier_one(world, client, login, token):
    issue(login(World.ADMIN), world.client_a)
    assert client.get(f"/reset-password/{token}").status_code == 410


def test_link_of_a_user_deactivated_since_is_refused(app, world, client, token):
    with app.app_context():
        db.session.get(User, world.client_a).active = False
        db.session.commit()
    assert client.get(f"/reset-password/{token}").status_code == 410


def test_common_password_is_refused_and_the_link_still_works(world, client, token):
    response = set_password(client, token, "password1234")
    assert response.status_code == 422
    assert "This is a very common password." in response.get_data(as_text=True)
    assert client.get(f"/reset-password/{token}").status_code == 200


def test_different_confirmation_is_refused_at_its_field(world, client, token):
    response = set_password(client, token, confirm=NEW_PASSWORD + "x")
    assert response.status_code == 422
    assert "The two passwords are not the same." in response.get_data(as_text=True)


def test_reset_signs_out_whoever_was_signed_in_in_that_browser(world, login, token):
    client = login(World.CSM)
    set_password(client, token)
    assert client.get("/projects").status_code == 302
