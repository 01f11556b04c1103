"""The outbox: every e-mail the tracker sends is first a row of ``outbox_messages``,
written in the same transaction as the change that causes it, then delivered.

- ``enqueue_mail`` adds the row to the session; the caller's transaction commits it (or,
  if the change is refused, rolls it back with it: no e-mail about something that did not
  happen).
- ``deliver`` (``flask outbox deliver``, once, for cron; ``flask outbox work``, over and
  over) first runs the producers (functions that turn what happened into e-mails, such as
  the batched notifications: ``register_producer``), then claims pending messages and sends
  them, one at a time.

Nothing is sent twice. A deliverer claims a batch (state ``sending``, its own
``claimed_by``) and commits the claim *before* handing any message to the mail server;
claiming updates only rows still ``pending`` (and, on PostgreSQL, skips rows another
deliverer has locked), so several deliverers may run at once. A message the mail server
refused is retried later with a growing delay (OUTBOX_RETRY_MINUTES), then marked ``failed``
and reported; a message left ``sending`` by a deliverer that stopped (after
OUTBOX_CLAIM_MINUTES) is marked ``uncertain``, reported, and never sent again by itself: a
missed e-mail is better than a double one. ``flask outbox retry`` sends such messages again
on purpose.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from flask_mail import Message

from tracker.boundary import unit_of_work
from tracker.extensions import db
from tracker.mailer import MailConnection
from tracker.models import OutboxMessage
from tracker.models.outbox import FAILED, PENDING, SENDING, SENT, STATES, UNCERTAIN
from tracker.outbox.queries import claimed_by, due_ids, stale_ids, state_counts
from tracker.timeutil import utcnow

log = logging.getLogger(__name__)


# The delay before each new attempt after a refusal, in minutes; after the last, "failed".
DEFAULT_RETRY_MINUTES = (1, 5, 30, 120, 720)

Producer = Callable[[datetime], int]
_producers: list[Producer] = []


def register_producer(producer: Producer) -> Producer:
    """Have ``producer(now)`` run at the start of every delivery: it enqueues what is due
    (``enqueue_mail``), commits its own work and returns how many messages it enqueued."""
    if producer not in _producers:
        _producers.append(producer)
    return producer


def enqueue_mail(
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    kind: str,
    available_at: datetime | None = None,
) -> OutboxMessage:
    """Queue one e-mail to ``to`` in the current transaction (not committed here). The
    subject and bodies are final: render them in the recipient's language first."""
    message = OutboxMessage(
        kind=kind,
        recipient=to,
        subject=" ".join(subject.split())[:255],  # one line: a header
        text=text,
        html=html,
        state=PENDING,
        available_at=available_at or utcnow(),
    )
    db.session.add(message)
    return message


@dataclass
class DeliveryResult:
    produced: int = 0
    sent: list[int] = field(default_factory=list)
    retrying: list[tuple[int, str]] = field(default_factory=list)  # (id, error)
    failed: list[tuple[int, str]] = field(default_factory=list)  # given up: (id, error)
    uncertain: list[int] = field(default_factory=list)  # found stale in "sending"

    def summary(self) -> str:
        parts = [f"{len(self.sent)} sent"]
        if self.retrying:
            parts.append(f"{len(self.retrying)} to retry")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.uncertain:
            parts.append(f"{len(self.uncertain)} uncertain")
        return "Outbox: " + ", ".join(parts) + "."


def _retry_minutes(app: Flask) -> tuple[int, ...]:
    return tuple(app.config.get("OUTBOX_RETRY_MINUTES") or DEFAULT_RETRY_MINUTES)


def _deliverer_name() -> str:
    # Names the claim in the table (who holds a "sending" row); its uniqueness, not its
    # value, is what matters.
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _mark_stale(now: datetime, minutes: int) -> list[int]:
    """Messages left "sending" for longer than a delivery can take: "uncertain"."""
    with unit_of_work():
        ids = list(db.session.scalars(stale_ids(now - timedelta(minutes=minutes))))
        if ids:
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.state == SENDING)
                .values(state=UNCERTAIN)
            )
    for message_id in ids:
        log.warning("outbox message %s was left sending: uncertain, not sent again", message_id)
    return ids


def _claim(now: datetime, name: str, batch: int, at: datetime) -> list[OutboxMessage]:
    """Claim up to ``batch`` messages due at ``now`` for this deliverer, dated ``at``, and
    commit the claim."""
    with unit_of_work():
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(due_ids(now, batch).scalar_subquery()),
                OutboxMessage.state == PENDING,  # another deliverer did not take it first
            )
            .values(state=SENDING, claimed_by=name, claimed_at=at)
            .execution_options(synchronize_session=False)
        )
    return list(db.session.scalars(claimed_by(name)))


def _mail_message(app: Flask, row: OutboxMessage) -> Message:
    return Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.text,
        html=row.html,
        sender=app.config["MAIL_DEFAULT_SENDER"],
        # RFC 3834: an automatic message, so that out-of-office replies are not sent back.
        extra_headers={"Auto-Submitted": "auto-generated"},
    )


def deliver(
    *, now: datetime | None = None, batch: int = 50, limit: int | None = None
) -> DeliveryResult:
    """Run the producers, then send every message due at ``now`` (naive UTC), ``batch`` at
    a time, until none is left (or ``limit`` were tried). Commits as it goes."""
    app = current_app._get_current_object()
    given = now
    now = now or utcnow()
    result = DeliveryResult()
    for producer in list(_producers):
        result.produced += producer(now)
    # What the producers just queued is due in this delivery too (on the real clock, it was
    # queued after ``now``); claims are dated when made, not when the run began, so that a
    # long run's later claims never look stale to another deliverer.
    now = given or utcnow()

    def clock() -> datetime:
        return given or utcnow()

    result.uncertain = _mark_stale(now, int(app.config.get("OUTBOX_CLAIM_MINUTES", 15)))
    retry_minutes = _retry_minutes(app)
    name = _deliverer_name()
    connection = MailConnection(app)
    tried = 0
    try:
        while limit is None or tried < limit:
            rows = _claim(now, name, batch if limit is None else min(batch, limit - tried), clock())
            if not rows:
                break
            for row in rows:
                tried += 1
                _send_one(app, connection, row, name, clock(), retry_minutes, result)
    finally:
        connection.close()
    return result


def _send_one(app, connection, row, name, now, retry_minutes, result) -> None:
    """Send ``row`` if it is still this deliverer's: a claim another deliverer found stale
    (now uncertain, or sent again on purpose) is not sent a second time."""
    with unit_of_work():
        still_ours = db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id == row.id,
                OutboxMessage.state == SENDING,
                OutboxMessage.claimed_by == name,
            )
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    if not still_ours:
        log.warning("outbox message %s is no longer this deliverer's: not sent", row.id)
        return
    with unit_of_work():
        _try_sending(app, connection, row, now, retry_minutes, result)


def _try_sending(app, connection, row, now, retry_minutes, result) -> None:
    try:
        connection.send(_mail_message(app, row))
    except Exception as error:
        description = f"{type(error).__name__}: {error}"[:1000]
        row.attempts += 1
        row.last_error = description
        row.claimed_by = None
        if row.attempts > len(retry_minutes):
            row.state = FAILED
            result.failed.append((row.id, description))
            log.error(
                "outbox message %s to %s failed for good: %s", row.id, row.recipient, description
            )
        else:
            row.state = PENDING
            row.available_at = now + timedelta(minutes=retry_minutes[row.attempts - 1])
            result.retrying.append((row.id, description))
            log.warning(
                "outbox message %s to %s will be retried: %s", row.id, row.recipient, description
            )
    else:
        row.attempts += 1
        row.state = SENT
        row.sent_at = utcnow()
        result.sent.append(row.id)


def counts() -> dict[str, int]:
    """How many messages are in each state."""
    found = dict(db.session.execute(state_counts()).all())
    return {state: found.get(state, 0) for state in STATES}


def retry(ids: list[int] | None = None, *, states: tuple[str, ...] = (FAILED,)) -> int:
    """Send again, on purpose, the given messages (or every one in ``states``): they
    become pending now, with their attempts reset. Returns how many."""
    condition = OutboxMessage.state.in_(states)
    if ids:
        condition = sa.and_(condition, OutboxMessage.id.in_(ids))
    changed = db.session.execute(
        sa.update(OutboxMessage)
        .where(condition)
        .values(state=PENDING, attempts=0, available_at=utcnow(), claimed_by=None)
    ).rowcount
    return changed or 0
