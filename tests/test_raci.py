"""Who does an item (responsible: its party), who answers for it (accountable) and who takes
part (contributors): shown on the project page, the item page, the catalogue, the exports and
the API, and filtered on by accountable party.

The world's project_b has an IMS contract (IMS does the client's eligible rows, for which the
client answers) and a partner implementation (the partner does the implementation row, for
which Infor answers); on both projects the client contributes to the implementation.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from tests import factories
from tests.factories import CLIENT_ROW, IMS_ROW, INFOR_ROW, PARTNER_ROW, World
from tests.test_api import api, spec, token  # noqa: F401 - fixtures
from tests.test_dashboards import (
    get_page,
    item_ids,
    number_at,
    overdue_ids,
    quiet,  # noqa: F401 - a fixture
    set_items,
    soon_ids,
    table_item_ids,
)
from tests.test_exports import read_csv
from tracker.enums import Party
from tracker.extensions import db
from tracker.models import ChecklistItem


def item_id(app, project_id: int, row: str, party: Party | None = None) -> int:
    with app.app_context():
        return factories.item_of(project_id, row, party).id


def items_answered_by(app, project_id: int, party: Party) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(ChecklistItem.id)
                .where(ChecklistItem.project_id == project_id, ChecklistItem.accountable == party)
                .order_by(ChecklistItem.id)
            )
        )


def item_row(html: str, iid: int) -> str:
    """The project page's row of item ``iid``."""
    found = re.search(rf'<li class="item-row[^"]*" id="item-{iid}">(.*?)</li>', html, re.S)
    assert found, f"item {iid} is not on the page"
    return found.group(1)


def row_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<li class="item-row[^"]*" id="item-(\d+)"', html)}


def raci_of(html: str) -> dict[str, str]:
    """The item's responsible, accountable and contributing parties as the page says them."""
    block = re.search(r'<dl class="[^"]*raci[^"]*">(.*?)</dl>', html, re.S).group(1)
    return {
        term: re.sub(r"<[^>]+>", "", value).strip()
        for term, value in re.findall(r"<dt>([^<]*)</dt><dd>(.*?)</dd>", block, re.S)
    }


# --- the project page -----------------------------------------------------------------------


def test_a_row_says_who_answers_for_an_item_another_party_does(app, world, login):
    iid = item_id(app, world.project_b, IMS_ROW, Party.IMS)

    html = login(World.CSM).get(f"/projects/{world.project_b}").get_data(as_text=True)

    assert re.search(r"Accountable: <span[^>]*>Client</span>", item_row(html, iid))


def test_a_row_whose_party_answers_for_it_says_nothing_more(app, world, login):
    iid = item_id(app, world.project_b, CLIENT_ROW, Party.CLIENT)

    html = login(World.CSM).get(f"/projects/{world.project_b}").get_data(as_text=True)

    assert "Accountable" not in item_row(html, iid)


def test_the_project_page_filters_by_accountable_party(app, world, login):
    html = login(World.CSM).get(f"/projects/{world.project_b}?accountable=client")

    shown = row_ids(html.get_data(as_text=True))
    assert shown == set(items_answered_by(app, world.project_b, Party.CLIENT))
    assert item_id(app, world.project_b, IMS_ROW, Party.IMS) in shown


def test_a_client_whose_ims_works_for_it_is_offered_what_its_side_answers_for(world, login):
    html = login(World.CLIENT_B).get(f"/projects/{world.project_b}").get_data(as_text=True)

    assert f'href="/projects/{world.project_b}?accountable=client#items"' in html


def test_the_open_editor_names_the_items_contributors(app, world, login):
    iid = item_id(app, world.project_a, PARTNER_ROW)

    html = login(World.CSM).get(f"/projects/{world.project_a}/items/{iid}/row?editor=1")

    assert raci_of(html.get_data(as_text=True))["Contributors"] == "Client"


# --- the item page --------------------------------------------------------------------------


def test_the_item_page_names_the_responsible_accountable_and_contributing_parties(
    app, world, login
):
    iid = item_id(app, world.project_b, PARTNER_ROW, Party.PARTNER)

    html = login(World.CSM).get(f"/projects/{world.project_b}/items/{iid}").get_data(as_text=True)

    assert raci_of(html) == {
        "Responsible": "Partner",
        "Accountable": "Infor",
        "Contributors": "Client",
    }


def test_an_item_without_contributors_says_so(app, world, login):
    iid = item_id(app, world.project_a, INFOR_ROW)

    html = login(World.CSM).get(f"/projects/{world.project_a}/items/{iid}").get_data(as_text=True)

    assert raci_of(html)["Contributors"] == "None"


@pytest.mark.parametrize(("email", "shown"), [(World.CSM, True), (World.CLIENT_A, False)])
def test_how_the_contributors_were_read_is_shown_to_the_vendors_people_only(
    app, world, login, email, shown
):
    with app.app_context():
        item = factories.item_of(world.project_a, PARTNER_ROW)
        rationale, iid = item.responsibility.raci_rationale, item.id

    html = login(email).get(f"/projects/{world.project_a}/items/{iid}").get_data(as_text=True)

    assert (str(escape(rationale)) in html) is shown


def test_the_catalogue_page_lists_a_rows_contributors(world, login):
    html = login(World.ADMIN).get("/catalogue").get_data(as_text=True)

    row = re.search(r"<code>migrate_legacy_data</code>(.*?)</tr>", html, re.S).group(1)
    assert "Contributors: Implementer (Infor or partner), Client" in row


# --- exports --------------------------------------------------------------------------------


def test_the_checklist_export_has_the_responsible_accountable_and_contributing_parties(
    world, login
):
    rows = read_csv(login(World.CSM).get(f"/projects/{world.project_b}/export.csv"))

    implementation = next(row for row in rows if row["Catalogue row"] == PARTNER_ROW)
    assert (
        implementation["Responsible"],
        implementation["Accountable"],
        implementation["Contributors"],
    ) == ("Partner", "Infor", "Client")


def test_the_checklist_export_follows_the_accountable_filter(app, world, login):
    rows = read_csv(
        login(World.CSM).get(f"/projects/{world.project_b}/export.csv?accountable=client")
    )

    assert {row["Accountable"] for row in rows} == {"Client"}
    assert len(rows) == len(items_answered_by(app, world.project_b, Party.CLIENT))


def test_the_overdue_export_has_the_accountable_party(app, quiet, login):  # noqa: F811
    set_items(app, [item_id(app, quiet.project_b, IMS_ROW, Party.IMS)], due_in=-2)

    rows = read_csv(login(World.CSM).get("/overdue/export.csv"))

    assert [(r["Responsible"], r["Accountable"]) for r in rows if r["List"] == "Overdue"] == [
        ("IMS", "Client")
    ]


# --- the overdue dashboard ------------------------------------------------------------------


def test_the_overdue_dashboard_filters_by_accountable_party(app, client, login, quiet):  # noqa: F811
    ims = item_ids(app, quiet.project_b, Party.IMS)
    infor = item_ids(app, quiet.project_b, Party.INFOR)
    for_client = [i for i in ims if i in items_answered_by(app, quiet.project_b, Party.CLIENT)]
    set_items(app, [for_client[0], infor[0]], due_in=-2)
    set_items(app, [for_client[1], infor[1]], due_in=2)
    login(World.CSM)

    page = get_page(client, "/overdue?accountable=client")

    assert overdue_ids(page) == [for_client[0]]
    assert soon_ids(page) == [for_client[1]]


def test_the_overdue_dashboard_says_who_answers_for_an_item_another_party_does(
    app,
    client,
    login,
    quiet,  # noqa: F811
):
    set_items(app, [item_id(app, quiet.project_b, IMS_ROW, Party.IMS)], due_in=-2)
    login(World.CSM)

    page = get_page(client, "/overdue")

    assert re.search(r"Accountable: <span[^>]*>Client</span>", page)


# --- my tasks -------------------------------------------------------------------------------


def test_a_client_sees_what_its_company_answers_for_imss_work_included(
    app,
    client,
    login,
    quiet,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 500)
    login(World.CLIENT_B)

    shown = set(table_item_ids(get_page(client, "/my-tasks?answerable=1")))

    assert shown == set(items_answered_by(app, quiet.project_b, Party.CLIENT))
    assert item_id(app, quiet.project_b, IMS_ROW, Party.IMS) in shown


def test_what_a_client_answers_for_leaves_other_customers_items_out(
    app,
    client,
    login,
    quiet,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 500)
    login(World.CLIENT_A)

    shown = set(table_item_ids(get_page(client, "/my-tasks?answerable=1")))

    assert shown == set(items_answered_by(app, quiet.project_a, Party.CLIENT))


def test_a_csm_sees_what_infor_answers_for_on_their_projects_a_partners_work_included(
    app,
    client,
    login,
    quiet,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 500)
    login(World.CSM)

    shown = set(table_item_ids(get_page(client, "/my-tasks?answerable=1")))

    assert shown == set(
        items_answered_by(app, quiet.project_a, Party.INFOR)
        + items_answered_by(app, quiet.project_b, Party.INFOR)
    )
    assert item_id(app, quiet.project_b, PARTNER_ROW, Party.PARTNER) in shown


def test_what_a_side_answers_for_is_counted_as_listed(app, client, login, quiet, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "PAGE_SIZE", 500)
    login(World.CLIENT_B)

    page = get_page(client, "/my-tasks?answerable=1")

    assert number_at(page, "task-count") == len(table_item_ids(page)) > 0


def test_an_administrator_answers_for_no_side_and_keeps_their_tasks(app, client, login, quiet):  # noqa: F811
    assigned = item_id(app, quiet.project_a, INFOR_ROW)
    set_items(app, [assigned], assignee_id=quiet.admin)
    login(World.ADMIN)

    page = get_page(client, "/my-tasks?answerable=1")

    assert "Answerable for" not in page
    assert table_item_ids(page) == [assigned]


# --- the API --------------------------------------------------------------------------------


def test_an_item_document_has_its_responsible_accountable_and_contributing_parties(
    app,
    api,  # noqa: F811
    token,  # noqa: F811
    world,
):
    iid = item_id(app, world.project_b, PARTNER_ROW, Party.PARTNER)

    body = api("GET", f"/items/{iid}", token(World.CSM)).get_json()

    assert (body["responsible"], body["accountable"], body["contributors"]) == (
        "partner",
        "infor",
        ["client"],
    )


def test_an_item_documents_party_stays_its_responsible_party(app, api, token, world):  # noqa: F811
    iid = item_id(app, world.project_b, IMS_ROW, Party.IMS)

    body = api("GET", f"/items/{iid}", token(World.CSM)).get_json()

    assert body["party"] == body["responsible"] == "ims"


def test_the_api_lists_the_items_a_party_answers_for(app, api, token, world):  # noqa: F811
    url = f"/items?project={world.project_b}&accountable=client&limit=200"

    body = api("GET", url, token(World.CLIENT_B)).get_json()

    assert [i["id"] for i in body["data"]] == items_answered_by(app, world.project_b, Party.CLIENT)


def test_the_api_overdue_list_filters_by_accountable_party(app, api, token, quiet):  # noqa: F811
    answered = item_id(app, quiet.project_b, IMS_ROW, Party.IMS)
    set_items(app, [answered, item_id(app, quiet.project_b, INFOR_ROW)], due_in=-2)

    body = api("GET", "/overdue?accountable=client", token(World.CSM)).get_json()

    assert [i["id"] for i in body["data"]] == [answered]


def test_an_unknown_accountable_party_is_a_422_naming_the_parameter(api, token, world):  # noqa: F811
    response = api("GET", "/items?accountable=someone", token(World.CSM))

    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["accountable"]


def test_the_catalogue_document_has_each_rows_contributors(api, token, world):  # noqa: F811
    body = api("GET", "/catalogue", token(World.ADMIN)).get_json()

    rows = {row["key"]: row for area in body["areas"] for row in area["rows"]}
    assert (
        rows["migrate_legacy_data"]["accountable"],
        rows["migrate_legacy_data"]["contributors"],
    ) == (
        None,
        ["implementer", "client"],
    )
