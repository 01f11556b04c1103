"""The event log is append-only from the application's point of view."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import World
from tracker.extensions import db
from tracker.models import AppendOnlyError, Event
from tracker.timeutil import utcnow

WEEK = timedelta(days=7)


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


def _add_changes(project_id: int, actor_id: int, count: int) -> None:
    for number in range(1, count + 1):
        db.session.add(
            Event(
                project_id=project_id,
                actor_id=actor_id,
                action="project.updated",
                field="name",
                new_value=f"name {number:02d}",
            )
        )
    db.session.commit()


def test_the_project_page_lists_the_ten_latest_changes(app, world, login):
    with app.app_context():
        _add_changes(world.project_a, world.csm, 12)
    page = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)
    changes = page[page.index("Recent changes") :]
    assert "name 12" in changes and "name 03" in changes
    assert "name 02<" not in changes  # the 11th latest change, on the full history only


def test_the_full_history_lists_every_change(app, world, login):
    with app.app_context():
        _add_changes(world.project_a, world.csm, 12)
    page = login(World.CSM).get(f"/projects/{world.project_a}/history").get_data(as_text=True)
    assert "name 01<" in page and "name 12<" in page


def test_the_history_is_newest_first_by_when_each_change_happened(app, world, login):
    """Not by id: an event recorded later can be of an earlier moment (the demo's, imports)."""
    now = utcnow()
    with app.app_context():
        for name, when in (("happened today", now), ("happened last week", now - WEEK)):
            db.session.add(
                Event(
                    project_id=world.project_a,
                    actor_id=world.csm,
                    action="project.updated",
                    field="name",
                    new_value=name,
                    created_at=when,
                )
            )
        db.session.commit()
    page = login(World.CSM).get(f"/projects/{world.project_a}/history").get_data(as_text=True)
    assert page.index("happened today") < page.index("happened last week")
