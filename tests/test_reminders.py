"""The daily reminder e-mails (`flask reminders send`), sent through a real SMTP server.

Each test runs the command against an aiosmtpd server on 127.0.0.1 and reads the messages
back with the email package, as a mail client would.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from flask_mail import Connection

from tests import factories
from tests.factories import World
from tests.smtp import BASE_URL, Collector, free_port
from tracker.enums import OPEN_STATUSES, Party, Role, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Project, ReminderDelivery, User
from tracker.projects.services import archive_project
from tracker.reminders import cli as reminders_cli
from tracker.reminders.services import send_reminders
from tracker.timeutil import recorded_at, today

ITEM_LINK = re.compile(re.escape(BASE_URL) + r"/projects/(\d+)/items/(\d+)")


@pytest.fixture(autouse=True)
def nine_oclock(monkeypatch):
    """The command's clock: 09:00 UTC on the day the test data is built for (the world's
    users have no time zone yet: it is their morning, past DIGEST_HOUR), whatever the
    hour the tests run at."""
    moment = datetime.combine(today(), time(9))
    monkeypatch.setattr(reminders_cli, "utcnow", lambda: moment)
    return moment


def send(runner, *args: str):
    return runner.invoke(args=["reminders", "send", *args])


# --- reading messages -----------------------------------------------------------------------


def parts(message: EmailMessage) -> dict[str, str]:
    """The text/plain and text/html parts of the message's multipart/alternative part
    (with the line ends of SMTP, CRLF, read as LF)."""
    alternative = next(p for p in message.walk() if p.get_content_type() == "multipart/alternative")
    return {
        p.get_content_type(): p.get_content().replace("\r\n", "\n")
        for p in alternative.iter_parts()
    }


def text_of(message: EmailMessage) -> str:
    return parts(message)["text/plain"]


def linked_items(text: str) -> set[int]:
    return {int(item_id) for _, item_id in ITEM_LINK.findall(text)}


def only_message_to(smtp: Collector, address: str) -> EmailMessage:
    messages = smtp.to(address)
    assert len(messages) == 1, f"{len(messages)} messages to {address}"
    return messages[0]


# --- data -----------------------------------------------------------------------------------


def digest_items(project_id: int, party: Party | None = None, **assigned) -> set[int]:
    """The ids of the open items of a project overdue or due within 7 days, of ``party``;
    ``assignee_id=X`` (or None) narrows to one assignee."""
    query = sa.select(ChecklistItem.id).where(
        ChecklistItem.project_id == project_id,
        ChecklistItem.status.in_(OPEN_STATUSES),
        ChecklistItem.due_date <= today() + timedelta(days=7),
    )
    if party is not None:
        query = query.where(ChecklistItem.party == party)
    if "assignee_id" in assigned:
        query = query.where(ChecklistItem.assignee_id.is_(assigned["assignee_id"]))
    return set(db.session.scalars(query))


def set_due(item: ChecklistItem, days: int) -> None:
    item.due_date = today() + timedelta(days=days)


def user_by_email(address: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == address))


def deliveries() -> dict[str, ReminderDelivery]:
    rows = db.session.execute(
        sa.select(User.email, ReminderDelivery).join(User, ReminderDelivery.user_id == User.id)
    )
    return dict(rows.all())


# --- who gets what --------------------------------------------------------------------------


def test_each_user_with_items_gets_one_message_addressed_to_them(app, world, smtp, runner):
    result = send(runner)

    assert result.exit_code == 0, result.output
    expected = {World.CSM, World.PARTNER, World.CLIENT_A, World.CLIENT_B}  # the others: nothing
    assert sorted(r for received in smtp.received for r in received.recipients) == sorted(expected)
    for received in smtp.received:
        assert received.message["To"] == received.recipients[0]
        assert received.message["From"] == "tracker@example.test"


def test_message_is_multipart_alternative_of_text_and_html(app, world, smtp, runner):
    send(runner)

    message = only_message_to(smtp, World.CLIENT_A)
    alternative = next(p for p in message.walk() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]


def test_subject_counts_overdue_items_and_items_due_this_week(app, world, smtp, runner):
    with app.app_context():
        for item in factories.items_of(world.project_a):
            set_due(item, 30)
        items = [i for i in factories.items_of(world.project_a) if i.party is Party.CLIENT]
        for item, days in zip(items, (-5, -1, 0, 7, 8), strict=False):
            set_due(item, days)
        db.session.commit()

    send(runner)

    message = only_message_to(smtp, World.CLIENT_A)
    assert message["Subject"] == "Onboarding tracker: 2 overdue, 2 due this week"


def test_each_item_links_to_its_page_at_the_base_url(app, world, smtp, runner):
    send(runner)

    message = only_message_to(smtp, World.CLIENT_A)
    text, html = parts(message)["text/plain"], parts(message)["text/html"]
    with app.app_context():
        expected = digest_items(world.project_a, Party.CLIENT)
    assert expected
    assert linked_items(text) == expected
    for item_id in expected:
        assert f'href="{BASE_URL}/projects/{world.project_a}/items/{item_id}"' in html


def test_client_digest_has_only_their_company_client_items(app, world, smtp, runner):
    send(runner)

    text = text_of(only_message_to(smtp, World.CLIENT_A))
    with app.app_context():
        assert linked_items(text) == digest_items(world.project_a, Party.CLIENT)
    assert "Acme" in text
    assert "Globex" not in text


def test_csm_digest_groups_overdue_items_by_customer(app, world, smtp, runner):
    send(runner)

    text = text_of(only_message_to(smtp, World.CSM))
    overdue = text.split("overdue items\n", 1)[1].split("due in the next", 1)[0]
    lines = overdue.splitlines()
    assert lines.count("Acme Test") == 1
    assert lines.count("Globex Test") == 1
    acme, globex = overdue.split("\nGlobex Test\n")
    assert {int(p) for p, _ in ITEM_LINK.findall(acme)} == {world.project_a}
    assert {int(p) for p, _ in ITEM_LINK.findall(globex)} == {world.project_b}


def test_csm_digest_covers_every_party_of_the_projects_they_manage(app, world, smtp, runner):
    send(runner)

    text = text_of(only_message_to(smtp, World.CSM))
    with app.app_context():
        expected = digest_items(world.project_a) | digest_items(world.project_b)
    assert linked_items(text) == expected


def test_ims_digest_has_ims_items_assigned_to_them_or_to_nobody(app, world, smtp, runner):
    with app.app_context():
        other = factories.user("ims2@t.test", Role.IMS)
        ims_items = [i for i in factories.items_of(world.project_b) if i.party is Party.IMS]
        mine, nobodys, theirs = ims_items[:3]
        mine.assignee_id, theirs.assignee_id = world.ims, other.id
        for item in (mine, nobodys, theirs):
            set_due(item, -2)
        db.session.commit()
        expected = digest_items(world.project_b, Party.IMS) - {theirs.id}
        assert {mine.id, nobodys.id} <= expected

    send(runner)

    assert linked_items(text_of(only_message_to(smtp, World.IMS))) == expected


def test_partner_digest_has_their_party_items_on_their_projects(app, world, smtp, runner):
    send(runner)

    text = text_of(only_message_to(smtp, World.PARTNER))
    with app.app_context():
        assert linked_items(text) == digest_items(world.project_b, Party.PARTNER)
    assert smtp.to(World.OTHER_PARTNER) == []


def test_admin_digest_has_only_items_assigned_to_them(app, world, smtp, runner):
    with app.app_context():
        item = factories.item_of(world.project_a, "welcome_customer", Party.INFOR)
        item.assignee_id = world.admin
        set_due(item, 3)
        db.session.commit()
        item_id = item.id

    send(runner)

    assert linked_items(text_of(only_message_to(smtp, World.ADMIN))) == {item_id}


def test_french_user_gets_the_digest_in_french(app, world, smtp, runner):
    with app.app_context():
        user_by_email(World.CLIENT_A).language = "fr"
        db.session.commit()

    send(runner)

    message = only_message_to(smtp, World.CLIENT_A)
    assert message["Subject"].startswith("Suivi d\u2019onboarding\u00a0:")
    assert "en retard" in message["Subject"]
    text, html = parts(message)["text/plain"], parts(message)["text/html"]
    assert text.startswith("Bonjour Client,")
    assert "Bonjour" in html
    assert '<html lang="fr">' in html


def test_english_user_gets_the_digest_in_english(app, world, smtp, runner):
    send(runner)

    text = text_of(only_message_to(smtp, World.CLIENT_B))
    assert text.startswith("Hello Client,")
    assert "Bonjour" not in text


# --- what is left out ------------------------------------------------------------------------


def test_user_with_nothing_due_gets_no_message_and_an_empty_record(app, world, smtp, runner):
    send(runner)

    assert smtp.to(World.OTHER_CSM) == []
    with app.app_context():
        assert deliveries()[World.OTHER_CSM].status == "empty"


def test_user_who_turned_the_digest_off_gets_nothing(app, world, smtp, runner):
    with app.app_context():
        user_by_email(World.CLIENT_A).digest_enabled = False
        db.session.commit()

    send(runner)

    assert smtp.to(World.CLIENT_A) == []
    with app.app_context():
        assert World.CLIENT_A not in deliveries()


def test_deactivated_user_gets_nothing(app, world, smtp, runner):
    with app.app_context():
        user_by_email(World.CLIENT_A).active = False
        db.session.commit()

    send(runner)

    assert smtp.to(World.CLIENT_A) == []


def test_items_of_archived_projects_are_left_out(app, world, smtp, runner):
    with app.app_context():
        csm = db.session.get(User, world.csm)
        archive_project(db.session.get(Project, world.project_a), actor=csm)
        db.session.commit()

    send(runner)

    assert smtp.to(World.CLIENT_A) == []
    text = text_of(only_message_to(smtp, World.CSM))
    assert {int(p) for p, _ in ITEM_LINK.findall(text)} == {world.project_b}
    assert "Acme" not in text


def test_done_items_are_left_out(app, world, smtp, runner):
    with app.app_context():
        items = [i for i in factories.items_of(world.project_a) if i.party is Party.CLIENT]
        for item in items:
            item.status = Status.DONE
        db.session.commit()

    send(runner)

    assert smtp.to(World.CLIENT_A) == []


# --- once a day, whatever happens -------------------------------------------------------------


def test_second_run_the_same_day_sends_nothing(app, world, smtp, runner):
    send(runner)
    first = len(smtp.received)

    result = send(runner)

    assert result.exit_code == 0, result.output
    assert len(smtp.received) == first
    assert "0 sent, 0 empty, 8 skipped, 0 failed" in result.output


def test_each_delivery_is_recorded_with_its_counts_and_time(app, world, smtp, runner):
    result = send(runner)

    assert "4 sent, 4 empty, 0 skipped, 0 failed" in result.output
    subject = only_message_to(smtp, World.CLIENT_A)["Subject"]
    with app.app_context():
        delivery = deliveries()[World.CLIENT_A]
    assert delivery.status == "sent"
    assert delivery.day == today()
    assert delivery.sent_at is not None and delivery.sent_at >= delivery.created_at
    assert subject == (
        f"Onboarding tracker: {delivery.overdue_count} overdue, "
        f"{delivery.due_soon_count} due this week"
    )


def test_another_day_sends_again(app, world, smtp, runner):
    send(runner)
    first = len(smtp.received)

    result = send(runner, "--day", (today() + timedelta(days=1)).isoformat())

    assert result.exit_code == 0, result.output
    assert len(smtp.received) == 2 * first


class Crash(BaseException):
    """The process dying (killed, out of memory) in the middle of a run."""


def test_run_stopped_after_handing_a_message_over_does_not_send_it_again(
    app, world, smtp, runner, monkeypatch
):
    real_send = Connection.send

    def send_then_die_at_second(connection, message, *args, **kwargs):
        real_send(connection, message, *args, **kwargs)
        if len(smtp.received) == 2:
            raise Crash

    monkeypatch.setattr(Connection, "send", send_then_die_at_second)
    with pytest.raises(Crash):
        runner.invoke(args=["reminders", "send"], catch_exceptions=False)
    monkeypatch.setattr(Connection, "send", real_send)
    second = smtp.received[1].recipients[0]

    result = send(runner)

    assert result.exit_code == 0, result.output
    recipients = [r for received in smtp.received for r in received.recipients]
    assert sorted(recipients) == sorted({World.CSM, World.PARTNER, World.CLIENT_A, World.CLIENT_B})
    assert f"uncertain: {second}" in result.output
    with app.app_context():
        assert deliveries()[second].status == "sending"


def test_refused_message_is_recorded_failed_and_the_run_exits_1(app, world, smtp, runner):
    smtp.refuse.add(World.CLIENT_A)

    result = send(runner)

    assert result.exit_code == 1
    assert "3 sent, 4 empty, 0 skipped, 1 failed" in result.output
    assert f"failed: {World.CLIENT_A}: SMTPRecipientsRefused" in result.output
    assert len(smtp.to(World.CLIENT_B)) == 1
    with app.app_context():
        delivery = deliveries()[World.CLIENT_A]
    assert delivery.status == "failed"
    assert "Mailbox unavailable" in delivery.error


def test_failed_digest_is_sent_again_only_when_asked(app, world, smtp, runner):
    smtp.refuse.add(World.CLIENT_A)
    send(runner)
    smtp.refuse.clear()

    send(runner)
    assert smtp.to(World.CLIENT_A) == []

    result = send(runner, "--retry-failed")

    assert result.exit_code == 0, result.output
    assert "1 sent, 0 empty, 7 skipped, 0 failed" in result.output
    assert len(smtp.to(World.CLIENT_A)) == 1
    with app.app_context():
        assert deliveries()[World.CLIENT_A].status == "sent"


def test_unreachable_mail_server_fails_every_message(app, world, smtp, runner, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())

    result = send(runner)

    assert result.exit_code == 1
    assert "0 sent, 4 empty, 0 skipped, 4 failed" in result.output
    with app.app_context():
        assert {d.status for d in deliveries().values()} == {"failed", "empty"}


def test_dry_run_prints_what_would_be_sent_and_sends_and_records_nothing(app, world, smtp, runner):
    result = send(runner, "--dry-run")

    assert result.exit_code == 0, result.output
    assert f"would send to {World.CLIENT_A}: Onboarding tracker: " in result.output
    assert (
        "4 to send, 4 empty, 0 skipped, 0 waiting (before 08:00 their time); nothing was sent "
        "or recorded" in result.output
    )
    assert smtp.received == []
    with app.app_context():
        assert deliveries() == {}


def test_malformed_base_url_is_refused_before_anything_is_sent(
    app, world, smtp, runner, monkeypatch
):
    monkeypatch.setitem(app.config, "BASE_URL", "tracker.example.test")

    result = send(runner)

    assert result.exit_code == 1
    assert "BASE_URL must be the tracker's address" in result.output
    assert smtp.received == []


def test_missing_sender_address_is_refused_before_anything_is_sent(
    app, world, smtp, runner, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", None)

    result = send(runner)

    assert result.exit_code == 1
    assert "MAIL_DEFAULT_SENDER must be set" in result.output
    assert smtp.received == []
    with app.app_context():
        assert deliveries() == {}


# --- in each recipient's morning, in their time zone -------------------------------------------

# Every open item is due on 10 December 2026 (a fixed clock: the real one decides nothing).
DUE = date(2026, 12, 10)
ZONES = {
    World.CSM: "Pacific/Kiritimati",  # UTC+14: its 08:00 is 18:00 UTC the day before
    World.CLIENT_A: "Europe/Paris",  # UTC+1 in December: 07:00 UTC
    World.CLIENT_B: "America/New_York",  # UTC-5: 13:00 UTC
    World.PARTNER: "Pacific/Pago_Pago",  # UTC-11: 19:00 UTC, across the date line from the CSM
}


@pytest.fixture
def zoned(app, world):
    """The four users with items, each in a zone of ZONES; every open item due on DUE."""
    with app.app_context():
        db.session.execute(sa.update(ChecklistItem).values(due_date=DUE))
        for address, zone in ZONES.items():
            user_by_email(address).time_zone = zone
        db.session.commit()
    return world


@pytest.fixture
def at(app):
    """at(moment): a run of the hourly command's service with the clock at ``moment``
    (naive UTC)."""

    def run(moment: datetime, **options):
        with app.app_context(), recorded_at(moment):
            return send_reminders(**options)

    return run


def hours(first: datetime, last: datetime):
    moment = first
    while moment <= last:
        yield moment
        moment += timedelta(hours=1)


def test_run_every_hour_each_user_gets_one_digest_a_day_at_eight_their_time(app, zoned, smtp, at):
    sent: dict[str, list[datetime]] = {}
    for moment in hours(datetime(2026, 12, 9, 0, 0), datetime(2026, 12, 11, 23, 0)):
        for address in at(moment).sent:
            if address in ZONES:  # the others (in UTC) get theirs at 08:00 UTC
                sent.setdefault(address, []).append(moment)

    # The first run catches up the users already past 08:00 (their date then); after it,
    # each digest goes out in the hour their local time reaches 08:00, one per local day.
    assert sent == {
        World.CSM: [
            datetime(2026, 12, 9, 0, 0),  # 14:00 on the 9th in Kiritimati
            datetime(2026, 12, 9, 18, 0),
            datetime(2026, 12, 10, 18, 0),
            datetime(2026, 12, 11, 18, 0),
        ],
        World.CLIENT_A: [
            datetime(2026, 12, 9, 7, 0),
            datetime(2026, 12, 10, 7, 0),
            datetime(2026, 12, 11, 7, 0),
        ],
        World.CLIENT_B: [
            datetime(2026, 12, 9, 0, 0),  # 19:00 on the 8th in New York
            datetime(2026, 12, 9, 13, 0),
            datetime(2026, 12, 10, 13, 0),
            datetime(2026, 12, 11, 13, 0),
        ],
        World.PARTNER: [
            datetime(2026, 12, 9, 0, 0),  # 13:00 on the 8th in Pago Pago
            datetime(2026, 12, 9, 19, 0),
            datetime(2026, 12, 10, 19, 0),
            datetime(2026, 12, 11, 19, 0),
        ],
    }
    with app.app_context():
        days = db.session.execute(
            sa.select(User.email, ReminderDelivery.day, ReminderDelivery.created_at)
            .join(User, ReminderDelivery.user_id == User.id)
            .where(User.email.in_(ZONES))
            .order_by(User.email, ReminderDelivery.day)
        ).all()
    # Each recorded for the recipient's own date, at the moment it was sent.
    assert [(address, day) for address, day, _ in days if address == World.CSM] == [
        (World.CSM, date(2026, 12, d)) for d in (9, 10, 11, 12)
    ]
    assert [(address, day) for address, day, _ in days if address == World.PARTNER] == [
        (World.PARTNER, date(2026, 12, d)) for d in (8, 9, 10, 11)
    ]
    assert all(created in sent[address] for address, _, created in days)


def test_across_the_date_line_two_users_get_the_digests_of_two_dates_an_hour_apart(
    app, zoned, smtp, at
):
    for address in (World.CSM, World.PARTNER):  # their earlier digests, out of the way
        with app.app_context():
            for day in (date(2026, 12, 9), date(2026, 12, 10)):
                db.session.add(
                    ReminderDelivery(
                        user_id=user_by_email(address).id,
                        day=day,
                        status="sent",
                        overdue_count=0,
                        due_soon_count=1,
                    )
                )
            db.session.commit()
    smtp.received.clear()

    # 18:30 UTC on the 10th: 08:30 on the 11th in Kiritimati, 07:30 on the 10th in Pago Pago.
    first = at(datetime(2026, 12, 10, 18, 30))
    assert World.CSM in first.sent and World.PARTNER in first.waiting
    # An hour later, 08:30 on the 10th in Pago Pago: the PARTNER's digest of the 10th had been
    # sent already (above); that of the 11th waits for the next morning there.
    second = at(datetime(2026, 12, 10, 19, 30))
    assert World.PARTNER in second.skipped and World.CSM in second.skipped

    csm_text = text_of(only_message_to(smtp, World.CSM))
    assert "as of December 11, 2026." in csm_text
    assert "overdue items\n" in csm_text  # due on the 10th: overdue on the CSM's 11th


def test_a_second_run_within_the_hour_and_later_that_day_sends_nothing_more(app, zoned, smtp, at):
    assert World.CLIENT_A in at(datetime(2026, 12, 10, 7, 5)).sent  # 08:05 in Paris
    again = at(datetime(2026, 12, 10, 7, 40))
    assert again.sent == [] and World.CLIENT_A in again.skipped
    later = at(datetime(2026, 12, 10, 22, 0))  # 23:00 in Paris: still the 10th there
    assert World.CLIENT_A in later.skipped
    assert len(smtp.to(World.CLIENT_A)) == 1


def test_before_eight_their_time_users_wait(app, zoned, smtp, at):
    result = at(datetime(2026, 12, 10, 6, 59))  # 07:59 in Paris
    assert World.CLIENT_A in result.waiting
    assert smtp.to(World.CLIENT_A) == []
    with app.app_context():
        assert World.CLIENT_A not in deliveries()


def test_a_user_without_a_time_zone_gets_theirs_at_eight_utc(app, world, smtp, at):
    with app.app_context():
        db.session.execute(sa.update(ChecklistItem).values(due_date=DUE))
        db.session.commit()

    assert World.CLIENT_A in at(datetime(2026, 12, 10, 7, 59)).waiting
    assert World.CLIENT_A in at(datetime(2026, 12, 10, 8, 0)).sent


def test_the_hour_is_a_setting(app, zoned, smtp, monkeypatch, at):
    monkeypatch.setitem(app.config, "DIGEST_HOUR", 6)
    assert World.CLIENT_A in at(datetime(2026, 12, 10, 5, 0)).sent  # 06:00 in Paris


def test_the_digest_names_the_recipients_time_zone(app, zoned, smtp, at):
    at(datetime(2026, 12, 10, 7, 0))

    message = only_message_to(smtp, World.CLIENT_A)
    assert "as of December 10, 2026." in text_of(message)
    for part in parts(message).values():
        assert "in the morning of your time zone, Europe/Paris" in part


def test_the_command_sends_by_the_clock_and_says_who_waits(app, zoned, smtp, runner, monkeypatch):
    monkeypatch.setattr(reminders_cli, "utcnow", lambda: datetime(2026, 12, 10, 13, 0))

    result = send(runner)

    assert result.exit_code == 0, result.output
    # 13:00 UTC: past 08:00 in Paris, New York, and UTC (the IMS consultant, who has no
    # zone); 03:00 on the 11th in Kiritimati and 02:00 in Pago Pago: those two wait. The
    # other three users, in UTC, have nothing: an "empty" record.
    assert sorted(r for received in smtp.received for r in received.recipients) == sorted(
        [World.CLIENT_A, World.CLIENT_B, World.IMS]
    )
    assert result.output.strip().splitlines()[-1] == (
        "Reminders at 2026-12-10 13:00 UTC: 3 sent, 3 empty, 0 skipped, 0 failed, "
        "2 waiting (before 08:00 their time)."
    )


def test_the_command_given_a_day_sends_everyone_that_days_digest_whatever_the_hour(
    app, zoned, smtp, runner, monkeypatch
):
    monkeypatch.setattr(reminders_cli, "utcnow", lambda: datetime(2026, 12, 10, 2, 0))

    result = send(runner, "--day", "2026-12-09")

    assert "Reminders for 2026-12-09: 5 sent, 3 empty, 0 skipped, 0 failed." in result.output
    with app.app_context():
        assert {d.day for d in deliveries().values()} == {date(2026, 12, 9)}
