"""Two people editing the same item or project never silently overwrite each other."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tests import factories
from tests.factories import CLIENT_ROW, World, edit_form
from tests.test_items import item_url, update_data
from tracker.enums import Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Event, Project


@pytest.fixture
def item_ids(app, world) -> tuple[int, int]:
    with app.app_context():
        return world.project_a, factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT).id


def two_sessions(app):
    """Two signed-in browsers: the client of customer A and the CSM."""
    first, second = app.test_client(), app.test_client()
    for browser, email in ((first, World.CLIENT_A), (second, World.CSM)):
        response = browser.post("/login", data={"email": email, "password": factories.PASSWORD})
        assert response.status_code == 302
    return first, second


def test_a_stale_item_update_is_refused_with_409(app, item_ids):
    project_id, item_id = item_ids
    first, second = two_sessions(app)
    first.post(item_url(project_id, item_id), data=update_data(item_id, "done", version=1))
    response = second.post(
        item_url(project_id, item_id),
        data=update_data(item_id, "blocked", version=1, reason="Waiting for the IdP"),
    )
    assert response.status_code == 409


def test_a_stale_item_update_writes_nothing(app, item_ids):
    project_id, item_id = item_ids
    first, second = two_sessions(app)
    first.post(item_url(project_id, item_id), data=update_data(item_id, "done", version=1))
    second.post(
        item_url(project_id, item_id),
        data=update_data(item_id, "blocked", version=1, reason="Waiting for the IdP"),
    )
    with app.app_context():
        assert db.session.get(ChecklistItem, item_id).status is Status.DONE
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(Event.item_id == item_id, Event.field == "status")
            )
            == 1
        )


def test_a_stale_item_update_shows_what_changed_and_keeps_the_input(app, item_ids):
    project_id, item_id = item_ids
    first, second = two_sessions(app)
    first.post(item_url(project_id, item_id), data=update_data(item_id, "done", version=1))
    page = second.post(
        item_url(project_id, item_id),
        data=update_data(item_id, "blocked", version=1, reason="Waiting for the IdP"),
    ).get_data(as_text=True)
    assert "Someone else changed this item" in page
    assert "Saved now" in page and "Done" in page  # the other person's change
    assert "Waiting for the IdP" in page  # the user's input is still in the form


def test_saving_again_after_a_conflict_applies_the_input(app, item_ids):
    project_id, item_id = item_ids
    first, second = two_sessions(app)
    first.post(item_url(project_id, item_id), data=update_data(item_id, "done", version=1))
    with app.app_context():
        current = db.session.get(ChecklistItem, item_id).version
    response = second.post(
        item_url(project_id, item_id),
        data=update_data(item_id, "blocked", version=current, reason="Waiting for the IdP"),
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ChecklistItem, item_id).status is Status.BLOCKED


def test_completing_twice_records_one_event_even_from_two_sessions(app, item_ids):
    project_id, item_id = item_ids
    first, second = two_sessions(app)
    for browser in (first, second):
        response = browser.post(
            item_url(project_id, item_id), data=update_data(item_id, "done", version=1)
        )
        assert response.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(Event.item_id == item_id, Event.field == "status")
            )
            == 1
        )


def test_concurrent_commits_of_the_same_item_raise_stale_data(committing_app, _base):
    """The database-level check: two transactions that read version 1 cannot both write."""
    with committing_app.app_context():
        item_id = factories.item_of(_base.world.project_a, CLIENT_ROW, Party.CLIENT).id
        engine = db.engine
    with Session(engine) as one, Session(engine) as two:
        first, second = one.get(ChecklistItem, item_id), two.get(ChecklistItem, item_id)
        first.status = Status.DONE
        one.commit()
        second.status = Status.BLOCKED
        with pytest.raises(StaleDataError):
            two.commit()


def test_a_stale_project_edit_is_refused_and_shows_the_saved_value(app, world, login):
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        form = edit_form(project)
        later = (project.go_live_date + timedelta(days=10)).isoformat()
    client = login(World.CSM)
    client.post(f"/projects/{world.project_a}/edit", data={**form, "name": "Renamed by admin"})
    response = client.post(
        f"/projects/{world.project_a}/edit", data={**form, "go_live_date": later}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Renamed by admin" in page  # what the other save did
    assert later in page  # the user's input is kept
    with app.app_context():
        assert db.session.get(Project, world.project_a).go_live_date.isoformat() != later


def test_an_unchanged_stale_project_form_is_not_a_conflict(app, world, login):
    with app.app_context():
        form = edit_form(db.session.get(Project, world.project_a))
    client = login(World.CSM)
    client.post(f"/projects/{world.project_a}/edit", data={**form, "name": "Renamed"})
    response = client.post(f"/projects/{world.project_a}/edit", data={**form, "name": "Renamed"})
    assert response.status_code == 302


# --- the other save lands between this request's read and its write ----------------------

IN_PLACE = {"X-Requested-With": "XMLHttpRequest"}


@pytest.fixture
def saved_by_someone_else_meanwhile(committing_app, _base):
    """(app, project id, item id, arm): project A's client item; once ``arm()`` is called,
    the next time the application writes, another browser's save of that item is committed
    just before (after the request checked the version it was sent: the race at commit)."""
    with committing_app.app_context():
        item = factories.item_of(_base.world.project_a, CLIENT_ROW, Party.CLIENT)
        project_id, item_id = item.project_id, item.id
        engine = db.engine
    done = []

    def other_browser_saves_first(session, _flush_context, _instances):
        if done:
            return
        done.append(True)
        with Session(engine) as other:
            other.get(ChecklistItem, item_id).status = Status.DONE
            other.commit()

    def arm() -> None:
        sa.event.listen(Session, "before_flush", other_browser_saves_first)

    yield committing_app, project_id, item_id, arm
    if sa.event.contains(Session, "before_flush", other_browser_saves_first):
        sa.event.remove(Session, "before_flush", other_browser_saves_first)
    assert done, "the other browser's save did not happen"


@pytest.mark.parametrize("headers", [{}, IN_PLACE], ids=["form", "in-place"])
def test_a_save_that_loses_the_race_at_commit_gets_the_conflict_not_an_error(
    saved_by_someone_else_meanwhile, headers
):
    app, project_id, item_id, arm = saved_by_someone_else_meanwhile
    browser = app.test_client()
    browser.post("/login", data={"email": World.CSM, "password": factories.PASSWORD})
    arm()

    response = browser.post(
        item_url(project_id, item_id),
        data=update_data(item_id, "blocked", version=1, reason="Waiting for the IdP"),
        headers=headers,
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved a change at the same moment" in page
    # Nothing was saved: the "updated" message flashed before the commit never shows.
    assert "Item updated." not in page
    assert "Item updated." not in browser.get(item_url(project_id, item_id)).get_data(as_text=True)
    assert "Waiting for the IdP" in page  # the input is kept
    # The form is now based on the saved version: saving again applies the input.
    assert f'name="item{item_id}-version" type="hidden" value="2"' in page
    with app.app_context():
        assert db.session.get(ChecklistItem, item_id).status is Status.DONE
