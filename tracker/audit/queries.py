"""Reading the audit trail: a project's events, newest first (by when they happened, then
by id for events of the same moment)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.models import Event


def project_events(
    project_id: int, *, limit: int | None = 50, item_id: int | None = None
) -> sa.Select[tuple[Event]]:
    """A project's events (of one item), newest first, each with its actor."""
    query = (
        sa.select(Event)
        .options(joinedload(Event.actor))
        .where(Event.project_id == project_id)
        .order_by(Event.created_at.desc(), Event.id.desc())
    )
    if item_id is not None:
        query = query.where(Event.item_id == item_id)
    if limit:
        query = query.limit(limit)
    return query
