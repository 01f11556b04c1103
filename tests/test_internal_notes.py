"""What is not for customers: internal comments (the vendor's, IMS's and partners' notes,
never a client's to read or write) and how the catalogue's rows were read (the vendor's
working note). The route matrix (tests/test_route_matrix.py) looks for an internal comment
on every page, export and API answer a client can fetch; these are the rules one by one."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from tests import factories
from tests.factories import CLIENT_ROW, IMS_ROW, World
from tracker.checklist.services import add_comment
from tracker.enums import Party
from tracker.extensions import db
from tracker.models import Comment, Event, User

NOTE = "Chasing their IT lead by phone"


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


@pytest.fixture
def noted_item(app, world) -> tuple[int, int]:
    """(project, item) of a client item of project_b with a public and an internal comment."""
    with app.app_context():
        item = factories.item_of(world.project_b, CLIENT_ROW, Party.CLIENT)
        add_comment(item, actor=_user(World.CLIENT_B), body="We booked the session")
        add_comment(item, actor=_user(World.CSM), body=NOTE, internal=True)
        db.session.commit()
        return world.project_b, item.id


def _as(app, email: str):
    """A browser of its own signed in as ``email`` (a test may need two people)."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def _item_page(login, email: str, pid: int, iid: int) -> str:
    response = login(email).get(f"/projects/{pid}/items/{iid}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_client_does_not_see_an_internal_comment(login, noted_item):
    html = _item_page(login, World.CLIENT_B, *noted_item)
    assert "We booked the session" in html
    assert NOTE not in html
    assert "Comments (1)" in html


@pytest.mark.parametrize("email", [World.CSM, World.IMS, World.PARTNER])
def test_the_vendor_ims_and_partner_see_it_marked_internal(login, noted_item, email):
    html = _item_page(login, email, *noted_item)
    entry = re.search(rf'<div class="comment comment-internal">.*?{NOTE}', html, re.S)
    assert entry and ">Internal</span>" in entry.group(0)
    assert "Comments (2)" in html


def test_the_comment_count_on_the_project_page_leaves_it_out_for_a_client(app, noted_item):
    pid, iid = noted_item

    def count(email: str) -> str:
        html = _as(app, email).get(f"/projects/{pid}").get_data(as_text=True)
        row = re.search(rf'id="item-{iid}">.*?</li>', html, re.S).group(0)
        return re.search(r'item-cell-counts small">(.*?)</div>', row, re.S).group(1)

    assert "> 1<" in count(World.CLIENT_B) and "> 2<" in count(World.CSM)


@pytest.mark.parametrize("page", ["/projects/{pid}", "/projects/{pid}/history"])
def test_its_event_is_left_out_of_a_clients_history(app, noted_item, page):
    pid, _ = noted_item
    url = page.format(pid=pid)
    assert NOTE not in _as(app, World.CLIENT_B).get(url).get_data(as_text=True)
    assert NOTE in _as(app, World.CSM).get(url).get_data(as_text=True)


def _post_internal(app, login, email: str, project: int, row: str, party: Party):
    """``email`` posts an internal comment on ``project``'s item of ``row``; (answer, item)."""
    with app.app_context():
        iid = factories.item_of(project, row, party).id
    response = login(email).post(
        f"/projects/{project}/items/{iid}/comments", data={"body": "A note", "internal": "y"}
    )
    return response, iid


def test_a_client_cannot_write_an_internal_comment(app, login, world):
    response, _ = _post_internal(
        app, login, World.CLIENT_A, world.project_a, CLIENT_ROW, Party.CLIENT
    )

    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


@pytest.mark.parametrize("page", ["", "/row?editor=1"])
@pytest.mark.parametrize(("email", "offered"), [(World.CLIENT_A, False), (World.CSM, True)])
def test_only_the_vendors_side_is_offered_the_internal_box(app, login, world, page, email, offered):
    with app.app_context():
        iid = factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT).id
    url = f"/projects/{world.project_a}/items/{iid}{page}"
    html = login(email).get(url).get_data(as_text=True)
    assert ("Internal: not shown to the client" in html) is offered


def test_an_internal_comment_is_recorded_as_internal(app, login, world):
    response, iid = _post_internal(app, login, World.IMS, world.project_b, IMS_ROW, Party.IMS)

    assert response.status_code == 302
    with app.app_context():
        comment = db.session.scalar(sa.select(Comment).where(Comment.item_id == iid))
        event = db.session.scalar(sa.select(Event).where(Event.action == "item.comment"))
        assert (comment.internal, event.internal) == (True, True)


# --- the catalogue's working notes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        (World.CSM, True),
        (World.IMS, True),
        (World.ADMIN, True),
        (World.PARTNER, False),
        (World.CLIENT_B, False),
    ],
)
def test_how_a_row_was_read_is_shown_to_the_vendors_people_only(app, login, world, email, shown):
    with app.app_context():
        item = factories.item_of(world.project_b, CLIENT_ROW, Party.CLIENT)
        rationale = item.responsibility.rationale
        assert item.responsibility.marks_inferred and rationale
        iid = item.id

    html = _item_page(login, email, world.project_b, iid)

    assert ("Parties inferred from the wording" in html) is shown
    assert (str(escape(rationale)) in html) is shown
