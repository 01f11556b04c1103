"""The outbox (tracker/outbox): e-mails queued in the transaction of the change that causes
them, delivered once by `flask outbox deliver` / `flask outbox work`, retried, never twice."""

from __future__ import annotations

import email
import threading
from datetime import datetime, timedelta
from email.policy import default as default_policy
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from tests.helpers import deliver_outbox
from tests.smtp import free_port
from tracker import outbox
from tracker.extensions import db
from tracker.mailer import MailConnection
from tracker.models import OutboxMessage

NOW = datetime(2026, 12, 10, 9, 0)


def queue(to: str = "ada@client.test", subject: str = "Hello", **more) -> int:
    message = outbox.enqueue_mail(
        to=to, subject=subject, text="Plain body", html="<p>HTML body</p>", kind="test", **more
    )
    db.session.commit()
    return message.id


def state_of(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_deliver_sends_a_queued_message_through_the_mail_server(ctx, smtp, runner):
    queue(subject="Your invitation")

    result = runner.invoke(args=["outbox", "deliver"])

    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    [received] = smtp.received
    assert received.recipients == ["ada@client.test"]
    assert received.message["Subject"] == "Your invitation"
    assert received.message["Auto-Submitted"] == "auto-generated"
    kinds = {part.get_content_type() for part in received.message.walk()}
    assert {"text/plain", "text/html"} <= kinds


def test_a_sent_message_is_not_sent_again(ctx, smtp, runner):
    message_id = queue()
    runner.invoke(args=["outbox", "deliver"])

    result = runner.invoke(args=["outbox", "deliver"])

    assert len(smtp.received) == 1
    assert "0 sent" in result.output
    assert state_of(message_id).state == outbox.SENT


def test_a_message_of_a_rolled_back_change_is_never_sent(ctx):
    outbox.enqueue_mail(to="ada@client.test", subject="S", text="T", kind="test")
    db.session.rollback()

    assert deliver_outbox(NOW) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_message_waits_until_it_is_available(ctx):
    queue(available_at=NOW + timedelta(minutes=10))

    assert deliver_outbox(NOW) == []
    assert len(deliver_outbox(NOW + timedelta(minutes=10))) == 1


def test_a_refused_message_is_retried_later_with_a_growing_delay(ctx, smtp):
    smtp.refuse.add("ada@client.test")
    message_id = queue()

    outbox.deliver(now=NOW)

    row = state_of(message_id)
    assert (row.state, row.attempts, row.available_at) == ("pending", 1, NOW + timedelta(minutes=1))
    assert "550" in row.last_error
    outbox.deliver(now=NOW + timedelta(minutes=1))
    assert state_of(message_id).available_at == NOW + timedelta(minutes=1 + 5)


def test_a_message_refused_every_time_fails_for_good_and_the_command_says_so(ctx, smtp, runner):
    smtp.refuse.add("ada@client.test")
    message_id = queue()
    moment = NOW
    for minutes in (0, *outbox.DEFAULT_RETRY_MINUTES[:-1]):
        moment += timedelta(minutes=minutes)
        outbox.deliver(now=moment)
    assert state_of(message_id).state == outbox.PENDING
    db.session.execute(sa.update(OutboxMessage).values(available_at=datetime(2000, 1, 1)))
    db.session.commit()

    result = runner.invoke(args=["outbox", "deliver"])

    assert result.exit_code == 1
    assert f"failed: message {message_id}" in result.output
    assert state_of(message_id).state == outbox.FAILED
    assert smtp.received == []


def test_retry_sends_a_failed_message_again(ctx, smtp, runner):
    message_id = queue()
    db.session.execute(sa.update(OutboxMessage).values(state=outbox.FAILED, attempts=6))
    db.session.commit()

    result = runner.invoke(args=["outbox", "retry", str(message_id)])
    runner.invoke(args=["outbox", "deliver"])

    assert "1 message(s) will be sent again" in result.output
    assert len(smtp.received) == 1


def test_a_message_left_sending_by_a_stopped_deliverer_is_uncertain_and_not_sent(ctx, smtp, runner):
    message_id = queue()
    db.session.execute(
        sa.update(OutboxMessage).values(
            state=outbox.SENDING, claimed_by="gone:1:x", claimed_at=NOW - timedelta(hours=1)
        )
    )
    db.session.commit()

    outbox.deliver(now=NOW)

    assert state_of(message_id).state == outbox.UNCERTAIN
    assert smtp.received == []


def test_an_uncertain_message_is_sent_again_only_when_asked(ctx, smtp, runner):
    message_id = queue()
    db.session.execute(sa.update(OutboxMessage).values(state=outbox.UNCERTAIN))
    db.session.commit()

    plain = runner.invoke(args=["outbox", "retry"])
    asked = runner.invoke(args=["outbox", "retry", "--uncertain"])
    runner.invoke(args=["outbox", "deliver"])

    assert "0 message(s)" in plain.output
    assert "1 message(s)" in asked.output
    assert state_of(message_id).state == outbox.SENT


def test_an_unreachable_mail_server_leaves_the_message_to_retry(ctx, smtp, monkeypatch, app):
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    message_id = queue()

    result = outbox.deliver(now=NOW)

    assert [m for m, _ in result.retrying] == [message_id]
    assert state_of(message_id).state == outbox.PENDING


def test_producers_run_first_and_their_messages_go_in_the_same_delivery(ctx, monkeypatch):
    monkeypatch.setattr(outbox, "_producers", [])

    def produce(now):
        outbox.enqueue_mail(to="bob@client.test", subject=f"At {now:%H:%M}", text="T", kind="t")
        db.session.commit()
        return 1

    outbox.register_producer(produce)

    [sent] = deliver_outbox(NOW)
    assert sent.subject == "At 09:00"


def test_what_producers_queue_goes_in_the_same_delivery_on_the_real_clock(ctx, monkeypatch):
    monkeypatch.setattr(outbox, "_producers", [])

    def produce(now):
        outbox.enqueue_mail(to="bob@client.test", subject="Produced", text="T", kind="t")
        db.session.commit()
        return 1

    outbox.register_producer(produce)

    assert [m.subject for m in deliver_outbox()] == ["Produced"]


def test_status_counts_messages_by_state(ctx, runner):
    queue()
    queue()

    result = runner.invoke(args=["outbox", "status"])

    assert "pending    2" in result.output
    assert "sent       0" in result.output


def test_in_development_without_a_mail_server_messages_are_written_to_instance_mail(
    ctx, app, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "files")
    monkeypatch.setitem(app.config, "MAIL_SUPPRESS_SEND", False)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    queue(to="ada@client.test", subject="Written down")

    outbox.deliver(now=NOW)

    [path] = (Path(tmp_path) / "mail").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert message["Subject"] == "Written down"
    assert message["To"] == "ada@client.test"


def test_concurrent_deliverers_send_each_message_exactly_once(committing_app):
    workers = 2
    app = committing_app
    with app.app_context():
        db.session.execute(sa.delete(OutboxMessage))
        for number in range(120):
            outbox.enqueue_mail(
                to=f"u{number}@client.test", subject=str(number), text="T", kind="t"
            )
        db.session.commit()
    sent: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(workers)

    def record(sender, message, **_):
        with lock:
            sent.append(message.subject)

    def work():
        with app.app_context():
            start.wait()
            outbox.deliver(now=NOW, batch=5)
            db.session.remove()

    from flask_mail import email_dispatched

    email_dispatched.connect(record)
    try:
        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        email_dispatched.disconnect(record)
    with app.app_context():
        states = set(db.session.scalars(sa.select(OutboxMessage.state)))
        db.session.execute(sa.delete(OutboxMessage))
        db.session.commit()
    assert sorted(sent, key=int) == [str(n) for n in range(120)]
    assert states == {outbox.SENT}


def test_a_claim_another_deliverer_found_stale_is_not_sent_by_its_first_owner(ctx, smtp):
    """A deliverer that stalls past OUTBOX_CLAIM_MINUTES loses its claim: the message is
    uncertain, sent again on purpose by another deliverer, and never by the first one."""
    message_id = queue()
    [row] = outbox._claim(NOW, "stalled", 5, NOW)
    outbox._mark_stale(NOW + timedelta(minutes=16), 15)
    outbox.retry([message_id], states=(outbox.UNCERTAIN,))
    outbox.deliver(now=NOW + timedelta(minutes=16))
    result = outbox.DeliveryResult()

    outbox._send_one(current_app, MailConnection(current_app), row, "stalled", NOW, (1,), result)

    assert len(smtp.received) == 1
    assert result.sent == []
