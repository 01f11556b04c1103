"""Reading the audit trail: a project's events, newest first (by when they happened, then
by id for events of the same moment)."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.models import ChecklistItem, Event, Responsibility


def project_events(
    project_id: int,
    *,
    internal: bool,
    limit: int | None = 50,
    item_id: int | Collection[int] | None = None,
) -> sa.Select[tuple[Event]]:
    """A project's events (of one item, or of some: an item and the one it replaces),
    newest first, each with its actor; those of internal comments only when ``internal``
    (tracker.permissions.sees_internal_comments)."""
    query = (
        sa.select(Event)
        .options(joinedload(Event.actor))
        .where(Event.project_id == project_id)
        .order_by(Event.created_at.desc(), Event.id.desc())
    )
    if not internal:
        query = query.where(Event.internal.is_(False))
    if isinstance(item_id, int):
        query = query.where(Event.item_id == item_id)
    elif item_id is not None:
        query = query.where(Event.item_id.in_(item_id))
    if limit:
        query = query.limit(limit)
    return query


def rows_of_version(version_id: int, keys: set[str]) -> sa.Select[tuple[Responsibility]]:
    """The rows of a catalogue version with these keys: what events name by key (IMS scope)."""
    return sa.select(Responsibility).where(
        Responsibility.version_id == version_id, Responsibility.key.in_(keys)
    )


def rows_of_items(item_ids: set[int]) -> sa.Select[tuple[int, Responsibility]]:
    """(item id, its row) of these items: what events name by item."""
    return (
        sa.select(ChecklistItem.id, Responsibility)
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .where(ChecklistItem.id.in_(item_ids))
    )
