from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.timeutil import utcnow


class ReminderDelivery(db.Model):
    """One user's digest for one day. The row is written (status "sending") before the
    message is handed to the mail server, so a second run the same day, or a run resuming
    after a crash, never sends it twice."""

    __tablename__ = "reminder_deliveries"
    __table_args__ = (sa.UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    day: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(10))  # sending, sent, failed, empty
    overdue_count: Mapped[int] = mapped_column(default=0)
    due_soon_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
