from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.checklist import ChecklistItem
from tracker.models.organisation import Organisation
from tracker.models.user import User
from tracker.timeutil import utcnow

# What happened, as Notification.kind.
ASSIGNED, COMMENT, MENTION, STATUS, DUE_DATE = (
    "assigned",
    "comment",
    "mention",
    "status",
    "due_date",
)
# Not about an item: someone accepted an invitation of the recipient's (``organisation_id``
# is the organisation they joined; payload: their name and e-mail).
INVITATION_ACCEPTED = "invitation_accepted"
KINDS = (ASSIGNED, COMMENT, MENTION, STATUS, DUE_DATE, INVITATION_ACCEPTED)

# Notification.email: waiting for the batched e-mail (``pending``), in one (``sent``), for
# the daily digest only (``digest``), or never to be e-mailed (``off``: the recipient's
# choice at the time, or they could no longer see the item when the e-mail was made).
EMAIL_PENDING, EMAIL_SENT, EMAIL_DIGEST, EMAIL_OFF = "pending", "sent", "digest", "off"

# User.notification_email: the recipient's choice on My account.
AT_ONCE, DIGEST_ONLY, OFF = "at_once", "digest", "off"
EMAIL_CHOICES = (AT_ONCE, DIGEST_ONLY, OFF)


class Notification(db.Model):
    """One thing that happened to an item, for one person (tracker/notifications).

    What is shown is kept as data (``kind``, ``payload``: the old and new values, the
    comment's start), so that each reader reads it in their own language."""

    __tablename__ = "notifications"
    __table_args__ = (
        # A user's notifications, newest first, and their unread count.
        sa.Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
        sa.Index(
            "ix_notifications_unread",
            "recipient_id",
            sqlite_where=sa.text("read_at IS NULL"),
            postgresql_where=sa.text("read_at IS NULL"),
        ),
        # The batched e-mails: the recipients with notifications waiting for one.
        sa.Index(
            "ix_notifications_email_pending",
            "recipient_id",
            sqlite_where=sa.text("email = 'pending'"),
            postgresql_where=sa.text("email = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    # The item (and its project) it is about; None for an invitation accepted, which is
    # about an organisation instead.
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id"))
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("checklist_items.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    email: Mapped[str] = mapped_column(sa.String(10), default=EMAIL_PENDING)

    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    item: Mapped[ChecklistItem | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} to {self.recipient_id}>"


class Watch(db.Model):
    """A person's choice to hear about an item (``watching``), or not to (False: an
    assignee or the project's CSM, who watch by default, turned it off)."""

    __tablename__ = "watches"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("checklist_items.id"), primary_key=True, index=True
    )
    watching: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
