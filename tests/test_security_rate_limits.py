"""Sign-in rate limits: 5 a minute and 20 an hour per account, 30 a minute per address.

Each test runs on an application of its own with the limits on, so that its counters start
at zero whatever ran before (the shared test application has them off).
"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, World
from tracker import config, create_app
from tracker.extensions import db

ADDRESS = "192.0.2.10"
OTHER_ADDRESS = "198.51.100.20"
WRONG_PASSWORD = "not-the-password"


@pytest.fixture
def limited(app, database_url):
    """A fresh application with sign-in limits on, on the test database."""

    def build(**overrides):
        limited_app = create_app(
            config.TestConfig(database_url, SIGN_IN_RATE_LIMITS_ENABLED=True, **overrides)
        )
        built.append(limited_app)
        return limited_app.test_client()

    built = []
    yield build
    for limited_app in built:
        with limited_app.app_context():
            db.session.remove()
            db.engine.dispose()


def attempt(client, email: str, password: str = WRONG_PASSWORD, address: str = ADDRESS):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def use_up(client, count: int, email: str = World.CSM, address: str = ADDRESS) -> None:
    for _ in range(count):
        assert attempt(client, email, address=address).status_code == 401


# --- per account ------------------------------------------------------------------------


def test_sixth_attempt_in_a_minute_on_one_account_is_refused(world, limited):
    client = limited()
    use_up(client, 5)

    assert attempt(client, World.CSM).status_code == 429


def test_attempts_posted_as_json_count_for_their_account(world, limited):
    """Flask-WTF reads a JSON body as the form: such attempts count like the form's."""
    client = limited()
    for _ in range(3):
        response = client.post(
            "/login",
            json={"email": World.CSM, "password": "wrong"},
            environ_base={"REMOTE_ADDR": ADDRESS},
        )
        assert response.status_code == 401
    use_up(client, 2)

    assert attempt(client, World.CSM).status_code == 429


def test_refused_attempt_shows_the_sign_in_page_with_a_message(world, limited):
    client = limited()
    use_up(client, 5)

    html = attempt(client, World.CSM).get_data(as_text=True)

    assert "Too many sign-in attempts" in html
    assert "Please wait a minute before trying again." in html
    assert 'name="email"' in html


def test_refused_attempt_says_when_to_retry(world, limited):
    client = limited()
    use_up(client, 5)

    response = attempt(client, World.CSM)

    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_the_right_password_is_refused_too_once_the_account_is_limited(world, limited):
    client = limited()
    use_up(client, 5)

    assert attempt(client, World.CSM, PASSWORD).status_code == 429
    assert client.get("/projects").status_code == 302


def test_account_is_counted_whatever_the_case_of_the_email(world, limited):
    client = limited()
    use_up(client, 5, email="CSM@T.Test")

    assert attempt(client, World.CSM).status_code == 429


def test_account_limit_counts_attempts_from_every_address(world, limited):
    client = limited()
    use_up(client, 5, address=OTHER_ADDRESS)

    assert attempt(client, World.CSM, address=ADDRESS).status_code == 429


def test_limited_account_leaves_other_accounts_free(world, limited):
    client = limited()
    use_up(client, 5)

    assert attempt(client, World.IMS, PASSWORD).status_code == 302


def test_hourly_account_limit_applies_beyond_the_minute_limit(world, limited):
    client = limited(SIGN_IN_LIMITS_PER_ACCOUNT="100 per minute; 20 per hour")
    use_up(client, 20)

    assert attempt(client, World.CSM).status_code == 429


def test_default_account_limits_are_5_a_minute_and_20_an_hour():
    assert config.TestConfig("sqlite://").SIGN_IN_LIMITS_PER_ACCOUNT == "5 per minute; 20 per hour"


# --- per address ------------------------------------------------------------------------


def spread_over_accounts(client, count: int, address: str = ADDRESS) -> None:
    """``count`` attempts from ``address``, each on another account."""
    for number in range(count):
        assert attempt(client, f"nobody{number}@t.test", address=address).status_code == 401


def test_31st_attempt_in_a_minute_from_one_address_is_refused(world, limited):
    client = limited()
    spread_over_accounts(client, 30)

    assert attempt(client, "someone.else@t.test").status_code == 429


def test_limited_address_leaves_other_addresses_free(world, limited):
    client = limited()
    spread_over_accounts(client, 30)

    assert attempt(client, World.IMS, PASSWORD, address=OTHER_ADDRESS).status_code == 302


def test_behind_a_trusted_proxy_clients_are_told_apart_by_their_forwarded_address(world, limited):
    client = limited(TRUST_PROXY=1)
    for number in range(30):
        client.post(
            "/login",
            data={"email": f"nobody{number}@t.test", "password": WRONG_PASSWORD},
            headers={"X-Forwarded-For": ADDRESS},
        )

    response = client.post(
        "/login",
        data={"email": World.IMS, "password": PASSWORD},
        headers={"X-Forwarded-For": OTHER_ADDRESS},
    )

    assert response.status_code == 302


def test_showing_the_sign_in_page_is_not_counted(world, limited):
    client = limited()
    for _ in range(40):
        assert client.get("/login", environ_base={"REMOTE_ADDR": ADDRESS}).status_code == 200

    assert attempt(client, World.CSM, PASSWORD).status_code == 302


# --- configuration ----------------------------------------------------------------------


def test_an_empty_limit_sets_no_limit(world, limited):
    client = limited(SIGN_IN_LIMITS_PER_ACCOUNT="")
    use_up(client, 6)

    assert attempt(client, World.CSM, PASSWORD).status_code == 302


def test_app_refuses_to_start_with_a_limit_that_does_not_parse(database_url):
    with pytest.raises(RuntimeError, match="SIGN_IN_LIMITS_PER_ADDRESS"):
        create_app(config.TestConfig(database_url, SIGN_IN_LIMITS_PER_ADDRESS="30 per fortnight"))


def test_limits_are_off_when_disabled(world, client):
    for _ in range(6):
        assert attempt(client, World.CSM).status_code == 401

    assert attempt(client, World.CSM, PASSWORD).status_code == 302
