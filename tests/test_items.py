"""Changing checklist items through POST /projects/<pid>/items/<iid>, comments and history."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from tests import factories
from tests.factories import CLIENT_ROW, World
from tracker.enums import Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Comment, Event


@pytest.fixture
def client_item(app, world) -> tuple[int, int]:
    """(project id, item id) of a client item of project_a (customer A)."""
    with app.app_context():
        return world.project_a, factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT).id


def item_url(project_id: int, item_id: int) -> str:
    return f"/projects/{project_id}/items/{item_id}"


def update_data(
    item_id: int,
    status: str,
    *,
    version: int = 1,
    reason: str = "",
    assignee_id: int = 0,
    due_date: str | None = None,
    next_url: str | None = None,
) -> dict[str, str]:
    """The fields of an item's update form, named with its ``item<ID>-`` prefix."""
    prefix = f"item{item_id}-"
    data = {
        prefix + "status": status,
        prefix + "reason": reason,
        prefix + "assignee_id": str(assignee_id),
        prefix + "version": str(version),
    }
    if due_date is not None:
        data[prefix + "due_date"] = due_date
    if next_url is not None:
        data[prefix + "next"] = next_url
    return data


def load_item(app, item_id: int) -> ChecklistItem:
    with app.app_context():
        item = db.session.get(ChecklistItem, item_id)
        db.session.expunge(item)
        return item


def item_events(app, item_id: int, action: str | None = None) -> list[tuple[str, str, str]]:
    """(action, old, new) of the events of an item, oldest first."""
    with app.app_context():
        query = sa.select(Event).where(Event.item_id == item_id).order_by(Event.id)
        if action is not None:
            query = query.where(Event.action == action)
        return [(e.action, e.old_value, e.new_value) for e in db.session.scalars(query)]


# --- status -----------------------------------------------------------------------------


def test_client_marking_client_item_done_redirects(login, client_item):
    pid, iid = client_item
    response = login(World.CLIENT_A).post(item_url(pid, iid), data=update_data(iid, "done"))
    assert response.status_code == 302


def test_client_marking_client_item_done_stores_status_and_completion(
    app, world, login, client_item
):
    pid, iid = client_item
    login(World.CLIENT_A).post(item_url(pid, iid), data=update_data(iid, "done"))
    item = load_item(app, iid)
    assert item.status is Status.DONE
    assert item.completed_by_id == world.client_a
    assert item.completed_at is not None


def test_client_marking_client_item_done_records_one_status_event(app, login, client_item):
    pid, iid = client_item
    login(World.CLIENT_A).post(item_url(pid, iid), data=update_data(iid, "done"))
    assert item_events(app, iid) == [("item.status", "todo", "done")]


def test_double_submit_of_done_records_no_second_event(app, login, client_item):
    pid, iid = client_item
    client = login(World.CLIENT_A)
    client.post(item_url(pid, iid), data=update_data(iid, "done", version=1))
    again = client.post(item_url(pid, iid), data=update_data(iid, "done", version=1))
    assert again.status_code == 302
    assert item_events(app, iid, "item.status") == [("item.status", "todo", "done")]


def test_blocked_without_reason_is_refused_with_the_reason_error(login, client_item):
    pid, iid = client_item
    response = login(World.CLIENT_A).post(item_url(pid, iid), data=update_data(iid, "blocked"))
    assert response.status_code == 422
    assert "Reason (when blocked or not applicable): Say why the item is blocked." in (
        response.get_data(as_text=True)
    )


def test_blocked_without_reason_writes_nothing(app, login, client_item):
    pid, iid = client_item
    login(World.CLIENT_A).post(item_url(pid, iid), data=update_data(iid, "blocked"))
    item = load_item(app, iid)
    assert (item.status, item.reason, item.version) == (Status.TODO, None, 1)
    assert item_events(app, iid) == []


def test_blocked_with_reason_stores_the_reason(app, login, client_item):
    pid, iid = client_item
    response = login(World.CLIENT_A).post(
        item_url(pid, iid), data=update_data(iid, "blocked", reason="  Waiting for the VPN  ")
    )
    assert response.status_code == 302
    item = load_item(app, iid)
    assert (item.status, item.reason) == (Status.BLOCKED, "Waiting for the VPN")


def test_client_cannot_mark_an_item_not_applicable(app, login, client_item):
    pid, iid = client_item
    response = login(World.CLIENT_A).post(
        item_url(pid, iid), data=update_data(iid, "not_applicable", reason="We have no webinar")
    )
    assert response.status_code == 422
    assert load_item(app, iid).status is Status.TODO


def test_csm_can_mark_an_item_not_applicable_with_a_reason(app, login, client_item):
    pid, iid = client_item
    response = login(World.CSM).post(
        item_url(pid, iid), data=update_data(iid, "not_applicable", reason="Trained on site")
    )
    assert response.status_code == 302
    item = load_item(app, iid)
    assert (item.status, item.reason) == (Status.NOT_APPLICABLE, "Trained on site")


def test_reopening_a_done_item_clears_its_completion(app, login, client_item):
    pid, iid = client_item
    client = login(World.CLIENT_A)
    client.post(item_url(pid, iid), data=update_data(iid, "done", version=1))
    response = client.post(item_url(pid, iid), data=update_data(iid, "todo", version=2))
    assert response.status_code == 302
    item = load_item(app, iid)
    assert (item.status, item.completed_by_id, item.completed_at) == (Status.TODO, None, None)


# --- due date ---------------------------------------------------------------------------


def test_csm_changing_the_due_date_records_a_due_date_event(app, login, client_item):
    pid, iid = client_item
    old_due = load_item(app, iid).due_date
    new_due = old_due + timedelta(days=5)
    response = login(World.CSM).post(
        item_url(pid, iid), data=update_data(iid, "todo", due_date=new_due.isoformat())
    )
    assert response.status_code == 302
    assert load_item(app, iid).due_date == new_due
    assert item_events(app, iid) == [("item.due_date", old_due.isoformat(), new_due.isoformat())]


def test_due_date_posted_by_a_client_is_ignored(app, login, client_item):
    pid, iid = client_item
    old_due = load_item(app, iid).due_date
    posted = (old_due + timedelta(days=10)).isoformat()
    response = login(World.CLIENT_A).post(
        item_url(pid, iid), data=update_data(iid, "in_progress", due_date=posted)
    )
    assert response.status_code == 302
    item = load_item(app, iid)
    assert (item.status, item.due_date) == (Status.IN_PROGRESS, old_due)
    assert item_events(app, iid, "item.due_date") == []


# --- assignee ---------------------------------------------------------------------------


def test_assigning_an_item_to_an_eligible_user_records_an_assignee_event(
    app, world, login, client_item
):
    pid, iid = client_item
    response = login(World.CSM).post(
        item_url(pid, iid), data=update_data(iid, "todo", assignee_id=world.client_a)
    )
    assert response.status_code == 302
    assert load_item(app, iid).assignee_id == world.client_a
    assert item_events(app, iid) == [("item.assignee", None, "Client")]


def test_assigning_a_client_item_to_a_user_of_another_customer_is_refused(
    app, world, login, client_item
):
    pid, iid = client_item
    response = login(World.CSM).post(
        item_url(pid, iid), data=update_data(iid, "todo", assignee_id=world.client_b)
    )
    assert response.status_code == 422
    assert load_item(app, iid).assignee_id is None
    assert item_events(app, iid) == []


# --- concurrent edits -------------------------------------------------------------------


def test_stale_version_with_a_real_change_is_a_conflict(app, login, client_item):
    pid, iid = client_item
    client = login(World.CLIENT_A)
    client.post(item_url(pid, iid), data=update_data(iid, "in_progress", version=1))
    response = client.post(
        item_url(pid, iid), data=update_data(iid, "blocked", version=1, reason="No VPN")
    )
    assert response.status_code == 409
    assert "Someone else changed this item" in response.get_data(as_text=True)


def test_stale_version_with_a_real_change_writes_nothing(app, login, client_item):
    pid, iid = client_item
    client = login(World.CLIENT_A)
    client.post(item_url(pid, iid), data=update_data(iid, "in_progress", version=1))
    client.post(item_url(pid, iid), data=update_data(iid, "blocked", version=1, reason="No VPN"))
    item = load_item(app, iid)
    assert (item.status, item.reason, item.version) == (Status.IN_PROGRESS, None, 2)
    assert item_events(app, iid) == [("item.status", "todo", "in_progress")]


# --- comments ---------------------------------------------------------------------------


def test_client_comment_is_shown_on_the_item_page(login, client_item):
    pid, iid = client_item
    client = login(World.CLIENT_A)
    response = client.post(
        item_url(pid, iid) + "/comments", data={"body": "Booked for the 14th session"}
    )
    assert response.status_code == 302
    assert "Booked for the 14th session" in client.get(item_url(pid, iid)).get_data(as_text=True)


def test_client_comment_records_a_comment_event(app, login, client_item):
    pid, iid = client_item
    login(World.CLIENT_A).post(
        item_url(pid, iid) + "/comments", data={"body": "Booked for the 14th session"}
    )
    assert item_events(app, iid) == [("item.comment", None, "Booked for the 14th session")]


@pytest.mark.parametrize("body", ["", "   "])
def test_empty_comment_is_refused(app, login, client_item, body):
    pid, iid = client_item
    response = login(World.CLIENT_A).post(item_url(pid, iid) + "/comments", data={"body": body})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


# --- history ----------------------------------------------------------------------------


def history_part(html: str) -> str:
    """The history of a page: the project page's recent changes (its readiness panel links
    open items too), or the whole history page."""
    start = html.find('data-live="recent"')
    return html[start : html.find("</section>", start)] if start != -1 else html


@pytest.mark.parametrize("page", ["/projects/{pid}", "/projects/{pid}/history"])
def test_status_change_appears_in_the_project_history(app, login, client_item, page):
    """Named by its row's text, in the reader's language, linked to the item."""
    pid, iid = client_item
    with app.app_context():
        text = db.session.get(ChecklistItem, iid).responsibility.text_en
    link = f'<a href="/projects/{pid}/items/{iid}">{escape(text[:40])}'  # long texts shortened
    client = login(World.CLIENT_A)
    url = page.format(pid=pid)
    assert link not in history_part(client.get(url).get_data(as_text=True))
    client.post(item_url(pid, iid), data=update_data(iid, "done"))
    html = history_part(client.get(url).get_data(as_text=True))
    assert link in html
    assert "Status changed" in html
    assert f"item #{iid}" not in html


# --- where to go after saving -----------------------------------------------------------


def test_update_redirects_to_a_local_next_path(login, client_item):
    pid, iid = client_item
    response = login(World.CLIENT_A).post(
        item_url(pid, iid), data=update_data(iid, "done", next_url="/overdue?party=client")
    )
    assert response.headers["Location"] == f"/overdue?party=client#item-{iid}"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_update_ignores_an_external_next_url(login, client_item, next_url):
    pid, iid = client_item
    response = login(World.CLIENT_A).post(
        item_url(pid, iid), data=update_data(iid, "done", next_url=next_url)
    )
    assert response.headers["Location"] == f"/projects/{pid}#item-{iid}"
