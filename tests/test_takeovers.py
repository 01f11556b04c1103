"""A takeover carries the work over: when a row passes to another party (IMS takes a client
row over, the implementer changes), the new item replaces the other party's, shows its
comments and history, keeps its due date; a done item stays done and no new to-do is
created."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from tests import factories
from tests.factories import IMS_ROW, PARTNER_ROW, World
from tests.test_project_changes import change_project
from tracker.checklist.services import add_comment
from tracker.enums import Implementer, Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Event, User


def csm(world: World) -> User:
    return db.session.get(User, world.csm)


def comment(item: ChecklistItem, user_id: int, body: str, *, internal: bool = False) -> None:
    add_comment(item, actor=db.session.get(User, user_id), body=body, internal=internal)
    db.session.commit()


def items_of_row(project_id: int, key: str) -> dict[Party, ChecklistItem]:
    return {
        item.party: item
        for item in factories.items_of(project_id)
        if item.responsibility.key == key
    }


def page(login, email: str, project_id: int, item_id: int) -> str:
    response = login(email).get(f"/projects/{project_id}/items/{item_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def words(html: str) -> str:
    """The page's text, without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


# --- the new item replaces the other party's ----------------------------------------------


def test_an_ims_item_taking_a_client_row_over_replaces_the_client_item(ctx, world):
    client_item = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT)

    change_project(world.project_a, world.csm, ims_contract=True)

    ims_item = factories.item_of(world.project_a, IMS_ROW, Party.IMS)
    assert ims_item.replaces_id == client_item.id


def test_a_partner_item_taking_the_implementation_over_replaces_infors(ctx, world):
    infor_item = factories.item_of(world.project_a, PARTNER_ROW, Party.INFOR)

    change_project(
        world.project_a, world.csm, implementer=Implementer.PARTNER, partner_id=world.partner
    )

    partner_item = factories.item_of(world.project_a, PARTNER_ROW, Party.PARTNER)
    assert partner_item.replaces_id == infor_item.id


def test_the_new_item_keeps_the_due_date_the_csm_gave_the_item_it_replaces(ctx, world):
    client_item = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT)
    moved = client_item.due_date + timedelta(days=9)
    factories.change(client_item, actor=csm(world), due_date=moved)
    db.session.commit()

    change_project(world.project_a, world.csm, ims_contract=True)

    assert factories.item_of(world.project_a, IMS_ROW, Party.IMS).due_date == moved


def test_an_assignee_who_may_not_hold_the_new_item_is_not_carried_over(ctx, world):
    client_item = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT)
    factories.change(client_item, actor=csm(world), assignee_id=world.client_a)
    db.session.commit()

    change_project(world.project_a, world.csm, ims_contract=True)

    assert factories.item_of(world.project_a, IMS_ROW, Party.IMS).assignee_id is None


def test_the_takeover_is_in_the_new_items_history(ctx, world):
    client_item = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT)

    change_project(world.project_a, world.csm, ims_contract=True)

    ims_item = factories.item_of(world.project_a, IMS_ROW, Party.IMS)
    recorded = db.session.scalars(
        sa.select(Event).where(Event.item_id == ims_item.id, Event.action == "item.takeover")
    ).all()
    assert [(e.params, e.actor_id) for e in recorded] == [
        ({"item": client_item.id, "party": "client"}, world.csm)
    ]


def test_a_row_given_back_reopens_the_old_item_linked_to_the_one_retired(ctx, world):
    change_project(world.project_a, world.csm, ims_contract=True)
    ims_item = factories.item_of(world.project_a, IMS_ROW, Party.IMS)

    change_project(world.project_a, world.csm, ims_contract=False)

    client_item = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT)
    assert (client_item.status, client_item.replaces_id) == (Status.TODO, ims_item.id)


# --- the new item's page shows the work done so far ------------------------------------------


def test_the_new_items_page_shows_the_replaced_items_comments(app, world, login):
    with app.app_context():
        client_item = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT)
        comment(client_item, world.client_a, "Our IdP is Entra ID; metadata sent on Monday.")
        change_project(world.project_a, world.csm, ims_contract=True)
        ims_id = factories.item_of(world.project_a, IMS_ROW, Party.IMS).id
        client_id = client_item.id

    html = page(login, World.CSM, world.project_a, ims_id)

    assert "Our IdP is Entra ID; metadata sent on Monday." in html
    assert f"Takes over from item #{client_id} (Client)" in words(html)


def test_the_new_items_page_shows_the_replaced_items_history(app, world, login):
    with app.app_context():
        client_item = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT)
        factories.change(client_item, actor=csm(world), status=Status.IN_PROGRESS)
        db.session.commit()
        change_project(world.project_a, world.csm, ims_contract=True)
        ims_id = factories.item_of(world.project_a, IMS_ROW, Party.IMS).id
        client_id = client_item.id

    html = page(login, World.CSM, world.project_a, ims_id)

    history = html[html.index("History of this item") :]
    assert "In progress" in history  # the client item's status change
    assert f"/items/{client_id}" in history


def test_internal_comments_of_the_replaced_item_stay_hidden_from_client_users(app, world, login):
    with app.app_context():
        change_project(world.project_a, world.csm, ims_contract=True)
        ims_item = factories.item_of(world.project_a, IMS_ROW, Party.IMS)
        comment(ims_item, world.csm, "Internal: IMS quoted two days.", internal=True)
        change_project(world.project_a, world.csm, ims_contract=False)
        client_id = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT).id
        ims_id = ims_item.id

    html = page(login, World.CLIENT_A, world.project_a, client_id)

    assert f"Takes over from item #{ims_id} (IMS)" in words(html)
    assert "IMS quoted two days" not in html


def test_the_replaced_items_page_says_which_item_replaced_it(app, world, login):
    with app.app_context():
        client_item = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT)
        change_project(world.project_a, world.csm, ims_contract=True)
        ims_id = factories.item_of(world.project_a, IMS_ROW, Party.IMS).id
        client_id = client_item.id

    html = page(login, World.CSM, world.project_a, client_id)

    assert f"Replaced by item #{ims_id} (IMS)" in words(html)


# --- a done item stays done: no new to-do ----------------------------------------------------


def test_no_new_item_when_the_replaced_item_was_done(ctx, world):
    client_item = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT)
    factories.change(client_item, actor=csm(world), status=Status.DONE)
    db.session.commit()

    change_project(world.project_a, world.csm, ims_contract=True)

    row = items_of_row(world.project_a, IMS_ROW)
    assert set(row) == {Party.CLIENT}
    assert row[Party.CLIENT].status is Status.DONE


def test_the_done_items_history_says_why_no_new_item_was_created(app, world, login):
    with app.app_context():
        client_item = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT)
        factories.change(client_item, actor=csm(world), status=Status.DONE)
        db.session.commit()
        change_project(world.project_a, world.csm, ims_contract=True)
        client_id = client_item.id

    html = page(login, World.CSM, world.project_a, client_id)

    assert (
        "The row now goes to IMS; this item was already done, so it stays done and no new item "
        "was created."
    ) in html


def test_the_done_item_says_why_once_whatever_the_later_changes(ctx, world):
    client_item = factories.item_of(world.project_a, IMS_ROW, Party.CLIENT)
    factories.change(client_item, actor=csm(world), status=Status.DONE)
    db.session.commit()
    change_project(world.project_a, world.csm, ims_contract=True)

    change_project(world.project_a, world.csm, vpn_required=True)

    said = db.session.scalars(
        sa.select(Event).where(Event.item_id == client_item.id, Event.action == "item.kept_done")
    ).all()
    assert len(said) == 1
