"""The event log is append-only from the application's point of view."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from tests import factories
from tests.factories import CLIENT_ROW, World
from tests.test_project_changes import change_project
from tracker.enums import Party, Status
from tracker.extensions import db
from tracker.models import AppendOnlyError, Event, Project, Responsibility, User
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


def test_the_project_page_lists_the_six_latest_changes(app, world, login):
    with app.app_context():
        _add_changes(world.project_a, world.csm, 12)
    page = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)
    changes = page[page.index("Recent changes") :]
    assert "name 12" in changes and "name 07" in changes
    assert "name 06<" not in changes  # the 7th latest change, on the full history only


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


def test_an_ims_scope_change_names_the_rows_not_their_keys(app, world, login):
    with app.app_context():
        project = db.session.get(Project, world.project_b)
        scope = sorted(project.ims_scope_keys)
        kept = scope[:1]
        change_project(world.project_b, world.csm, ims_scope=set(kept))
        text = db.session.scalar(
            sa.select(Responsibility.text_en).where(
                Responsibility.version_id == project.catalogue_version_id,
                Responsibility.key == scope[1],
            )
        )
        db.session.commit()
    html = login(World.CSM).get(f"/projects/{world.project_b}/history").get_data(as_text=True)
    assert "IMS scope changed" in html
    assert str(escape(text)) in html
    assert scope[1] not in html


def test_a_french_reader_sees_the_items_named_in_french(app, world, login):
    with app.app_context():
        item = factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT)
        factories.change(item, actor=db.session.get(User, world.csm), status=Status.DONE)
        user = db.session.get(User, world.csm)
        user.language = "fr"
        french = item.responsibility.text_fr
        db.session.commit()
    html = login(World.CSM).get(f"/projects/{world.project_a}/history").get_data(as_text=True)
    assert str(escape(french[:40])) in html
    assert "item #" not in html and "tâche n°" not in html
