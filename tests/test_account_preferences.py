"""The account page's preferences: the daily reminder e-mail on or off, and the language;
and the language Flask-Babel picks for a request."""

from __future__ import annotations

import re

import pytest
from flask_babel import get_locale
from flask_login import login_user

from tests.factories import World
from tracker.extensions import db
from tracker.models import User

FORM = {"preferences-language": "en", "preferences-digest_enabled": "y"}


def stored(app, user_id: int) -> tuple[bool, str]:
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.digest_enabled, user.language


def test_account_page_shows_the_preferences_as_stored(app, world, login):
    html = login(World.CLIENT_A).get("/account").get_data(as_text=True)

    assert 'action="/account/preferences"' in html
    assert '<input checked class="form-check-input" id="preferences-digest_enabled"' in html
    assert '<option selected value="en">English</option>' in html
    assert '<option value="fr">Français</option>' in html


def test_user_turns_the_daily_email_off(app, world, login):
    response = login(World.CLIENT_A).post(
        "/account/preferences", data={**FORM} | {"preferences-digest_enabled": ""}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/account#preferences"
    assert stored(app, world.client_a) == (False, "en")


def test_user_turns_the_daily_email_back_on(app, world, login):
    with app.app_context():
        db.session.get(User, world.client_a).digest_enabled = False
        db.session.commit()

    login(World.CLIENT_A).post("/account/preferences", data=FORM)

    assert stored(app, world.client_a) == (True, "en")


def test_user_chooses_french(app, world, login):
    client = login(World.CSM)

    client.post("/account/preferences", data=FORM | {"preferences-language": "fr"})

    assert stored(app, world.csm) == (True, "fr")
    # Confirmed in the language just chosen, as the pages from now on.
    assert "Préférences enregistrées." in client.get("/account").get_data(as_text=True)


def test_user_changes_only_their_own_preferences(app, world, login):
    login(World.CLIENT_A).post(
        "/account/preferences", data={"preferences-language": "fr", "preferences-user_id": "8"}
    )

    assert stored(app, world.client_a) == (False, "fr")
    assert stored(app, world.client_b) == (True, "en")


@pytest.mark.parametrize("language", ["de", "", "fr\x00", "FR"])
def test_unknown_language_is_refused_and_nothing_changes(app, world, login, language):
    response = login(World.CLIENT_A).post(
        "/account/preferences", data={"preferences-language": language}
    )

    assert response.status_code == 422
    assert stored(app, world.client_a) == (True, "en")


@pytest.fixture
def csrf_on(app, monkeypatch):
    """CSRF protection on (after signing in, which would need a token of its own)."""
    return lambda: monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_preferences_without_the_csrf_token_are_refused(app, world, login, csrf_on):
    client = login(World.CLIENT_A)
    csrf_on()

    response = client.post("/account/preferences", data=FORM | {"preferences-language": "fr"})

    assert response.status_code == 400
    assert stored(app, world.client_a) == (True, "en")


def test_preferences_with_the_forms_csrf_token_are_saved(app, world, login, csrf_on):
    client = login(World.CLIENT_A)
    csrf_on()
    page = client.get("/account").get_data(as_text=True)
    token = re.search(r'name="preferences-csrf_token" type="hidden" value="([^"]+)"', page)

    response = client.post(
        "/account/preferences",
        data=FORM | {"preferences-language": "fr", "preferences-csrf_token": token.group(1)},
    )

    assert response.status_code == 302
    assert stored(app, world.client_a) == (True, "fr")


# --- the language of a request ----------------------------------------------------------


def test_signed_in_user_is_served_in_their_language(app, world):
    with app.app_context():
        db.session.get(User, world.client_a).language = "fr"
        db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en-GB,en"}):
        login_user(db.session.get(User, world.client_a))

        assert str(get_locale()) == "fr"


def test_visitor_is_served_in_the_best_match_of_their_browser(app):
    with app.test_request_context(headers={"Accept-Language": "de-DE, fr-CA;q=0.8, en;q=0.5"}):
        assert str(get_locale()) == "fr"


@pytest.mark.parametrize("header", ["de, es;q=0.9", "de, fr;q=0", "*", ""])
def test_visitor_with_no_language_we_have_is_served_in_english(app, header):
    with app.test_request_context(headers={"Accept-Language": header}):
        assert str(get_locale()) == "en"


# --- the time zone --------------------------------------------------------------------------


def zone_of(app, user_id: int) -> str | None:
    with app.app_context():
        return db.session.get(User, user_id).time_zone


def test_the_time_zone_select_shows_the_users_zone_among_the_zones_by_area(app, world, login):
    with app.app_context():
        db.session.get(User, world.client_a).time_zone = "Europe/Paris"
        db.session.commit()

    html = login(World.CLIENT_A).get("/account").get_data(as_text=True)

    assert '<select class="form-select" id="preferences-time_zone"' in html
    assert '<optgroup label="Europe">' in html
    assert '<option selected value="Europe/Paris">Paris</option>' in html
    assert (
        '<option value="America/Argentina/Buenos_Aires">Argentina / Buenos Aires</option>' in html
    )


def test_a_user_whose_zone_is_not_known_yet_sees_utc_chosen(app, world, login):
    html = login(World.CLIENT_A).get("/account").get_data(as_text=True)
    assert '<option selected value="UTC">UTC</option>' in html


def test_a_zone_that_is_no_areas_is_offered_while_it_is_the_users(app, world, login):
    with app.app_context():
        db.session.get(User, world.client_a).time_zone = "US/Eastern"
        db.session.commit()

    html = login(World.CLIENT_A).get("/account").get_data(as_text=True)

    assert '<option selected value="US/Eastern">US/Eastern</option>' in html


def test_user_chooses_a_time_zone(app, world, login):
    client = login(World.CLIENT_A)

    response = client.post(
        "/account/preferences", data=FORM | {"preferences-time_zone": "Asia/Tokyo"}
    )

    assert response.status_code == 302
    assert zone_of(app, world.client_a) == "Asia/Tokyo"
    assert '<option selected value="Asia/Tokyo">Tokyo</option>' in client.get("/account").text


def test_preferences_sent_without_a_time_zone_keep_the_users(app, world, login):
    with app.app_context():
        db.session.get(User, world.client_a).time_zone = "Asia/Tokyo"
        db.session.commit()

    login(World.CLIENT_A).post("/account/preferences", data=FORM)

    assert zone_of(app, world.client_a) == "Asia/Tokyo"


@pytest.mark.parametrize(
    "zone", ["Mars/Base", "europe/paris", "Europe/Paris ", "Etc/GMT+5", "x" * 300, "Asia/\x00"]
)
def test_an_unknown_time_zone_is_refused_on_the_field_and_nothing_changes(app, world, login, zone):
    response = login(World.CLIENT_A).post(
        "/account/preferences",
        data=FORM | {"preferences-time_zone": zone, "preferences-language": "fr"},
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<select class="form-select is-invalid" id="preferences-time_zone"' in html
    assert ("Choose a time zone from the list." in html) is ("\x00" not in zone)
    assert zone_of(app, world.client_a) is None
    assert stored(app, world.client_a) == (True, "en")


def test_the_service_refuses_an_unknown_zone_too(app, world):
    from tracker.account.services import set_preferences
    from tracker.errors import RuleBroken

    with app.app_context():
        user = db.session.get(User, world.client_a)
        with pytest.raises(RuleBroken) as refused:
            set_preferences(user, digest_enabled=True, language="en", time_zone="Mars/Base")
    assert refused.value.field == "time_zone"
