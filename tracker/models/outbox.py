from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.timeutil import utcnow

PENDING, SENDING, SENT, FAILED, UNCERTAIN = "pending", "sending", "sent", "failed", "uncertain"
STATES = (PENDING, SENDING, SENT, FAILED, UNCERTAIN)


class OutboxMessage(db.Model):
    """One e-mail to send, written in the same transaction as the change that causes it
    (tracker/outbox): if the change is rolled back, no e-mail; if it is committed, the
    e-mail is on its way, delivered by ``flask outbox deliver`` or ``flask outbox work``.

    state: ``pending`` (waiting, from ``available_at``), ``sending`` (claimed by a
    deliverer, ``claimed_by``, before it is handed to the mail server), ``sent``, ``failed``
    (given up after OUTBOX_MAX_ATTEMPTS) or ``uncertain`` (a deliverer stopped while sending
    it: it may or may not have gone, and is never sent again by itself).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_state_available_at", "state", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(255))
    text: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} to {self.recipient} {self.state}>"
