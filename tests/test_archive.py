"""Projects are archived, never deleted; archived projects leave the default views."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import World
from tracker.enums import Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Project


@pytest.fixture
def archived(app, world, login):
    """project_a archived by its CSM; returns the world."""
    with app.app_context():
        item = factories.item_of(world.project_a, factories.CLIENT_ROW, Party.CLIENT)
        item.due_date = item.due_date.replace(year=2001)  # overdue
        db.session.commit()
    response = login(World.CSM).post(f"/projects/{world.project_a}/archive", follow_redirects=True)
    assert "archived on" in response.get_data(as_text=True)  # the flash message is consumed
    return world


def test_archiving_keeps_the_project_and_its_items(app, archived):
    with app.app_context():
        project = db.session.get(Project, archived.project_a)
        assert project.archived_at is not None
        assert db.session.scalar(
            sa.select(sa.func.count()).where(ChecklistItem.project_id == project.id)
        ) == len(factories.items_of(project.id))
        assert factories.items_of(project.id)


def test_an_archived_project_leaves_the_portfolio(client, archived):
    page = client.get("/projects").get_data(as_text=True)
    assert "Acme rollout" not in page
    assert "Globex rollout" in page


def test_archived_projects_are_listed_on_request(client, archived):
    page = client.get("/projects?archived=1").get_data(as_text=True)
    assert "Acme rollout" in page
    assert "Globex rollout" not in page


def test_an_archived_projects_items_leave_the_overdue_dashboard(client, archived):
    assert "Acme rollout" not in client.get("/overdue").get_data(as_text=True)


def test_an_archived_projects_items_leave_my_tasks(app, archived):
    client = app.test_client()
    client.post("/login", data={"email": World.CLIENT_A, "password": factories.PASSWORD})
    assert client.get("/my-tasks").get_data(as_text=True).count("Acme rollout") == 0


def test_an_archived_project_is_read_only(app, archived):
    client = app.test_client()
    client.post("/login", data={"email": World.CLIENT_A, "password": factories.PASSWORD})
    with app.app_context():
        item = factories.item_of(archived.project_a, factories.CLIENT_ROW, Party.CLIENT)
    prefix = f"item{item.id}-"
    response = client.post(
        f"/projects/{archived.project_a}/items/{item.id}",
        data={prefix + "status": "done", prefix + "assignee_id": "0", prefix + "version": "1"},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(ChecklistItem, item.id).status is Status.TODO


def test_an_archived_project_cannot_be_edited(client, archived):
    assert client.get(f"/projects/{archived.project_a}/edit").status_code == 403


def test_restoring_brings_the_project_back(client, archived):
    assert client.post(f"/projects/{archived.project_a}/restore").status_code == 302
    assert "Acme rollout" in client.get("/projects").get_data(as_text=True)


def test_archive_and_restore_are_in_the_history(client, archived):
    client.post(f"/projects/{archived.project_a}/restore")
    page = client.get(f"/projects/{archived.project_a}/history").get_data(as_text=True)
    assert "Project archived" in page and "Project restored" in page


@pytest.mark.parametrize("email", [World.OTHER_CSM, World.CLIENT_A])
def test_only_the_projects_managers_may_archive(app, world, email):
    client = app.test_client()
    client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert client.post(f"/projects/{world.project_a}/archive").status_code == 403


def test_there_is_no_way_to_delete_a_project_or_an_item(app):
    deleting = [rule for rule in app.url_map.iter_rules() if "DELETE" in (rule.methods or ())]
    assert deleting == []
