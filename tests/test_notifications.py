"""Notifications: who hears of what happened to an item, in the app (the bell, the
notifications page) and by e-mail (batched, in the recipient's language), and watching."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import CLIENT_ROW, IMS_ROW, World
from tests.helpers import deliver_outbox
from tracker.enums import Party
from tracker.extensions import db
from tracker.models import Comment, Notification, Project, User, Watch

NOW = datetime(2026, 12, 7, 9, 0)


def _id(email: str) -> int:
    return db.session.scalar(sa.select(User.id).where(User.email == email))


def _as(app, email: str):
    """A browser of its own, signed in as ``email``."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def _url(pid: int, iid: int, tail: str = "") -> str:
    return f"/projects/{pid}/items/{iid}{tail}"


def _update(iid: int, status: str, *, assignee_id: int = 0, version: int = 1) -> dict:
    prefix = f"item{iid}-"
    return {
        prefix + "status": status,
        prefix + "reason": "",
        prefix + "assignee_id": str(assignee_id),
        prefix + "version": str(version),
    }


def _kinds(app, email: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(Notification.kind)
                .where(Notification.recipient_id == _id(email))
                .order_by(Notification.id)
            )
        )


@pytest.fixture
def client_item(app, world) -> tuple[int, int]:
    """(project, item) of a client item of project_a (customer A, CSM ``csm``)."""
    with app.app_context():
        return world.project_a, factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT).id


@pytest.fixture
def assigned_item(app, client_item) -> tuple[int, int]:
    """``client_item``, assigned to client A's user by the CSM."""
    pid, iid = client_item
    with app.app_context():
        client_a = _id(World.CLIENT_A)
    response = _as(app, World.CSM).post(
        _url(pid, iid), data=_update(iid, "todo", assignee_id=client_a)
    )
    assert response.status_code == 302
    return pid, iid


def _still_assigned_in_progress(app, pid: int, iid: int) -> None:
    """The CSM moves the assigned item to "in progress", keeping its assignee."""
    with app.app_context():
        client_a = _id(World.CLIENT_A)
    data = _update(iid, "in_progress", assignee_id=client_a, version=2)
    assert _as(app, World.CSM).post(_url(pid, iid), data=data).status_code == 302


# --- who hears of what ---------------------------------------------------------------------


def test_the_new_assignee_is_told_the_item_is_theirs(app, assigned_item):
    assert _kinds(app, World.CLIENT_A) == ["assigned"]


def test_nobody_is_told_of_what_they_did_themselves(app, client_item):
    pid, iid = client_item
    with app.app_context():
        client_a = _id(World.CLIENT_A)
    _as(app, World.CLIENT_A).post(_url(pid, iid), data=_update(iid, "todo", assignee_id=client_a))
    assert _kinds(app, World.CLIENT_A) == []


def test_a_comment_tells_the_assignee_and_the_projects_csm(app, assigned_item):
    pid, iid = assigned_item
    _as(app, World.ADMIN).post(_url(pid, iid, "/comments"), data={"body": "Any news?"})
    assert (_kinds(app, World.CLIENT_A), _kinds(app, World.CSM)) == (
        ["assigned", "comment"],
        ["comment"],
    )


def test_an_internal_comment_never_tells_a_client(app, assigned_item):
    pid, iid = assigned_item
    _as(app, World.ADMIN).post(
        _url(pid, iid, "/comments"), data={"body": "Chase them", "internal": "y"}
    )
    assert (_kinds(app, World.CLIENT_A), _kinds(app, World.CSM)) == (["assigned"], ["comment"])


def test_a_commenter_watches_the_item_and_hears_of_its_status(app, client_item):
    pid, iid = client_item
    _as(app, World.CLIENT_A).post(_url(pid, iid, "/comments"), data={"body": "On it"})
    _as(app, World.CSM).post(_url(pid, iid), data=_update(iid, "in_progress"))
    assert _kinds(app, World.CLIENT_A) == ["status"]


def test_a_watcher_hears_of_a_due_date_moved(app, client_item):
    pid, iid = client_item
    _as(app, World.CLIENT_A).post(_url(pid, iid, "/watch"), data={"watching": "1"})
    with app.app_context():
        item = factories.item_of(pid, CLIENT_ROW, Party.CLIENT)
        data = _update(iid, item.status.value, version=item.version)
        data[f"item{iid}-due_date"] = (item.due_date + timedelta(days=3)).isoformat()
    _as(app, World.CSM).post(_url(pid, iid), data=data)
    assert _kinds(app, World.CLIENT_A) == ["due_date"]


def test_the_csm_who_stops_watching_hears_nothing_more(app, client_item):
    pid, iid = client_item
    _as(app, World.CSM).post(_url(pid, iid, "/watch"), data={"watching": "0"})
    _as(app, World.CLIENT_A).post(_url(pid, iid, "/comments"), data={"body": "Done soon"})
    assert _kinds(app, World.CSM) == []


def test_another_customers_user_cannot_watch_the_item(app, client_item):
    pid, iid = client_item
    response = _as(app, World.CLIENT_B).post(_url(pid, iid, "/watch"), data={"watching": "1"})
    with app.app_context():
        watches = db.session.scalar(sa.select(sa.func.count()).select_from(Watch))
    assert (response.status_code, watches) == (404, 0)


def test_the_item_page_offers_to_watch_and_to_stop(app, client_item):
    pid, iid = client_item
    client = _as(app, World.CLIENT_A)
    before = client.get(_url(pid, iid)).get_data(as_text=True)
    client.post(_url(pid, iid, "/watch"), data={"watching": "1"})
    after = client.get(_url(pid, iid)).get_data(as_text=True)
    assert ('name="watching" value="1"' in before, 'name="watching" value="0"' in after) == (
        True,
        True,
    )


# --- mentions -------------------------------------------------------------------------------


def test_a_mention_tells_the_person_mentioned(app, world):
    with app.app_context():
        iid = factories.item_of(world.project_b, CLIENT_ROW, Party.CLIENT).id
        partner = db.session.get(User, world.partner_user).name
    _as(app, World.CLIENT_B).post(
        _url(world.project_b, iid, "/comments"), data={"body": f"@[{partner}] can you check?"}
    )
    assert _kinds(app, World.PARTNER) == ["mention"]


def test_mentioning_someone_who_may_not_see_the_item_is_refused(app, client_item):
    pid, iid = client_item
    with app.app_context():
        # project_a has no IMS contract: its IMS engineer may not see it
        stranger = db.session.scalar(sa.select(User.name).where(User.email == World.IMS))
    response = _as(app, World.CSM).post(
        _url(pid, iid, "/comments"), data={"body": f"@[{stranger}] look"}
    )
    with app.app_context():
        comments = db.session.scalar(sa.select(sa.func.count()).select_from(Comment))
    assert (response.status_code, comments) == (422, 0)
    assert "You cannot mention" in response.get_data(as_text=True)


def test_the_picker_offers_only_people_who_may_see_the_item(app, client_item):
    pid, iid = client_item
    answer = _as(app, World.CSM).get(_url(pid, iid, "/mention-candidates")).get_json()
    emails = {World.CLIENT_A, World.CSM, World.ADMIN, World.OTHER_CSM}
    with app.app_context():
        expected = set(db.session.scalars(sa.select(User.name).where(User.email.in_(emails))))
    assert {person["name"] for person in answer} == expected


def test_the_picker_offers_no_client_for_an_internal_comment(app, client_item):
    pid, iid = client_item
    answer = _as(app, World.CSM).get(_url(pid, iid, "/mention-candidates?internal=1")).get_json()
    with app.app_context():
        client = db.session.get(User, _id(World.CLIENT_A)).name
    assert client not in {person["name"] for person in answer}


def test_another_customers_user_gets_no_picker(app, client_item):
    pid, iid = client_item
    response = _as(app, World.CLIENT_B).get(_url(pid, iid, "/mention-candidates"))
    assert response.status_code == 404


# --- the bell and the page ------------------------------------------------------------------


def test_the_bell_shows_the_unread_count(app, assigned_item):
    html = _as(app, World.CLIENT_A).get("/notifications").get_data(as_text=True)
    assert '<span class="badge rounded-pill text-bg-warning" data-testid="unread-count">1' in html


def test_the_page_lists_newest_first_with_a_link_to_the_item(app, assigned_item):
    pid, iid = assigned_item
    _still_assigned_in_progress(app, pid, iid)
    html = _as(app, World.CLIENT_A).get("/notifications").get_data(as_text=True)
    assert html.index("changed the status") < html.index("assigned you")
    assert f'href="/projects/{pid}/items/{iid}"' in html


def test_mark_read_reads_one(app, assigned_item):
    client = _as(app, World.CLIENT_A)
    with app.app_context():
        nid = db.session.scalar(sa.select(Notification.id))
    client.post(f"/notifications/{nid}/read")
    html = client.get("/notifications").get_data(as_text=True)
    assert 'data-unread="1"' not in html and 'data-testid="unread-count"' not in html


def test_mark_all_read_reads_every_one(app, assigned_item):
    pid, iid = assigned_item
    _still_assigned_in_progress(app, pid, iid)
    client = _as(app, World.CLIENT_A)
    client.post("/notifications/read-all")
    with app.app_context():
        unread = db.session.scalar(sa.select(sa.func.count()).where(Notification.read_at.is_(None)))
    assert unread == 0


def test_nobody_marks_another_persons_notification_read(app, assigned_item):
    with app.app_context():
        nid = db.session.scalar(sa.select(Notification.id))
    response = _as(app, World.CLIENT_B).post(f"/notifications/{nid}/read")
    assert response.status_code == 404


def test_a_project_no_longer_seen_drops_out_of_the_page(app, world):
    with app.app_context():
        iid = factories.item_of(world.project_b, IMS_ROW, Party.IMS).id
        ims = _id(World.IMS)
    _as(app, World.CSM).post(_url(world.project_b, iid), data=_update(iid, "todo", assignee_id=ims))
    with app.app_context():
        db.session.get(Project, world.project_b).ims_contract = False
        db.session.commit()
    html = _as(app, World.IMS).get("/notifications").get_data(as_text=True)
    assert "assigned you" not in html


# --- e-mails -----------------------------------------------------------------------------


def _deliver(app, now: datetime) -> list:
    with app.app_context():
        return deliver_outbox(now=now)


def _set(app, email: str, **values) -> None:
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == email).values(**values))
        db.session.commit()


def _at(app, when: datetime) -> None:
    with app.app_context():
        db.session.execute(sa.update(Notification).values(created_at=when))
        db.session.commit()


def test_at_once_groups_what_happened_in_one_email(app, assigned_item):
    pid, iid = assigned_item
    _as(app, World.CSM).post(_url(pid, iid, "/comments"), data={"body": "Please upload it"})
    _at(app, NOW - timedelta(minutes=1))
    sent = [m for m in _deliver(app, NOW) if m.recipients == [World.CLIENT_A]]
    assert len(sent) == 1
    assert "2 new notifications" in sent[0].subject
    assert "Please upload it" in sent[0].body


def test_a_second_email_waits_ten_minutes(app, assigned_item):
    pid, iid = assigned_item
    _at(app, NOW - timedelta(minutes=1))
    _deliver(app, NOW)
    _as(app, World.CSM).post(_url(pid, iid, "/comments"), data={"body": "Reminder"})
    _at(app, NOW)
    early = [m for m in _deliver(app, NOW + timedelta(minutes=9)) if World.CLIENT_A in m.recipients]
    later = [
        m for m in _deliver(app, NOW + timedelta(minutes=10)) if World.CLIENT_A in m.recipients
    ]
    assert (len(early), len(later)) == (0, 1)


def test_the_email_is_in_the_recipients_language(app, client_item):
    _set(app, World.CLIENT_A, language="fr")
    pid, iid = client_item
    with app.app_context():
        client_a = _id(World.CLIENT_A)
    _as(app, World.CSM).post(_url(pid, iid), data=_update(iid, "todo", assignee_id=client_a))
    _at(app, NOW - timedelta(minutes=1))
    (message,) = [m for m in _deliver(app, NOW) if m.recipients == [World.CLIENT_A]]
    with app.app_context():
        french = factories.item_of(pid, CLIENT_ROW, Party.CLIENT).responsibility.text_fr
    assert "Bonjour" in message.body
    assert " ".join(french.split())[:40] in message.body


def test_off_sends_no_email(app, client_item):
    _set(app, World.CLIENT_A, notification_email="off")
    pid, iid = client_item
    with app.app_context():
        client_a = _id(World.CLIENT_A)
    _as(app, World.CSM).post(_url(pid, iid), data=_update(iid, "todo", assignee_id=client_a))
    _at(app, NOW - timedelta(minutes=1))
    assert [m for m in _deliver(app, NOW) if World.CLIENT_A in m.recipients] == []


def test_digest_only_sends_no_email_at_once(app, client_item):
    _set(app, World.CLIENT_A, notification_email="digest")
    pid, iid = client_item
    with app.app_context():
        client_a = _id(World.CLIENT_A)
    _as(app, World.CSM).post(_url(pid, iid), data=_update(iid, "todo", assignee_id=client_a))
    _at(app, NOW - timedelta(minutes=1))
    assert [m for m in _deliver(app, NOW) if World.CLIENT_A in m.recipients] == []


def test_no_email_about_an_item_no_longer_seen(app, world):
    with app.app_context():
        iid = factories.item_of(world.project_b, IMS_ROW, Party.IMS).id
        ims = _id(World.IMS)
    _as(app, World.CSM).post(_url(world.project_b, iid), data=_update(iid, "todo", assignee_id=ims))
    _at(app, NOW - timedelta(minutes=1))
    with app.app_context():
        db.session.get(Project, world.project_b).ims_contract = False
        db.session.commit()
    assert [m for m in _deliver(app, NOW) if World.IMS in m.recipients] == []


def test_my_account_saves_the_email_choice(app, world):
    client = _as(app, World.CLIENT_A)
    client.post(
        "/account/preferences",
        data={
            "preferences-language": "en",
            "preferences-digest_enabled": "y",
            "preferences-notification_email": "digest",
        },
    )
    with app.app_context():
        assert db.session.get(User, world.client_a).notification_email == "digest"


def test_switching_to_the_digest_carries_the_notifications_waiting_for_an_email(
    app, client_item, smtp
):
    pid, iid = client_item
    with app.app_context():
        client_a = _id(World.CLIENT_A)
    _as(app, World.CSM).post(_url(pid, iid), data=_update(iid, "todo", assignee_id=client_a))
    _as(app, World.CLIENT_A).post(
        "/account/preferences",
        data={
            "preferences-language": "en",
            "preferences-digest_enabled": "y",
            "preferences-notification_email": "digest",
        },
    )

    text = _digest_text(app, smtp, NOW.date())

    assert "assigned you" in text


def test_my_account_refuses_an_unknown_email_choice(app, world):
    response = _as(app, World.CLIENT_A).post(
        "/account/preferences",
        data={"preferences-language": "en", "preferences-notification_email": "hourly"},
    )
    assert response.status_code == 422


# --- the daily digest ----------------------------------------------------------------------


def _digest_text(app, smtp, day) -> str:
    from tracker.reminders.services import send_reminders

    smtp.received.clear()
    with app.app_context():
        send_reminders(day=day, now=datetime.combine(day, datetime.min.time()) + timedelta(hours=9))
    (message,) = smtp.to(World.CLIENT_A)
    return message.get_body(preferencelist=("plain",)).get_content()


def test_digest_only_lists_unread_notifications_in_the_daily_email(app, client_item, smtp):
    _set(app, World.CLIENT_A, notification_email="digest")
    pid, iid = client_item
    with app.app_context():
        client_a = _id(World.CLIENT_A)
    _as(app, World.CSM).post(_url(pid, iid), data=_update(iid, "todo", assignee_id=client_a))
    text = _digest_text(app, smtp, NOW.date())
    assert "1 unread notification" in text and "assigned you" in text


def test_a_digest_lists_a_notification_once(app, client_item, smtp):
    _set(app, World.CLIENT_A, notification_email="digest")
    pid, iid = client_item
    with app.app_context():
        client_a = _id(World.CLIENT_A)
    _as(app, World.CSM).post(_url(pid, iid), data=_update(iid, "todo", assignee_id=client_a))
    _digest_text(app, smtp, NOW.date())
    assert "assigned you" not in _digest_text(app, smtp, NOW.date() + timedelta(days=1))


# --- as many statements for any page -----------------------------------------------------


def test_the_page_reads_as_many_statements_for_one_notification_as_for_many(app, world):
    from bench.dashboards import count_queries

    client = _as(app, World.CLIENT_A)

    def statements() -> int:
        client.get("/notifications")
        with app.app_context(), count_queries(db.engine) as sent:
            assert client.get("/notifications").status_code == 200
        return sent["n"]

    def notify(count: int) -> None:
        """``count`` notifications, about different items, from different people."""
        with app.app_context():
            items = factories.items_of(world.project_a)
            actors = (world.csm, world.admin, world.other_csm)
            for n in range(count):
                db.session.add(
                    Notification(
                        recipient_id=world.client_a,
                        kind="comment",
                        project_id=world.project_a,
                        item_id=items[n % len(items)].id,
                        actor_id=actors[n % len(actors)],
                        payload={"excerpt": "Hello"},
                        created_at=NOW,
                    )
                )
            db.session.commit()

    notify(1)
    one = statements()
    notify(20)
    assert statements() == one


def test_the_picker_answers_nobody_for_a_name_with_a_nul_byte(app, client_item):
    pid, iid = client_item
    response = _as(app, World.CSM).get(_url(pid, iid, "/mention-candidates?q=Cl%00"))
    assert (response.status_code, response.get_json()) == (200, [])
