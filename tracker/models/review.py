from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.checklist import ChecklistItem
from tracker.models.user import User
from tracker.timeutil import utcnow


class StandingReview(db.Model):
    """A dated review of a standing responsibility: an operations row's item, on a project
    that has gone live, whose row has a review rhythm (``Responsibility.review_every``).
    Created when it comes round (``flask --app app reviews create``); done once, by whoever
    may update the item. One per item and date: creating it again finds it."""

    __tablename__ = "standing_reviews"
    __table_args__ = (sa.UniqueConstraint("item_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_items.id"))
    due_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    item: Mapped[ChecklistItem] = relationship()
    done_by: Mapped[User | None] = relationship()

    def is_late(self, on: date) -> bool:
        return self.done_at is None and self.due_on < on

    def __repr__(self) -> str:
        return f"<StandingReview {self.id} item={self.item_id} {self.due_on}>"
