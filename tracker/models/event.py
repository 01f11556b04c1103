from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tracker.extensions import db
from tracker.models.user import User
from tracker.timeutil import utcnow


class Event(db.Model):
    """Who changed what, when, from which value to which."""

    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_project_id_id", "project_id", "id"),
        # A project's history, newest first (tracker/audit/queries.py).
        sa.Index("ix_events_project_id_created_at_id", "project_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"))
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("checklist_items.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(sa.String(40))
    field: Mapped[str | None] = mapped_column(sa.String(40))
    old_value: Mapped[str | None] = mapped_column(sa.Text)
    new_value: Mapped[str | None] = mapped_column(sa.Text)
    # What an event of a code says, as data ({"items": 26, "catalogue_version": 1}): written
    # out in each reader's language (tracker.wording).
    params: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    # The event of an internal comment: left out of what the customer's users read.
    internal: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    actor: Mapped[User | None] = relationship()


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a recorded event."""


@sa.event.listens_for(Session, "before_flush")
def _events_are_never_changed(session: Session, flush_context, instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, Event):
            raise AppendOnlyError("Events are append-only: an event cannot be deleted.")
    for obj in session.dirty:
        if isinstance(obj, Event) and session.is_modified(obj):
            raise AppendOnlyError("Events are append-only: an event cannot be changed.")


@sa.event.listens_for(Session, "do_orm_execute")
def _no_bulk_changes_to_events(state) -> None:
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ is Event:
        raise AppendOnlyError("Events are append-only: no UPDATE or DELETE of events.")
