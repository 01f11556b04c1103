"""The event log is append-only from the application's point of view."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.audit.models import AppendOnlyError, Event
from tracker.extensions import db


@pytest.fixture
def event_id(ctx, world) -> int:
    return db.session.scalars(
        sa.select(Event.id).where(Event.project_id == world.project_a)
    ).first()


def test_an_event_cannot_be_changed(ctx, event_id):
    db.session.get(Event, event_id).new_value = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()


def test_an_event_cannot_be_deleted(ctx, event_id):
    db.session.delete(db.session.get(Event, event_id))
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("statement", [sa.update(Event).values(action="x"), sa.delete(Event)])
def test_events_cannot_be_changed_in_bulk(ctx, event_id, statement):
    with pytest.raises(AppendOnlyError):
        db.session.execute(statement)
    db.session.rollback()


def test_new_events_can_be_added(ctx, world):
    db.session.add(Event(project_id=world.project_a, action="project.note"))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).where(Event.action == "project.note")) == 1
