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


# --- the row's editor, its comments, and the parts of the page that follow a change ----------


def test_the_row_asked_with_its_editor_holds_the_full_form_and_comments(login, client_item):  # noqa: F811
    pid, iid = client_item
    response = login(World.CLIENT_A).get(
        f"/projects/{pid}/items/{iid}/row?editor=1&next=/projects/{pid}%3Fparty%3Dclient"
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert f'id="item-{iid}-editor"' in html and "<html" not in html
    assert f'name="item{iid}-assignee_id"' in html and f'name="item{iid}-reason"' in html
    assert 'class="item-comment-form"' in html
    assert f'value="/projects/{pid}?party=client"' in html  # the way back, with its filters
    assert 'aria-expanded="true"' in html


def test_the_row_asked_without_its_editor_is_compact(login, client_item):  # noqa: F811
    pid, iid = client_item
    html = login(World.CLIENT_A).get(f"/projects/{pid}/items/{iid}/row").get_data(as_text=True)
    assert "item-editor" not in html and 'aria-expanded="false"' in html


def test_a_comment_added_in_place_answers_the_row_with_it(login, client_item):  # noqa: F811
    pid, iid = client_item
    response = login(World.CLIENT_A).post(
        f"/projects/{pid}/items/{iid}/comments",
        data={"body": "Booked for Tuesday", "next": f"/projects/{pid}"},
        headers=IN_PLACE,
    )
    assert response.status_code == 200 and response.headers["X-Item-Result"] == "commented"
    html = response.get_data(as_text=True)
    assert "Booked for Tuesday" in html and f'id="item-{iid}-editor"' in html


def test_an_empty_comment_in_place_answers_the_row_with_the_error(login, client_item):  # noqa: F811
    pid, iid = client_item
    response = login(World.CLIENT_A).post(
        f"/projects/{pid}/items/{iid}/comments", data={"body": " "}, headers=IN_PLACE
    )
    assert response.status_code == 422 and response.headers["X-Item-Result"] == "invalid"
    assert "invalid-feedback" in response.get_data(as_text=True)


def test_the_summary_follows_a_change_of_status(login, client_item):  # noqa: F811
    pid, iid = client_item
    client = login(World.CLIENT_A)

    def closed() -> int:
        html = client.get(f"/projects/{pid}/summary").get_data(as_text=True)
        for part in ("health", "overview", "details", "recent"):
            assert f'data-live="{part}"' in html
        return int(re.search(r"All phases: (\d+) of", html).group(1))

    before = closed()
    post(login, pid, iid, update_data(iid, "done"))
    assert closed() == before + 1


# --- the item page: saving stays on the item --------------------------------------------------


def test_saving_on_the_item_page_stays_on_the_item(login, client_item):  # noqa: F811
    pid, iid = client_item
    client = login(World.CLIENT_A)
    page = client.get(f"/projects/{pid}/items/{iid}?next=/projects/{pid}%3Fstatus%3Dtodo")
    here = re.search(rf'name="item{iid}-next" value="([^"]+)"', page.text)
    assert here, "the item page's form returns to the item page"

    response = client.post(
        f"/projects/{pid}/items/{iid}",
        data=update_data(iid, "done", next_url=here.group(1).replace("&amp;", "&")),
    )

    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/projects/{pid}/items/{iid}?next=")
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    back = re.search(r'<a href="([^"]+)" data-testid="back-to-checklist"', again).group(1)
    assert back == f"/projects/{pid}?status=todo#item-{iid}"


def test_the_item_page_leads_back_to_the_project_page_by_default(login, client_item):  # noqa: F811
    pid, iid = client_item
    html = login(World.CLIENT_A).get(f"/projects/{pid}/items/{iid}").get_data(as_text=True)
    back = re.search(r'<a href="([^"]+)" data-testid="back-to-checklist"', html).group(1)
    assert back == f"/projects/{pid}#item-{iid}"


def test_the_item_page_ignores_a_way_back_off_the_site(login, client_item):  # noqa: F811
    pid, iid = client_item
    html = (
        login(World.CLIENT_A)
        .get(f"/projects/{pid}/items/{iid}?next=https://evil.example/")
        .get_data(as_text=True)
    )
    back = re.search(r'<a href="([^"]+)" data-testid="back-to-checklist"', html).group(1)
    assert back == f"/projects/{pid}#item-{iid}"
    assert 'value="https://evil.example' not in html


@pytest.mark.parametrize(
    "posted_next",
    [
        "/projects/{pid}?status=todo",  # a row's status menu, without JavaScript
        "/projects/{pid}/items/{iid}?next=/projects/{pid}%3Fstatus%3Dtodo",  # the item page
    ],
)
def test_a_refused_save_keeps_the_way_back_to_the_filtered_list(login, client_item, posted_next):  # noqa: F811
    pid, iid = client_item
    response = login(World.CLIENT_A).post(
        f"/projects/{pid}/items/{iid}",
        data={
            f"item{iid}-status": "blocked",  # without a reason
            f"item{iid}-version": "1",
            f"item{iid}-next": posted_next.format(pid=pid, iid=iid),
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    back = re.search(r'<a href="([^"]+)" data-testid="back-to-checklist"', html).group(1)
    assert back == f"/projects/{pid}?status=todo#item-{iid}"
