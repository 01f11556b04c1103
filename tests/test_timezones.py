"""Times in the reader's time zone (tracker/timezones.py): how a stored (naive UTC) time is
written, which zone a request reads in, the reader's "today", the pages, and the API (UTC)."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_login import login_user

from tests import factories
from tests.factories import World
from tracker import config, create_app
from tracker.api.services import create_token
from tracker.config import ConfigurationError
from tracker.enums import Status
from tracker.extensions import db
from tracker.formatting import display_value, format_datetime
from tracker.models import ChecklistItem, Comment, User
from tracker.timeutil import recorded_at, today
from tracker.timezones import (
    abbreviation,
    current_zone_name,
    is_zone,
    localized_time,
    offered_zones,
    reading_in,
    zone,
    zone_name_of,
)

WINTER = datetime(2026, 12, 5, 13, 29)  # naive UTC, as stored
SUMMER = datetime(2026, 7, 5, 13, 29)


def set_zone(app, user_id: int, name: str | None) -> None:
    with app.app_context():
        db.session.get(User, user_id).time_zone = name
        db.session.commit()


# --- writing a time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "moment", "written"),
    [
        ("UTC", WINTER, "5 Dec 2026 13:29 UTC"),
        ("Europe/Paris", WINTER, "5 Dec 2026 14:29 CET"),
        ("Europe/Paris", SUMMER, "5 Jul 2026 15:29 CEST"),
        ("America/New_York", WINTER, "5 Dec 2026 08:29 EST"),
        ("Asia/Kolkata", WINTER, "5 Dec 2026 18:59 IST"),
        # Zones whose abbreviation is only an offset ("+0545", "-03") read as one.
        ("Asia/Kathmandu", WINTER, "5 Dec 2026 19:14 UTC+5:45"),
        ("America/Sao_Paulo", WINTER, "5 Dec 2026 10:29 UTC-3"),
        # Across the date line: the reader's date, not UTC's.
        ("Pacific/Kiritimati", WINTER, "6 Dec 2026 03:29 UTC+14"),
        ("Pacific/Pago_Pago", datetime(2026, 12, 5, 3, 0), "4 Dec 2026 16:00 SST"),
    ],
)
def test_a_stored_time_is_written_in_the_readers_zone_with_its_abbreviation(
    app, name, moment, written
):
    with app.test_request_context(), reading_in(name):
        assert format_datetime(moment) == written


def test_a_value_shown_as_is_that_is_a_time_is_written_in_the_readers_zone(app):
    with app.test_request_context(), reading_in("Europe/Paris"):
        assert display_value(WINTER) == "5 Dec 2026 14:29 CET"
        assert display_value(WINTER.date()) == "5 Dec 2026"


def test_a_time_is_written_in_utc_for_a_reader_without_a_zone(app, world):
    with app.test_request_context():
        login_user(db.session.get(User, world.csm))

        assert current_zone_name() == "UTC"
        assert format_datetime(WINTER) == "5 Dec 2026 13:29 UTC"


def test_a_signed_in_user_reads_times_in_their_zone(app, world):
    set_zone(app, world.csm, "Europe/Paris")
    with app.test_request_context():
        login_user(db.session.get(User, world.csm))

        assert format_datetime(WINTER) == "5 Dec 2026 14:29 CET"


def test_an_aware_time_is_converted_too(app):
    with app.test_request_context(), reading_in("Asia/Tokyo"):
        assert format_datetime(localized_time(WINTER, zone("Europe/Paris"))) == (
            "5 Dec 2026 22:29 JST"
        )


@pytest.mark.parametrize(
    ("offset_name", "expected"), [("Asia/Dubai", "UTC+4"), ("America/St_Johns", "NST")]
)
def test_abbreviations(offset_name, expected):
    assert abbreviation(localized_time(WINTER, zone(offset_name))) == expected


@pytest.mark.parametrize(
    "name",
    ["Europe/Paris", "UTC", "America/Argentina/Buenos_Aires", "US/Eastern"],
)
def test_iana_names_are_zones(name):
    assert is_zone(name)


@pytest.mark.parametrize(
    "name",
    ["", "Mars/Olympus_Mons", "europe/paris", "localtime", "Factory", None, 3, "Europe/Paris\x00"],
)
def test_other_values_are_not_zones(name):
    assert not is_zone(name)


def test_the_offered_zones_are_grouped_by_area():
    areas = dict(offered_zones())
    assert "Europe/Paris" in areas["Europe"]
    assert "Pacific/Kiritimati" in areas["Pacific"]
    assert not any(name.startswith(("US/", "Etc/")) for names in areas.values() for name in names)


# --- "today" is the reader's date --------------------------------------------------------------

# 10:30 UTC on 5 December: already the 6th east of UTC+13:30, still the 4th west of UTC-10:30.
MOMENT = datetime(2026, 12, 5, 10, 30)


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("UTC", date(2026, 12, 5)),
        ("Pacific/Kiritimati", date(2026, 12, 6)),  # UTC+14
        ("Pacific/Honolulu", date(2026, 12, 5)),  # UTC-10: 00:30
        ("Pacific/Pago_Pago", date(2026, 12, 4)),  # UTC-11: 23:30 the day before
    ],
)
def test_today_is_the_signed_in_users_date(app, world, name, day):
    set_zone(app, world.csm, name)
    with recorded_at(MOMENT), app.test_request_context():
        login_user(db.session.get(User, world.csm))

        assert today() == day


def test_today_outside_a_request_is_the_default_zones(app, world):
    with recorded_at(MOMENT), app.app_context():
        assert today() == date(2026, 12, 5)
        with reading_in("Pacific/Kiritimati"):
            assert today() == date(2026, 12, 6)


def test_the_api_reads_in_utc_whoever_asks(app, world):
    set_zone(app, world.csm, "Pacific/Kiritimati")
    with recorded_at(MOMENT), app.test_request_context("/api/v1/items"):
        login_user(db.session.get(User, world.csm))

        assert current_zone_name() == "UTC"
        assert today() == date(2026, 12, 5)


def test_an_item_falls_overdue_at_the_readers_midnight(app, world, login):
    """The overdue dashboard, at 10:30 UTC, of an item due on 5 December: overdue for a CSM
    in Kiritimati (already the 6th there), not for one in UTC."""
    with app.app_context():
        db.session.execute(sa.update(ChecklistItem).values(due_date=date(2027, 6, 1)))
        item = factories.item_of(world.project_a, "register_for_onboarding_webinar")
        item.due_date = date(2026, 12, 5)
        db.session.commit()
    client = login(World.CSM)
    with recorded_at(MOMENT):
        in_utc = client.get("/overdue").get_data(as_text=True)
        set_zone(app, world.csm, "Pacific/Kiritimati")
        in_kiritimati = client.get("/overdue").get_data(as_text=True)

    assert 'data-testid="overdue-count">0<' in in_utc
    assert 'data-testid="overdue-count">1<' in in_kiritimati


# --- pages --------------------------------------------------------------------------------


def test_the_account_page_shows_a_tokens_times_in_the_users_zone(app, world, login):
    set_zone(app, world.client_a, "America/New_York")
    with app.app_context():
        token, _ = create_token(db.session.get(User, world.client_a), name="CRM sync")
        token.created_at, token.last_used_at = WINTER, SUMMER
        db.session.commit()

    page = login(World.CLIENT_A).get("/account").get_data(as_text=True)

    assert "<td>5 Dec 2026 08:29 EST</td>" in page
    assert "<td>5 Jul 2026 09:29 EDT</td>" in page


def test_history_and_comments_are_in_the_readers_zone(app, world, login):
    with app.app_context():
        item = factories.item_of(world.project_a, "register_for_onboarding_webinar")
        csm = db.session.get(User, world.csm)
        with recorded_at(WINTER):
            factories.change(item, actor=csm, status=Status.IN_PROGRESS)
        db.session.add(Comment(item_id=item.id, author_id=csm.id, body="Hi", created_at=SUMMER))
        db.session.commit()
        item_url = f"/projects/{world.project_a}/items/{item.id}"
    set_zone(app, world.csm, "Asia/Tokyo")
    client = login(World.CSM)

    history = client.get(f"/projects/{world.project_a}/history").get_data(as_text=True)
    item_page = client.get(item_url).get_data(as_text=True)

    assert "5 Dec 2026 22:29 JST" in history
    assert "5 Jul 2026 22:29 JST" in item_page  # the comment
    assert "UTC" not in history.split("<main", 1)[1]


def test_the_admin_users_list_shows_sign_ins_in_the_admins_zone(app, world, login):
    client = login(World.ADMIN)
    with app.app_context():
        db.session.get(User, world.client_b).last_login_at = WINTER
        db.session.get(User, world.admin).time_zone = "Australia/Sydney"
        db.session.commit()

    page = client.get("/admin/users").get_data(as_text=True)

    assert "6 Dec 2026 00:29 AEDT" in page


# --- the API keeps UTC ----------------------------------------------------------------------


def test_the_api_writes_times_in_utc_with_an_offset_whatever_the_owners_zone(app, world, client):
    set_zone(app, world.csm, "Europe/Paris")
    with app.app_context():
        user = db.session.get(User, world.csm)
        _, value = create_token(user, name="script")
        item = factories.item_of(world.project_a, "register_for_onboarding_webinar")
        with recorded_at(WINTER):
            factories.change(item, actor=user, status=Status.DONE)
        db.session.commit()
        item_id = item.id

    body = client.get(
        f"/api/v1/items/{item_id}", headers={"Authorization": f"Bearer {value}"}
    ).get_json()

    assert body["completed_at"] == "2026-12-05T13:29:00Z"


# --- the default zone -----------------------------------------------------------------------


def test_users_without_a_zone_read_in_the_default_zone():
    app = create_app(config.TestConfig("sqlite://", DEFAULT_TIME_ZONE="Europe/Paris"))
    with app.app_context():
        assert zone_name_of(SimpleNamespace(time_zone=None)) == "Europe/Paris"
        assert zone_name_of(SimpleNamespace(time_zone="Asia/Tokyo")) == "Asia/Tokyo"
        assert format_datetime(WINTER) == "5 Dec 2026 14:29 CET"


def test_an_unknown_default_zone_stops_the_app_at_start_up():
    with pytest.raises(ConfigurationError, match="DEFAULT_TIME_ZONE"):
        create_app(config.TestConfig("sqlite://", DEFAULT_TIME_ZONE="Paris"))
