"""The item controls of the project page (tracker/checklist/controls.py): rendered from one
set of choices per page, they post what ItemUpdateForm validates."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests import factories
from tests.factories import World
from tests.test_items import client_item, load_item  # noqa: F401 - a fixture
from tracker.enums import Party, Status
from tracker.extensions import db
from tracker.models import User

IN_PLACE = {"X-Requested-With": "XMLHttpRequest"}


class ItemForm(HTMLParser):
    """The fields of one item's form on a page, as a browser would submit them: each input's
    value, each select's selected option (else its first), each textarea's text; and the
    options each select offers."""

    def __init__(self, item_id: int) -> None:
        super().__init__()
        self.action = f"/items/{item_id}"
        self.inside = False
        self.values: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("action") or "").endswith(self.action):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("type") != "submit":
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
            self.options[self._select] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a["value"])
            if "selected" in a or self._select not in self.values:
                self.values[self._select] = a["value"]
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one line break that follows <textarea>.
            self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self._textarea = None


def item_form(html: str, item_id: int) -> ItemForm:
    form = ItemForm(item_id)
    form.feed(html)
    assert form.values, f"no form for item {item_id} on the page"
    return form


def project_page(client, project_id: int) -> str:
    response = client.get(f"/projects/{project_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def editor_row(client, project_id: int, item_id: int) -> str:
    """The item's row of the project page with its editor open, as "Edit" asks for it."""
    response = client.get(f"/projects/{project_id}/items/{item_id}/row?editor=1")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_editors_form_posted_as_shown_saves_the_change(app, login, client_item):  # noqa: F811
    pid, iid = client_item
    client = login(World.CLIENT_A)
    form = item_form(editor_row(client, pid, iid), iid)
    form.values[f"item{iid}-status"] = Status.DONE.value

    response = client.post(f"/projects/{pid}/items/{iid}", data=form.values)

    assert response.status_code == 302
    assert load_item(app, iid).status is Status.DONE


def test_the_form_shows_the_items_saved_values(app, login, world):
    with app.app_context():
        item = factories.item_of(world.project_a, "register_for_onboarding_webinar", Party.CLIENT)
        item.status, item.assignee_id = Status.IN_PROGRESS, world.client_a
        db.session.commit()
        iid, due = item.id, item.due_date.isoformat()

    values = item_form(editor_row(login(World.CSM), world.project_a, iid), iid).values

    assert values[f"item{iid}-status"] == "in_progress"
    assert values[f"item{iid}-assignee_id"] == str(world.client_a)
    assert values[f"item{iid}-due_date"] == due
    assert values[f"item{iid}-version"] == "2"


def test_a_client_is_not_offered_not_applicable(login, client_item):  # noqa: F811
    pid, iid = client_item
    form = item_form(editor_row(login(World.CLIENT_A), pid, iid), iid)
    assert Status.NOT_APPLICABLE.value not in form.options[f"item{iid}-status"]


def test_a_csm_is_offered_not_applicable(login, client_item):  # noqa: F811
    pid, iid = client_item
    form = item_form(editor_row(login(World.CSM), pid, iid), iid)
    assert Status.NOT_APPLICABLE.value in form.options[f"item{iid}-status"]


def test_a_client_gets_no_due_date_control(login, client_item):  # noqa: F811
    pid, iid = client_item
    form = item_form(editor_row(login(World.CLIENT_A), pid, iid), iid)
    assert f"item{iid}-due_date" not in form.values


def test_a_client_item_offers_the_customers_users_only(app, login, world, client_item):  # noqa: F811
    pid, iid = client_item
    form = item_form(editor_row(login(World.CSM), pid, iid), iid)
    assert form.options[f"item{iid}-assignee_id"] == ["0", str(world.client_a)]


def test_an_item_keeps_its_deactivated_assignee_selected(app, login, world, client_item):  # noqa: F811
    pid, iid = client_item
    with app.app_context():
        gone = factories.user("gone@acme.test", factories.Role.CLIENT, world.customer_a)
        factories.item_of(
            pid, "register_for_onboarding_webinar", Party.CLIENT
        ).assignee_id = gone.id
        db.session.get(User, gone.id).active = False
        db.session.commit()
        gone_id = gone.id

    form = item_form(editor_row(login(World.CSM), pid, iid), iid)

    assert form.values[f"item{iid}-assignee_id"] == str(gone_id)


def test_a_refused_save_shows_the_posted_values_and_the_error(app, login, client_item):  # noqa: F811
    pid, iid = client_item
    client = login(World.CLIENT_A)
    form = item_form(editor_row(client, pid, iid), iid)
    form.values[f"item{iid}-status"] = Status.BLOCKED.value  # without a reason

    response = client.post(f"/projects/{pid}/items/{iid}", data=form.values, headers=IN_PLACE)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert item_form(html, iid).values[f"item{iid}-status"] == "blocked"
    assert "Say why the item is blocked." in html


@pytest.mark.parametrize("email", [World.CLIENT_A, World.CSM])
def test_each_item_form_carries_a_working_csrf_token(app, login, client_item, monkeypatch, email):  # noqa: F811
    pid, iid = client_item
    client = login(email)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    form = item_form(editor_row(client, pid, iid), iid)
    form.values[f"item{iid}-status"] = Status.DONE.value

    response = client.post(f"/projects/{pid}/items/{iid}", data=form.values)

    assert response.status_code == 302
    assert load_item(app, iid).status is Status.DONE


def deactivated_client(app, world, pid: int, *, assigned: bool) -> int:
    """A deactivated user of the item's customer, the item's assignee when ``assigned``."""
    with app.app_context():
        gone = factories.user("gone@acme.test", factories.Role.CLIENT, world.customer_a)
        if assigned:
            factories.item_of(
                pid, "register_for_onboarding_webinar", Party.CLIENT
            ).assignee_id = gone.id
        db.session.get(User, gone.id).active = False
        db.session.commit()
        return gone.id


def test_a_save_keeps_a_deactivated_assignee(app, login, world, client_item):  # noqa: F811
    pid, iid = client_item
    gone_id = deactivated_client(app, world, pid, assigned=True)
    client = login(World.CSM)
    form = item_form(editor_row(client, pid, iid), iid)
    form.values[f"item{iid}-status"] = Status.IN_PROGRESS.value

    response = client.post(f"/projects/{pid}/items/{iid}", data=form.values)

    assert response.status_code == 302
    saved = load_item(app, iid)
    assert (saved.status, saved.assignee_id) == (Status.IN_PROGRESS, gone_id)


def test_a_save_refuses_a_deactivated_user_as_new_assignee(app, login, world, client_item):  # noqa: F811
    pid, iid = client_item
    gone_id = deactivated_client(app, world, pid, assigned=False)
    client = login(World.CSM)
    form = item_form(editor_row(client, pid, iid), iid)
    form.values[f"item{iid}-assignee_id"] = str(gone_id)

    response = client.post(f"/projects/{pid}/items/{iid}", data=form.values, headers=IN_PLACE)

    assert response.status_code == 422
    assert "Assignee: Not a valid choice." in response.get_data(as_text=True)
    assert load_item(app, iid).assignee_id is None


# --- the project page's compact rows ----------------------------------------------------


class StatusMenu(HTMLParser):
    """One item's status menu on the project page: its hidden fields and the status each of
    its buttons posts."""

    def __init__(self, item_id: int) -> None:
        super().__init__()
        self.action = f"/items/{item_id}"
        self.inside = False
        self.hidden: dict[str, str] = {}
        self.buttons: dict[str, str] = {}  # status value -> label
        self._button: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "item-status-form" in (a.get("class") or ""):
            self.inside = (a.get("action") or "").endswith(self.action)
        elif self.inside and tag == "input":
            self.hidden[a["name"]] = a.get("value", "")
        elif self.inside and tag == "button":
            self._button = a["value"]
            self.name = a["name"]

    def handle_data(self, data):
        if self._button:
            self.buttons[self._button] = data.strip()

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "button":
            self._button = None


def status_menu(html: str, item_id: int) -> StatusMenu:
    menu = StatusMenu(item_id)
    menu.feed(html)
    return menu


def test_the_project_page_shows_no_assignee_menu_or_reason_box(login, client_item):  # noqa: F811
    pid, _ = client_item
    html = project_page(login(World.CSM), pid)
    assert "-assignee_id" not in html and "-reason" not in html and "-due_date" not in html


def test_the_status_menu_posts_the_status_alone_and_keeps_the_rest(app, login, world, client_item):  # noqa: F811
    pid, iid = client_item
    with app.app_context():
        item = factories.item_of(pid, "register_for_onboarding_webinar", Party.CLIENT)
        item.assignee_id = world.client_a
        db.session.commit()
        due = item.due_date
    client = login(World.CSM)
    menu = status_menu(project_page(client, pid), iid)
    assert list(menu.buttons) == [s.value for s in Status]

    response = client.post(
        f"/projects/{pid}/items/{iid}", data={**menu.hidden, menu.name: Status.IN_PROGRESS.value}
    )

    assert response.status_code == 302
    saved = load_item(app, iid)
    assert (saved.status, saved.assignee_id, saved.due_date) == (
        Status.IN_PROGRESS, world.client_a, due,
    )  # fmt: skip


def test_a_client_status_menu_offers_no_not_applicable(login, client_item):  # noqa: F811
    pid, iid = client_item
    menu = status_menu(project_page(login(World.CLIENT_A), pid), iid)
    assert Status.NOT_APPLICABLE.value not in menu.buttons and Status.DONE.value in menu.buttons


def test_a_status_needing_a_reason_opens_the_editor_at_the_reason(app, login, client_item):  # noqa: F811
    pid, iid = client_item
    client = login(World.CLIENT_A)
    menu = status_menu(project_page(client, pid), iid)

    response = client.post(
        f"/projects/{pid}/items/{iid}",
        data={**menu.hidden, menu.name: Status.BLOCKED.value},
        headers=IN_PLACE,
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="item-{iid}-editor"' in html
    assert f'is-invalid" id="item{iid}-reason"' in html
    assert item_form(html, iid).values[f"item{iid}-status"] == "blocked"
    assert load_item(app, iid).status is Status.TODO


def test_the_row_comes_back_compact_after_a_save_in_the_editor(login, client_item):  # noqa: F811
    pid, iid = client_item
    client = login(World.CLIENT_A)
    form = item_form(editor_row(client, pid, iid), iid)
    form.values[f"item{iid}-status"] = Status.DONE.value

    response = client.post(f"/projects/{pid}/items/{iid}", data=form.values, headers=IN_PLACE)

    assert response.status_code == 200 and response.headers["X-Item-Result"] == "updated"
    html = response.get_data(as_text=True)
    assert "item-editor" not in html and 'class="item-status-form' in html
