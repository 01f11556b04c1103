"""Recording events. Every service that changes a project or an item calls these; those that
change who may sign in (invitations, deactivations, reset links) record people events."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from tracker.extensions import db
from tracker.models import Event, PeopleEvent


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def record(
    action: str,
    *,
    project_id: int,
    actor_id: int | None,
    item_id: int | None = None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
    params: dict | None = None,
    internal: bool = False,
) -> Event:
    """Add one event to the session (flushed with the change it describes)."""
    event = Event(
        project_id=project_id,
        item_id=item_id,
        actor_id=actor_id,
        action=action,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        params=params,
        internal=internal,
    )
    db.session.add(event)
    return event


def record_people_event(
    action: str,
    *,
    actor_id: int | None,
    organisation_id: int | None,
    email: str,
    user_id: int | None = None,
    invitation_id: int | None = None,
) -> PeopleEvent:
    """Add one event of the people's audit trail to the session (flushed with the change it
    describes): an invitation sent, resent, cancelled or accepted, a colleague deactivated,
    a password reset asked for."""
    event = PeopleEvent(
        actor_id=actor_id,
        organisation_id=organisation_id,
        action=action,
        email=email,
        user_id=user_id,
        invitation_id=invitation_id,
    )
    db.session.add(event)
    return event
