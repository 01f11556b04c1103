"""The private calendar feed (issue "Integrations", §3): /calendar/<user id>/<token>.ics."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import url_for
from icalendar import Calendar

from bench.dashboards import count_queries
from tests import factories
from tests.factories import CLIENT_ROW, World
from tracker.calendar import queries as calendar_queries
from tracker.calendar import services
from tracker.calendar.services import feed_token, turn_on_feed
from tracker.enums import Anchor, Implementer, Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Project, User
from tracker.permissions import can_update_item, updatable_items_filter
from tracker.projects.services import archive_project
from tracker.timeutil import recorded_at, today, utcnow

WORLD_USERS = (  # World attribute of each user's id, one per role and ownership
    "admin",
    "csm",
    "other_csm",
    "ims",
    "partner_user",
    "other_partner_user",
    "client_a",
    "client_b",
)


# --- helpers ------------------------------------------------------------------------------


def feed_path(app, user_id: int) -> str:
    """The feed URL (its path) of ``user_id``, as it is now."""
    with app.app_context():
        user = db.session.get(User, user_id)
        with app.test_request_context():
            return url_for("calendar.feed", user_id=user.id, token=feed_token(user))


def turn_on(app, user_id: int) -> str:
    """Turn ``user_id``'s feed on (through the service); return its URL's path."""
    with app.app_context():
        turn_on_feed(db.session.get(User, user_id))
        db.session.commit()
    return feed_path(app, user_id)


def fetch(app, path: str) -> Calendar:
    response = app.test_client().get(path)
    assert response.status_code == 200, response.status_code
    return Calendar.from_ical(response.get_data())


def assert_valid(calendar: Calendar) -> None:
    """The calendar and each of its components, as RFC 5545 (with icalendar's tables of
    each component's properties) wants them."""
    calendar.validate()  # PRODID, VERSION and at least one component
    for component in calendar.walk():
        assert component.errors == [], (component.name, component.errors)
        for name in component.required:
            assert name in component, f"{component.name} without {name}"
        for name in component.singletons:  # a property given twice parses as a list
            assert not isinstance(component.get(name), list), f"{component.name}: two {name}"
        assert sum(name in component for name in component.exclusive) <= 1, component.name


def events(calendar: Calendar) -> dict[int, object]:
    """The feed's events by item id (from their UID, item-<id>@<host>)."""
    found = {}
    for event in calendar.walk("VEVENT"):
        item_id = int(re.fullmatch(r"item-(\d+)@localhost", str(event["UID"])).group(1))
        assert item_id not in found, f"two events for item {item_id}"
        found[item_id] = event
    return found


def expected_items(user_id: int) -> set[int]:
    """Open items of active projects that the user may update, by the Python predicate."""
    user = db.session.get(User, user_id)
    items = db.session.scalars(sa.select(ChecklistItem)).all()
    return {
        item.id
        for item in items
        if item.is_open and item.project.archived_at is None and can_update_item(user, item)
    }


def account_feed_url(client) -> str | None:
    page = client.get("/account").get_data(as_text=True)
    match = re.search(r'id="calendar-feed-url" readonly value="([^"]+)"', page)
    return match.group(1) if match else None


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


# --- the predicate: updatable_items_filter is can_update_item in SQL ------------------------


def test_updatable_items_filter_agrees_with_can_update_item(app, world):
    with app.app_context():
        # More kinds of project than the world has: another CSM's, another partner's, and
        # archived ones (of each party mix).
        factories.project(world.customer_a, world.other_csm, name="Other CSM's", ims_contract=True)
        factories.project(
            world.customer_b,
            world.csm,
            name="Contoso implements",
            implementer=Implementer.PARTNER,
            partner_id=world.other_partner,
        )
        for name, overrides in (
            ("Archived A", {}),
            (
                "Archived B",
                dict(ims_contract=True, implementer=Implementer.PARTNER, partner_id=world.partner),
            ),
        ):
            archived = factories.project(world.customer_b, world.csm, name=name, **overrides)
            archive_project(archived, actor=db.session.get(User, world.csm))
        db.session.commit()
        items = db.session.scalars(sa.select(ChecklistItem)).all()
        assert {item.party for item in items} == set(Party)
        for attribute in WORLD_USERS:
            user = db.session.get(User, getattr(world, attribute))
            in_sql = set(
                db.session.scalars(
                    sa.select(ChecklistItem.id)
                    .join(Project, ChecklistItem.project_id == Project.id)
                    .where(updatable_items_filter(user))
                )
            )
            in_python = {item.id for item in items if can_update_item(user, item)}
            assert in_sql == in_python, attribute


def test_updatable_items_filter_gives_a_deactivated_user_nothing(app, world):
    with app.app_context():
        admin = db.session.get(User, world.admin)
        admin.active = False
        query = (
            sa.select(sa.func.count())
            .select_from(ChecklistItem)
            .join(Project, ChecklistItem.project_id == Project.id)
            .where(updatable_items_filter(admin))
        )
        assert db.session.scalar(query) == 0


# --- the feed is valid iCalendar -----------------------------------------------------------


def test_feed_parses_and_every_component_is_valid(app, world):
    calendar = fetch(app, turn_on(app, world.csm))

    assert_valid(calendar)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == services.PRODID
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Onboarding tracker — Csm"
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))


def test_an_empty_feed_is_valid_too(app, world):
    calendar = fetch(app, turn_on(app, world.other_partner_user))  # implements nothing
    assert calendar.walk("VEVENT") == []
    assert_valid(calendar)


def test_every_event_is_an_all_day_event_on_its_items_due_date(app, world):
    calendar = fetch(app, turn_on(app, world.csm))
    with app.app_context():
        for item_id, event in events(calendar).items():
            item = db.session.get(ChecklistItem, item_id)
            start, end = event["DTSTART"], event["DTEND"]
            assert start.params.get("VALUE") == "DATE"
            assert type(start.dt) is date and start.dt == item.due_date
            assert end.dt == item.due_date + timedelta(days=1)
            assert event["SEQUENCE"] == item.version
            assert event["LAST-MODIFIED"].dt.replace(tzinfo=None) == item.updated_at.replace(
                microsecond=0
            )
            assert event["DTSTAMP"].dt.utcoffset() == timedelta(0)
            assert str(event["URL"]).endswith(f"/projects/{item.project_id}/items/{item.id}")
            assert str(event["URL"]) in str(event["DESCRIPTION"])
            assert item.responsibility.text_en in str(event["DESCRIPTION"])
            assert f"Status: {item.status.label}" in str(event["DESCRIPTION"])


def test_event_summary_names_party_area_and_project_and_flags_overdue(app, world):
    calendar = fetch(app, turn_on(app, world.client_a))
    with app.app_context():
        for item_id, event in events(calendar).items():
            item = db.session.get(ChecklistItem, item_id)
            summary = f"[Client] {item.responsibility.area.title_en} — Acme rollout"
            if item.due_date < today():
                summary = "OVERDUE " + summary
            assert str(event["SUMMARY"]) == summary


def test_feed_lines_are_folded_and_end_with_crlf(app, world):
    body = app.test_client().get(turn_on(app, world.admin)).get_data()
    lines = body.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75


@pytest.mark.parametrize("attribute", WORLD_USERS)
def test_feed_has_one_event_per_open_item_the_user_may_update(app, world, attribute):
    user_id = getattr(world, attribute)
    calendar = fetch(app, turn_on(app, user_id))
    with app.app_context():
        assert set(events(calendar)) == expected_items(user_id)


def test_a_client_feed_has_only_their_companys_client_items(app, world):
    calendar = fetch(app, turn_on(app, world.client_a))
    with app.app_context():
        items = [db.session.get(ChecklistItem, item_id) for item_id in events(calendar)]
    assert items
    assert {item.party for item in items} == {Party.CLIENT}
    assert {item.project_id for item in items} == {world.project_a}
    assert "Globex" not in app.test_client().get(feed_path(app, world.client_a)).text


def test_a_users_name_and_texts_cannot_add_lines_to_the_feed(app, world):
    path = turn_on(app, world.client_a)
    with app.app_context():
        db.session.get(User, world.client_a).name = "Eve\rATTENDEE:mailto:eve@evil.test"
        # Control characters (but NUL, which PostgreSQL refuses to store).
        db.session.get(Project, world.project_a).name = "Acme\r\nBEGIN:VALARM\x07\x1b"
        db.session.commit()
    calendar = fetch(app, path)
    assert "ATTENDEE" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "Onboarding tracker — Eve ATTENDEE:mailto:eve@evil.test"
    assert calendar.walk("VALARM") == []
    for event in calendar.walk("VEVENT"):
        assert "ATTENDEE" not in event
        assert str(event["SUMMARY"]).endswith("— Acme BEGIN:VALARM")


# --- the feed follows the items ------------------------------------------------------------


def test_moving_a_due_date_through_the_item_form_moves_the_event(app, world, login):
    path = turn_on(app, world.client_a)
    with app.app_context():
        item = factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT)
        item_id, version, new_due = item.id, item.version, item.due_date + timedelta(days=9)
    before = events(fetch(app, path))[item_id]
    prefix = f"item{item_id}-"
    response = login(World.CSM).post(
        f"/projects/{world.project_a}/items/{item_id}",
        data={
            prefix + "status": "todo",
            prefix + "reason": "",
            prefix + "assignee_id": "0",
            prefix + "version": str(version),
            prefix + "due_date": new_due.isoformat(),
        },
    )
    assert response.status_code == 302
    after = events(fetch(app, path))[item_id]
    assert after["DTSTART"].dt == new_due
    assert after["DTEND"].dt == new_due + timedelta(days=1)
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["UID"] == before["UID"]


def test_moving_the_go_live_moves_the_events_anchored_to_it(app, world, login):
    path = turn_on(app, world.csm)
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        new_go_live = project.go_live_date + timedelta(days=14)
        form = {
            "name": project.name,
            "customer_id": str(project.customer_id),
            "csm_id": str(project.csm_id),
            "deployment": project.deployment.value,
            "environment": project.environment.value,
            "implementer": project.implementer.value,
            "partner_id": "0",
            "kickoff_date": project.kickoff_date.isoformat(),
            "go_live_date": new_go_live.isoformat(),
            "version": str(project.version),
        }
        anchored = {
            item.id: item.due_date
            for item in factories.items_of(project.id)
            if item.is_open and item.responsibility.due_anchor is Anchor.GO_LIVE
        }
    assert anchored
    before = events(fetch(app, path))

    response = login(World.CSM).post(f"/projects/{world.project_a}/edit", data=form)

    assert response.status_code == 302
    after = events(fetch(app, path))
    for item_id, due in anchored.items():
        assert after[item_id]["DTSTART"].dt == due + timedelta(days=14)
        assert after[item_id]["SEQUENCE"] > before[item_id]["SEQUENCE"]


def test_a_done_item_leaves_the_feed(app, world):
    path = turn_on(app, world.client_a)
    with app.app_context():
        item = factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT)
        item_id = item.id
    assert item_id in events(fetch(app, path))
    with app.app_context():
        item = db.session.get(ChecklistItem, item_id)
        factories.change(item, actor=db.session.get(User, world.client_a), status=Status.DONE)
        db.session.commit()
    assert item_id not in events(fetch(app, path))


def test_an_archived_projects_items_leave_the_feed(app, world):
    path = turn_on(app, world.csm)
    with app.app_context():
        archive_project(
            db.session.get(Project, world.project_a), actor=db.session.get(User, world.csm)
        )
        db.session.commit()
        project_a_items = {item.id for item in factories.items_of(world.project_a)}
    assert events(fetch(app, path)).keys().isdisjoint(project_a_items)


def test_the_feed_lists_at_most_feed_limit_items_soonest_first(app, world, monkeypatch):
    monkeypatch.setattr(calendar_queries, "FEED_LIMIT", 5)
    calendar = fetch(app, turn_on(app, world.admin))
    dates = [event["DTSTART"].dt for event in calendar.walk("VEVENT")]
    with app.app_context():
        soonest = sorted(
            db.session.get(ChecklistItem, item_id).due_date
            for item_id in expected_items(world.admin)
        )[:5]
    assert sorted(dates) == soonest


def test_feed_reads_the_items_in_one_query_whatever_their_number(app, world):
    path = turn_on(app, world.admin)

    def queries() -> tuple[int, int]:
        with app.app_context(), count_queries(db.engine) as statements:
            size = len(fetch(app, path).walk("VEVENT"))
        return statements["n"], size

    few, small = queries()
    with app.app_context():
        for number in range(3):
            factories.project(world.customer_a, world.csm, name=f"More {number}")
    many, large = queries()
    assert large > small
    assert many == few == 2  # the user, then the items


# --- the URL is the credential -------------------------------------------------------------


def test_the_feed_needs_no_sign_in_and_sets_no_cookie(app, world):
    response = app.test_client().get(turn_on(app, world.client_a))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "Set-Cookie" not in response.headers


def test_the_feed_keeps_the_security_headers(app, world):
    response = app.test_client().get(turn_on(app, world.client_a))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.mimetype == "text/calendar"  # nosniff leaves it as it is


def test_a_feed_that_was_never_turned_on_answers_404(app, world):
    assert app.test_client().get(feed_path(app, world.client_a)).status_code == 404


def test_a_feed_turned_off_answers_404(app, world, login):
    path = turn_on(app, world.client_a)
    login(World.CLIENT_A).post("/account/calendar/off")
    assert app.test_client().get(path).status_code == 404


def test_resetting_the_feed_url_stops_the_old_one_and_starts_a_new_one(app, world, login):
    client = login(World.CLIENT_A)
    client.post("/account/calendar/on")
    old = account_feed_url(client)
    response = client.post("/account/calendar/reset")
    assert response.status_code == 302
    new = account_feed_url(client)
    assert new and new != old
    anonymous = app.test_client()
    assert anonymous.get(path_of(old)).status_code == 404
    assert anonymous.get(path_of(new)).status_code == 200


def test_turning_the_feed_back_on_gives_a_new_url(app, world, login):
    client = login(World.CLIENT_A)
    client.post("/account/calendar/on")
    first = account_feed_url(client)
    client.post("/account/calendar/off")
    client.post("/account/calendar/on")
    second = account_feed_url(client)
    assert second and second != first
    assert app.test_client().get(path_of(first)).status_code == 404


def test_turning_on_a_feed_that_is_on_keeps_its_url(app, world, login):
    client = login(World.CLIENT_A)
    client.post("/account/calendar/on")
    url = account_feed_url(client)
    client.post("/account/calendar/on")
    assert account_feed_url(client) == url


def test_a_deactivated_users_feed_answers_404(app, world):
    path = turn_on(app, world.client_a)
    with app.app_context():
        db.session.get(User, world.client_a).active = False
        db.session.commit()
    assert app.test_client().get(path).status_code == 404


def _tampered(path: str, world: World) -> dict[str, str]:
    """``path`` (client A's feed URL) changed in each of the ways of ``TAMPERINGS``."""
    prefix, token = path.rsplit("/", 1)
    token = token.removesuffix(".ics")
    flipped = ("0" if token[0] != "0" else "1") + token[1:]
    return {
        "one character changed": f"{prefix}/{flipped}.ics",
        "shortened": f"{prefix}/{token[:-1]}.ics",
        "lengthened": f"{prefix}/{token}0.ics",
        "upper case": f"{prefix}/{token.upper()}.ics",
        "empty": f"{prefix}/.ics",
        "not ASCII": f"{prefix}/{token[:-1]}é.ics",
        "another user's id": f"/calendar/{world.client_b}/{token}.ics",
        "an unknown user": f"/calendar/999999/{token}.ics",
        "a huge user id": f"/calendar/99999999999999999999999/{token}.ics",
        "no .ics": f"{prefix}/{token}",
    }


TAMPERINGS = (
    "one character changed",
    "shortened",
    "lengthened",
    "upper case",
    "empty",
    "not ASCII",
    "another user's id",
    "an unknown user",
    "a huge user id",
    "no .ics",
)


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_a_tampered_feed_url_answers_404(app, world, tampering):
    path = turn_on(app, world.client_a)
    turn_on(app, world.client_b)
    assert app.test_client().get(path).status_code == 200
    assert app.test_client().get(_tampered(path, world)[tampering]).status_code == 404


def test_a_url_from_another_secret_key_answers_404(app, world, monkeypatch):
    path = turn_on(app, world.client_a)
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key")
    assert app.test_client().get(path).status_code == 404


def test_a_url_from_a_fallback_secret_key_still_works(app, world, monkeypatch):
    path = turn_on(app, world.client_a)
    old_key = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "the-new-secret-key")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert app.test_client().get(path).status_code == 200


# --- the account page ----------------------------------------------------------------------


def test_the_account_page_offers_to_turn_the_feed_on(world, login):
    page = login(World.CLIENT_A).get("/account").get_data(as_text=True)
    assert "Turn on calendar feed" in page
    assert 'action="/account/calendar/on"' in page
    assert 'id="calendar-feed-url"' not in page


def test_the_account_page_shows_the_absolute_feed_url_and_a_warning(app, world, login):
    client = login(World.CLIENT_A)
    client.post("/account/calendar/on")
    page = client.get("/account").get_data(as_text=True)
    url = account_feed_url(client)
    assert url.startswith("http://localhost/calendar/") and url.endswith(".ics")
    assert url == "http://localhost" + feed_path(app, world.client_a)
    assert "Anyone who has this URL sees your items" in page
    assert "Reset feed URL" in page and "Turn off" in page


def test_the_account_page_shows_the_feed_url_to_its_owner_only(app, world, login):
    owner = login(World.CLIENT_A)
    owner.post("/account/calendar/on")
    url = account_feed_url(owner)
    token = path_of(url).rsplit("/", 1)[1].removesuffix(".ics")
    for email in (World.CLIENT_B, World.ADMIN):
        other = app.test_client()
        other.post("/login", data={"email": email, "password": factories.PASSWORD})
        for page in ("/account", f"/admin/users/{world.client_a}"):
            assert token not in other.get(page).get_data(as_text=True), (email, page)


def generation(app, user_id: int) -> int:
    with app.app_context():
        return db.session.get(User, user_id).calendar_feed_generation


def test_feed_settings_without_the_csrf_token_are_refused(app, world, login, monkeypatch):
    client = login(World.CLIENT_A)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # after signing in
    assert client.post("/account/calendar/on").status_code == 400
    assert generation(app, world.client_a) == 0


def test_feed_settings_with_the_pages_csrf_token_are_applied(app, world, login, monkeypatch):
    client = login(World.CLIENT_A)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    section = client.get("/account").get_data(as_text=True).split('id="calendar"', 1)[1]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', section).group(1)
    response = client.post("/account/calendar/on", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account#calendar"
    assert generation(app, world.client_a) > 0


def test_feed_settings_need_a_signed_in_user(app, world):
    for action in ("on", "reset", "off"):
        response = app.test_client().post(f"/account/calendar/{action}")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_the_feed_stamps_events_in_utc_now(app, world):
    calendar = fetch(app, turn_on(app, world.client_a))
    stamps = {event["DTSTAMP"].dt for event in calendar.walk("VEVENT")}
    assert len(stamps) == 1
    (stamp,) = stamps
    assert abs(stamp.replace(tzinfo=None) - utcnow()) < timedelta(minutes=5)


# --- what is overdue is by the owner's date ---------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "overdue"),
    [
        (None, False),  # UTC: 20:00 on 5 December, the item is due today
        ("Pacific/Kiritimati", True),  # UTC+14: already 10:00 on the 6th
        ("Pacific/Pago_Pago", False),  # UTC-11: 09:00 on the 5th
    ],
)
def test_an_item_is_flagged_overdue_from_its_owners_midnight(app, world, zone, overdue):
    with app.app_context():
        user = db.session.get(User, world.client_a)
        user.time_zone = zone
        item = factories.item_of(world.project_a, "register_for_onboarding_webinar")
        item.due_date = date(2026, 12, 5)
        db.session.commit()
        item_id = item.id
    path = turn_on(app, world.client_a)

    with recorded_at(datetime(2026, 12, 5, 20, 0)):
        event = events(fetch(app, path))[item_id]

    assert str(event["SUMMARY"]).startswith("OVERDUE ") is overdue
    # Stamps stay in UTC; the event is an all-day one, which needs no zone.
    assert event["DTSTAMP"].dt == datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
    assert event["DTSTART"].dt == date(2026, 12, 5)
