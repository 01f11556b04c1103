"""The project page's in-place item update (static/js/item-inplace.js): the same POST, asked
with X-Requested-With, answers the item's row alone instead of a redirect."""

from __future__ import annotations

import re

import pytest

from tests.factories import World
from tests.test_items import client_item, load_item, update_data  # noqa: F401 - a fixture
from tracker.enums import Status

IN_PLACE = {"X-Requested-With": "XMLHttpRequest"}


def post(login, project_id: int, item_id: int, data: dict, email: str = World.CLIENT_A):
    return login(email).post(f"/projects/{project_id}/items/{item_id}", data=data, headers=IN_PLACE)


def test_in_place_update_answers_the_items_row_with_its_new_status(app, login, client_item):  # noqa: F811
    pid, iid = client_item
    next_url = f"/projects/{pid}?party=client"
    response = post(login, pid, iid, update_data(iid, "done", next_url=next_url))

    assert response.status_code == 200
    assert response.headers["X-Item-Result"] == "updated"
    html = response.get_data(as_text=True)
    assert f'id="item-{iid}"' in html and "<html" not in html
    assert re.search(r'class="item-status">\s*<span class="badge[^"]*">Done</span>', html)
    assert f'name="item{iid}-version" type="hidden" value="2"' in html  # the next save's
    assert f'value="{next_url}"' in html  # back to the same filters without JavaScript
    assert load_item(app, iid).status is Status.DONE


def test_in_place_update_leaves_no_message_for_the_next_page(login, client_item):  # noqa: F811
    pid, iid = client_item
    post(login, pid, iid, update_data(iid, "done"))
    page = login(World.CLIENT_A).get(f"/projects/{pid}").get_data(as_text=True)
    assert "Item updated." not in page.replace('data-saved="Item updated."', "")


def test_in_place_update_without_a_change_says_unchanged(app, login, client_item):  # noqa: F811
    pid, iid = client_item
    response = post(login, pid, iid, update_data(iid, "todo"))
    assert response.status_code == 200
    assert response.headers["X-Item-Result"] == "unchanged"
    assert load_item(app, iid).version == 1


def test_in_place_refusal_answers_the_row_with_the_reason(app, login, client_item):  # noqa: F811
    pid, iid = client_item
    response = post(login, pid, iid, update_data(iid, "blocked"))
    assert response.status_code == 422
    assert response.headers["X-Item-Result"] == "invalid"
    html = response.get_data(as_text=True)
    assert f'id="item-{iid}"' in html and "Say why the item is blocked." in html
    assert load_item(app, iid).status is Status.TODO


def test_in_place_invalid_form_answers_the_row_with_the_error(login, client_item):  # noqa: F811
    pid, iid = client_item
    response = post(login, pid, iid, update_data(iid, "no-such-status"))
    assert response.status_code == 422
    assert response.headers["X-Item-Result"] == "invalid"
    assert f'id="item-{iid}"' in response.get_data(as_text=True)


def test_in_place_conflict_answers_the_item_page_as_without_javascript(app, login, client_item):  # noqa: F811
    pid, iid = client_item
    post(login, pid, iid, update_data(iid, "in_progress"))
    response = post(login, pid, iid, update_data(iid, "done", version=1))
    assert response.status_code == 409  # the script then posts the form the ordinary way
    assert load_item(app, iid).status is Status.IN_PROGRESS


@pytest.mark.parametrize("email", [World.CLIENT_B, World.PARTNER])
def test_in_place_update_is_refused_to_who_may_not_change_the_item(
    app,
    login,
    client_item,  # noqa: F811
    email,
):
    pid, iid = client_item
    response = post(login, pid, iid, update_data(iid, "done"), email=email)
    assert response.status_code in (403, 404)
    assert load_item(app, iid).status is Status.TODO
