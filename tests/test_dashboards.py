"""The overdue and due-soon dashboard, "my tasks", and the portfolio's progress and counts.

Every test starts from the shared world with all its items put far in the future (nothing
overdue, nothing due soon) and then gives a few items known due dates and statuses, written
straight to the database.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import World
from tracker.checklist.queries import progress_by_project
from tracker.enums import Party, Phase, Status
from tracker.extensions import db
from tracker.models import ChecklistItem
from tracker.timeutil import today

FAR_AWAY = 100  # days ahead: neither overdue nor due soon


# --- setting items up -----------------------------------------------------------------


def item_ids(app, project_id: int, party: Party | None = None) -> list[int]:
    with app.app_context():
        query = sa.select(ChecklistItem.id).where(ChecklistItem.project_id == project_id)
        if party is not None:
            query = query.where(ChecklistItem.party == party)
        return list(db.session.scalars(query.order_by(ChecklistItem.id)))


def set_items(app, ids, *, due_in: int | None = None, **values) -> None:
    """Give the items ``ids`` a due date ``due_in`` days from today and/or other values."""
    if due_in is not None:
        values["due_date"] = today() + timedelta(days=due_in)
    with app.app_context():
        for item in db.session.scalars(sa.select(ChecklistItem).where(ChecklistItem.id.in_(ids))):
            for name, value in values.items():
                setattr(item, name, value)
        db.session.commit()


def add_project(app, customer_id: int, csm_id: int, name: str, **overrides) -> int:
    """Another project, with all its items far in the future like the world's."""
    with app.app_context():
        project_id = factories.project(customer_id, csm_id, name=name, **overrides).id
    set_items(app, item_ids(app, project_id), due_in=FAR_AWAY, status=Status.TODO)
    return project_id


@pytest.fixture
def quiet(app, world) -> World:
    """The world with every item open and due far in the future."""
    with app.app_context():
        ids = list(db.session.scalars(sa.select(ChecklistItem.id)))
    set_items(app, ids, due_in=FAR_AWAY, status=Status.TODO)
    return world


@pytest.fixture
def scenario(app, quiet) -> dict[str, list[int]]:
    """Project A: 3 open items a day late, 1 done and 1 not applicable a day late, 2 due in
    3 days. Project B: 2 open items 5 days late, 1 due today."""
    a = item_ids(app, quiet.project_a)
    b = item_ids(app, quiet.project_b)
    s = {
        "a_overdue": a[0:3],
        "a_closed_late": a[3:5],
        "a_soon": a[5:7],
        "b_overdue": b[0:2],
        "b_soon": b[2:3],
    }
    set_items(app, [a[0]], due_in=-1, status=Status.TODO)
    set_items(app, [a[1]], due_in=-1, status=Status.IN_PROGRESS)
    set_items(app, [a[2]], due_in=-1, status=Status.BLOCKED, reason="Waiting")
    set_items(app, [a[3]], due_in=-1, status=Status.DONE)
    set_items(app, [a[4]], due_in=-1, status=Status.NOT_APPLICABLE, reason="Not needed")
    set_items(app, s["a_soon"], due_in=3)
    set_items(app, s["b_overdue"], due_in=-5)
    set_items(app, s["b_soon"], due_in=0)
    return s


# --- reading pages --------------------------------------------------------------------


def get_page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"GET {url} gave {response.status_code}"
    return response.get_data(as_text=True)


def table_item_ids(html: str) -> list[int]:
    """Ids of the items listed in the item tables of ``html``, in page order."""
    return [int(i) for i in re.findall(r'href="/projects/\d+/items/(\d+)"', html)]


def dashboard_sections(html: str) -> tuple[str, str]:
    """The overdue section and the due-soon section of the overdue dashboard."""
    overdue_part, soon_part = html.split('id="soon-heading"')
    return overdue_part.split('id="overdue-heading"')[1], soon_part


def overdue_ids(html: str) -> list[int]:
    return table_item_ids(dashboard_sections(html)[0])


def soon_ids(html: str) -> list[int]:
    return table_item_ids(dashboard_sections(html)[1])


def days_overdue(html: str) -> dict[int, int]:
    """Item id -> the 'days overdue' column of the overdue table."""
    rows = re.findall(r"<tr>(.*?)</tr>", dashboard_sections(html)[0], re.S)
    days = {}
    for row in rows[1:]:  # the first is the header
        item = re.search(r'href="/projects/\d+/items/(\d+)"', row)
        late = re.search(r'<td class="text-danger fw-semibold">(-?\d+)</td>', row)
        days[int(item.group(1))] = int(late.group(1))
    return days


def number_at(html: str, name: str) -> int:
    match = re.search(rf'data-testid="{name}">(\d+)<', html)
    assert match, f"no data-testid={name} on the page"
    return int(match.group(1))


def portfolio_rows(html: str) -> dict[int, str]:
    """Project id -> its portfolio table row."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        link = re.search(r'href="/projects/(\d+)"', row)
        if link:
            rows[int(link.group(1))] = row
    return rows


def portfolio_overdue(html: str, project_id: int) -> int:
    row = portfolio_rows(html)[project_id]
    badge = r'<a [^>]*title="Overdue items">(\d+)</a>'
    zero = r'<span class="text-muted">(\d+)</span>'
    match = re.search(rf"<td>(?:{badge}|{zero})</td>", row)
    assert match, "no overdue cell in the portfolio row"
    return int(match.group(1) or match.group(2))


def portfolio_phase_bar(html: str, project_id: int, phase: Phase) -> tuple[int, int]:
    """(closed, total) shown by a phase's progress bar on a portfolio row."""
    row = portfolio_rows(html)[project_id]
    match = re.search(rf'aria-label="{phase.label}: (\d+) of (\d+) closed"', row)
    assert match, f"no {phase.label} bar in the portfolio row"
    return int(match.group(1)), int(match.group(2))


# --- the overdue dashboard ------------------------------------------------------------


def test_overdue_dashboard_lists_exactly_the_open_past_due_items(client, login, scenario):
    login(World.CSM)
    page = get_page(client, "/overdue")

    assert sorted(overdue_ids(page)) == sorted(scenario["a_overdue"] + scenario["b_overdue"])
    assert number_at(page, "overdue-count") == 5


def test_overdue_dashboard_lists_the_most_overdue_first_with_days_overdue(client, login, scenario):
    login(World.CSM)
    page = get_page(client, "/overdue")

    assert overdue_ids(page)[:2] == scenario["b_overdue"]
    assert days_overdue(page) == {
        **dict.fromkeys(scenario["b_overdue"], 5),
        **dict.fromkeys(scenario["a_overdue"], 1),
    }


def test_counts_on_the_dashboard_portfolio_and_project_page_agree(client, login, scenario, quiet):
    login(World.CSM)
    portfolio = get_page(client, "/projects")

    for project_id, customer_id, expected in (
        (quiet.project_a, quiet.customer_a, 3),
        (quiet.project_b, quiet.customer_b, 2),
    ):
        dashboard = get_page(client, f"/overdue?customer={customer_id}")
        project_page = get_page(client, f"/projects/{project_id}")
        assert number_at(dashboard, "overdue-count") == expected
        assert portfolio_overdue(portfolio, project_id) == expected
        assert number_at(project_page, "overdue-total") == expected


def test_done_and_not_applicable_items_are_never_overdue(app, client, login, quiet):
    ids = item_ids(app, quiet.project_a)
    half = len(ids) // 2
    set_items(app, ids[:half], due_in=-40, status=Status.DONE)
    set_items(app, ids[half:], due_in=-40, status=Status.NOT_APPLICABLE, reason="Not needed")
    login(World.CSM)

    dashboard = get_page(client, "/overdue")
    assert overdue_ids(dashboard) == []
    assert number_at(dashboard, "overdue-count") == 0
    assert portfolio_overdue(get_page(client, "/projects"), quiet.project_a) == 0
    assert number_at(get_page(client, f"/projects/{quiet.project_a}"), "overdue-total") == 0


def test_due_soon_lists_only_open_items_due_within_seven_days(app, client, login, quiet):
    a = item_ids(app, quiet.project_a)
    set_items(app, [a[0]], due_in=0)
    set_items(app, [a[1]], due_in=7, status=Status.BLOCKED, reason="Waiting")
    set_items(app, [a[2]], due_in=8)
    set_items(app, [a[3]], due_in=-1)
    set_items(app, [a[4]], due_in=3, status=Status.DONE)
    set_items(app, [a[5]], due_in=3, status=Status.NOT_APPLICABLE, reason="Not needed")
    login(World.CSM)

    page = get_page(client, "/overdue")

    assert soon_ids(page) == [a[0], a[1]]
    assert number_at(page, "due-soon-count") == 2


# --- filters --------------------------------------------------------------------------


def test_overdue_dashboard_filter_by_party_narrows_both_lists(app, client, login, quiet):
    infor = item_ids(app, quiet.project_a, Party.INFOR)
    clients = item_ids(app, quiet.project_a, Party.CLIENT)
    set_items(app, [infor[0], clients[0]], due_in=-2)
    set_items(app, [infor[1], clients[1]], due_in=2)
    login(World.CSM)

    page = get_page(client, "/overdue?party=client")

    assert overdue_ids(page) == [clients[0]]
    assert soon_ids(page) == [clients[1]]


def test_overdue_dashboard_filter_by_csm_narrows_both_lists(app, client, login, quiet):
    theirs = add_project(app, quiet.customer_a, quiet.other_csm, "Acme second site")
    mine = item_ids(app, quiet.project_a)
    other = item_ids(app, theirs)
    set_items(app, [mine[0], other[0]], due_in=-2)
    set_items(app, [mine[1], other[1]], due_in=2)
    login(World.CSM)

    page = get_page(client, f"/overdue?csm={quiet.other_csm}")

    assert overdue_ids(page) == [other[0]]
    assert soon_ids(page) == [other[1]]


def test_overdue_dashboard_filter_by_customer_narrows_both_lists(app, client, login, quiet):
    a = item_ids(app, quiet.project_a)
    b = item_ids(app, quiet.project_b)
    set_items(app, [a[0], b[0]], due_in=-2)
    set_items(app, [a[1], b[1]], due_in=2)
    login(World.CSM)

    page = get_page(client, f"/overdue?customer={quiet.customer_b}")

    assert overdue_ids(page) == [b[0]]
    assert soon_ids(page) == [b[1]]


@pytest.mark.parametrize(
    "query",
    ["party=xyz", "csm=abc", "customer=garbage", "csm=-3", "customer=99999999999", "page=x"],
)
def test_overdue_dashboard_ignores_unknown_filter_values(client, login, scenario, query):
    login(World.CSM)
    unfiltered = get_page(client, "/overdue")

    page = get_page(client, f"/overdue?{query}")

    assert overdue_ids(page) == overdue_ids(unfiltered)
    assert soon_ids(page) == soon_ids(unfiltered)


# --- pagination -----------------------------------------------------------------------


def test_overdue_dashboard_page_two_shows_the_rest(client, login, scenario, monkeypatch, app):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    login(World.CSM)
    everything = scenario["b_overdue"] + scenario["a_overdue"]  # most overdue first

    first = get_page(client, "/overdue")
    second = get_page(client, "/overdue?page=2")
    third = get_page(client, "/overdue?page=3")

    assert number_at(first, "overdue-count") == 5
    assert overdue_ids(first) == everything[:2]
    assert overdue_ids(second) == everything[2:4]
    assert overdue_ids(third) == everything[4:]


def test_due_soon_page_two_shows_the_rest(app, client, login, scenario, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    login(World.CSM)
    everything = scenario["b_soon"] + scenario["a_soon"]  # soonest due first

    first = get_page(client, "/overdue")
    second = get_page(client, "/overdue?soon_page=2")

    assert soon_ids(first) == everything[:2]
    assert soon_ids(second) == everything[2:]
    assert overdue_ids(second) == overdue_ids(first)  # the other list keeps its page


# --- my tasks -------------------------------------------------------------------------


def test_my_tasks_shows_a_client_their_companys_open_client_items_soonest_first(
    app, client, login, quiet, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 500)
    mine = item_ids(app, quiet.project_a, Party.CLIENT)
    # later ids fall due sooner, so that due-date order differs from id order
    for offset, item in enumerate(reversed(mine)):
        set_items(app, [item], due_in=offset - 2)
    set_items(app, [mine[0]], status=Status.DONE)
    expected = list(reversed(mine[1:]))
    login(World.CLIENT_A)

    page = get_page(client, "/my-tasks")

    assert table_item_ids(page) == expected
    assert number_at(page, "task-count") == len(expected)


def test_my_tasks_hides_other_parties_and_other_customers_items_from_a_client(
    app, client, login, quiet, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 500)
    login(World.CLIENT_A)

    shown = set(table_item_ids(get_page(client, "/my-tasks")))

    assert shown == set(item_ids(app, quiet.project_a, Party.CLIENT))
    assert not shown & set(item_ids(app, quiet.project_a, Party.INFOR))
    assert not shown & set(item_ids(app, quiet.project_b))


def test_my_tasks_shows_a_csm_unassigned_infor_items_of_their_projects_and_items_assigned_to_them(
    app, client, login, quiet, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 500)
    theirs = add_project(app, quiet.customer_a, quiet.other_csm, "Acme second site")
    a_infor = item_ids(app, quiet.project_a, Party.INFOR)
    b_infor = item_ids(app, quiet.project_b, Party.INFOR)
    other_infor = item_ids(app, theirs, Party.INFOR)
    set_items(app, [other_infor[0]], assignee_id=quiet.csm)  # on a project they don't manage
    set_items(app, [a_infor[0]], assignee_id=quiet.other_csm)  # taken by a colleague
    set_items(app, [a_infor[1]], status=Status.DONE)  # closed
    expected = set(a_infor[2:]) | set(b_infor) | {other_infor[0]}
    login(World.CSM)

    page = get_page(client, "/my-tasks")

    assert set(table_item_ids(page)) == expected
    assert number_at(page, "task-count") == len(expected)


def test_my_tasks_shows_an_ims_engineer_the_ims_items(app, client, login, quiet, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 500)
    ims_items = item_ids(app, quiet.project_b, Party.IMS)
    assert ims_items, "project_b should have IMS items"
    login(World.IMS)

    page = get_page(client, "/my-tasks")

    assert set(table_item_ids(page)) == set(ims_items)
    assert number_at(page, "task-count") == len(ims_items)


# --- the portfolio --------------------------------------------------------------------


def _phase_items(project_id: int, phase: Phase) -> list[ChecklistItem]:
    return [i for i in factories.items_of(project_id) if i.responsibility.phase is phase]


def test_marking_items_done_or_not_applicable_closes_them_in_the_phase_tally(ctx, quiet):
    before = progress_by_project([quiet.project_a], today())[quiet.project_a]
    onboarding = _phase_items(quiet.project_a, Phase.ONBOARDING)
    onboarding[0].status = Status.DONE
    onboarding[1].status = Status.NOT_APPLICABLE
    onboarding[1].reason = "Not needed"
    onboarding[2].status = Status.IN_PROGRESS
    db.session.commit()

    after = progress_by_project([quiet.project_a], today())[quiet.project_a]

    tally = after.phases[Phase.ONBOARDING]
    assert before.phases[Phase.ONBOARDING].closed == 0
    assert (tally.closed, tally.total) == (2, len(onboarding))
    assert tally.open == len(onboarding) - 2
    assert after.phases[Phase.GO_LIVE] == before.phases[Phase.GO_LIVE]
    assert after.overall.closed == 2


def test_portfolio_shows_closed_over_total_items_per_phase(app, client, login, quiet):
    with app.app_context():
        onboarding = [i.id for i in _phase_items(quiet.project_a, Phase.ONBOARDING)]
        go_live = [i.id for i in _phase_items(quiet.project_a, Phase.GO_LIVE)]
    set_items(app, onboarding[:2], status=Status.DONE)
    set_items(app, go_live[:1], status=Status.NOT_APPLICABLE, reason="Not needed")
    login(World.CSM)

    page = get_page(client, "/projects")

    assert portfolio_phase_bar(page, quiet.project_a, Phase.ONBOARDING) == (2, len(onboarding))
    assert portfolio_phase_bar(page, quiet.project_a, Phase.GO_LIVE) == (1, len(go_live))
    assert portfolio_phase_bar(page, quiet.project_b, Phase.ONBOARDING)[0] == 0


def test_portfolio_filter_by_csm_shows_only_their_projects(app, client, login, quiet):
    theirs = add_project(app, quiet.customer_b, quiet.other_csm, "Globex second site")
    login(World.CSM)

    assert set(portfolio_rows(get_page(client, f"/projects?csm={quiet.other_csm}"))) == {theirs}
    assert set(portfolio_rows(get_page(client, f"/projects?csm={quiet.csm}"))) == {
        quiet.project_a,
        quiet.project_b,
    }


def test_portfolio_filter_by_customer_shows_only_their_projects(app, client, login, quiet):
    second = add_project(app, quiet.customer_b, quiet.other_csm, "Globex second site")
    login(World.CSM)

    page = get_page(client, f"/projects?customer={quiet.customer_b}")

    assert set(portfolio_rows(page)) == {quiet.project_b, second}


def test_portfolio_page_two_shows_the_rest(app, client, login, quiet, monkeypatch):
    later = add_project(
        app,
        quiet.customer_a,
        quiet.csm,
        "Acme late go-live",
        go_live_date=today() + timedelta(days=200),
    )
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    login(World.CSM)

    first = get_page(client, "/projects")
    second = get_page(client, "/projects?page=2")

    assert "3 projects." in first
    assert set(portfolio_rows(first)) == {quiet.project_a, quiet.project_b}
    assert set(portfolio_rows(second)) == {later}
