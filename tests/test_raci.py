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
    block = re.search(r'<dl class="raci[^"]*">(.*?)</dl>', html, re.S).group(1)
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
