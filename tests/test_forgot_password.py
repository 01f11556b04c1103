""" "Forgot password?": a reset link by e-mail, the same answer whether or not the address
has an account, and rate limits of its own."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.factories import World
from tests.helpers import deliver_outbox
from tracker import config, create_app
from tracker.extensions import db
from tracker.models import PeopleEvent, User

NEW_PASSWORD = "velvet-orbit-cactus-lantern"
LINK = re.compile(r"/reset-password/([A-Za-z0-9_-]+)")
ADDRESS = "192.0.2.10"


def ask(client, email: str, address: str = ADDRESS):
    return client.post(
        "/forgot-password", data={"email": email}, environ_base={"REMOTE_ADDR": address}
    )


def sent_mail(app) -> list:
    with app.app_context():
        return deliver_outbox()


def test_the_sign_in_page_links_to_forgot_password(app):
    html = app.test_client().get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in html


def test_a_known_address_gets_a_reset_link_by_email(app, world):
    ask(app.test_client(), World.CLIENT_A)
    [message] = sent_mail(app)
    assert message.recipients == [World.CLIENT_A]
    assert LINK.search(message.body)


def test_the_emailed_link_sets_a_new_password(app, world):
    ask(app.test_client(), World.CLIENT_A)
    [message] = sent_mail(app)
    token = LINK.search(message.body).group(1)
    app.test_client().post(
        f"/reset-password/{token}", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    response = app.test_client().post(
        "/login", data={"email": World.CLIENT_A, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_the_email_is_in_the_account_holders_language(app, world):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == world.client_a).values(language="fr"))
        db.session.commit()
    ask(app.test_client(), World.CLIENT_A)
    [message] = sent_mail(app)
    assert message.body.startswith("Bonjour")


def test_an_unknown_address_gets_the_same_answer_and_no_email(app, world):
    known = ask(app.test_client(), World.CLIENT_A)
    unknown = ask(app.test_client(), "nobody@acme.test")
    assert (unknown.status_code, unknown.headers["Location"]) == (
        known.status_code,
        known.headers["Location"],
    )
    assert [m.recipients for m in sent_mail(app)] == [[World.CLIENT_A]]


def test_the_answer_page_says_the_same_for_unknown_addresses(app, world):
    client = app.test_client()
    page = client.get(ask(client, "nobody@acme.test").headers["Location"]).get_data(True)
    assert "If an account has this address" in page


def test_a_deactivated_account_gets_no_email(app, world):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == world.client_a).values(active=False))
        db.session.commit()
    ask(app.test_client(), World.CLIENT_A)
    assert sent_mail(app) == []


def test_an_invalid_address_is_a_form_error(app, world):
    assert ask(app.test_client(), "not an address").status_code == 422


def test_the_request_is_recorded(app, world):
    ask(app.test_client(), World.CLIENT_A)
    with app.app_context():
        actions = db.session.scalars(
            sa.select(PeopleEvent.action).where(PeopleEvent.user_id == world.client_a)
        ).all()
    assert actions == ["reset_link_requested"]


@pytest.fixture
def limited(app, database_url):
    """A fresh application with the limits on (the shared one has them off), whose counters
    start at zero. It commits what it writes: the tests below ask for addresses with no
    account, which write nothing."""
    limited_app = create_app(config.TestConfig(database_url, SIGN_IN_RATE_LIMITS_ENABLED=True))
    yield limited_app.test_client()
    with limited_app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_fourth_request_in_an_hour_for_one_address_is_refused(world, limited):
    for _ in range(3):
        assert ask(limited, "nobody@acme.test").status_code == 302
    response = ask(limited, "nobody@acme.test")
    assert response.status_code == 429
    assert "Too many password reset requests" in response.get_data(as_text=True)


def test_reset_requests_do_not_use_up_sign_in_attempts(world, limited):
    # An address with no account: the limited application commits what it writes.
    for _ in range(3):
        ask(limited, "nobody@acme.test")
    response = limited.post(
        "/login",
        data={"email": "nobody@acme.test", "password": "wrong"},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )
    assert response.status_code == 401


@pytest.fixture
def waits(app, monkeypatch) -> list[float]:
    """The waits the answer is held for, with RESET_REQUEST_MIN_SECONDS at a minute (the
    clock's wait is recorded, not waited)."""
    from tracker.auth import views

    recorded: list[float] = []
    monkeypatch.setitem(app.config, "RESET_REQUEST_MIN_SECONDS", 60.0)
    monkeypatch.setattr(views, "sleep", recorded.append)
    return recorded


@pytest.mark.parametrize("email", [World.CLIENT_A, "nobody@acme.test"], ids=["known", "unknown"])
def test_the_answer_is_held_to_the_same_minimum_time_for_any_address(app, world, waits, email):
    ask(app.test_client(), email)
    [wait] = waits
    assert 59 < wait <= 60


def test_the_emailed_link_is_on_base_url_whatever_host_the_request_named(app, world):
    app.test_client().post(
        "/forgot-password",
        data={"email": World.CLIENT_A},
        headers={"Host": "attacker.example"},
    )
    [message] = sent_mail(app)
    assert f"{app.config['BASE_URL']}/reset-password/" in message.body
    assert "attacker.example" not in message.body
