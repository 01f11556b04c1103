"""Go-live readiness: the client's approvers, the CSM's waivers of blocking items, and the
client's sign-off (with their rating of the onboarding)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.checklist import ChecklistItem
from tracker.models.user import User
from tracker.timeutil import utcnow


class GoLiveApprover(db.Model):
    """A client user of the project's customer whom the CSM designated to sign go-live off
    (the customer's leads may sign off without being designated)."""

    __tablename__ = "go_live_approvers"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    designated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    designated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class GoLiveWaiver(db.Model):
    """The CSM's decision that an open blocking item does not hold go-live back, and why."""

    __tablename__ = "go_live_waivers"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_items.id"), unique=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    waived_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    waived_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[ChecklistItem] = relationship()
    waived_by: Mapped[User | None] = relationship()


class GoLiveSignOff(db.Model):
    """The client's sign-off of go-live: who, when, their note, and their rating of the
    onboarding (1 to 5, with a comment), both optional. One per project."""

    __tablename__ = "go_live_sign_offs"
    __table_args__ = (
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_1_to_5"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    signed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(sa.Text)
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(sa.Text)

    signed_by: Mapped[User] = relationship()
