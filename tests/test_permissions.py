"""Who may see and change what: the predicates, every page per role, and list leaks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from tests import factories
from tests.factories import CLIENT_ROW, IMS_ROW, INFOR_ROW, PARTNER_ROW, World
from tracker import permissions
from tracker.enums import Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Project, Responsibility, User
from tracker.timeutil import today


def user_of(world, role: str):
    if role == "anonymous":
        return AnonymousUserMixin()
    return db.session.get(User, world.user_id(role))


def project_of(world, name: str) -> Project:
    return db.session.get(Project, getattr(world, name))


# --- (a) predicates ---------------------------------------------------------------------

CAN_VIEW = {
    # role: (project_a, project_b)
    "anonymous": (False, False),
    "admin": (True, True),
    "csm": (True, True),
    "other_csm": (True, True),
    "ims": (False, True),
    "partner": (False, True),
    "other_partner": (False, False),
    "client_a": (True, False),
    "client_b": (False, True),
}


@pytest.mark.parametrize(
    ("role", "project", "expected"),
    [
        (role, project, allowed)
        for role, pair in CAN_VIEW.items()
        for project, allowed in zip(("project_a", "project_b"), pair, strict=True)
    ],
)
def test_can_view_project(ctx, world, role, project, expected):
    assert permissions.can_view_project(user_of(world, role), project_of(world, project)) is (
        expected
    )


def test_deactivated_user_cannot_view_any_project(ctx, world):
    csm = user_of(world, "csm")
    csm.active = False
    assert permissions.can_view_project(csm, project_of(world, "project_a")) is False


ALL_PARTIES = frozenset(Party)


@pytest.mark.parametrize(
    ("role", "project", "expected"),
    [
        ("admin", "project_a", ALL_PARTIES),
        ("csm", "project_a", ALL_PARTIES),
        ("csm", "project_b", ALL_PARTIES),
        ("other_csm", "project_a", frozenset()),
        ("ims", "project_a", frozenset()),
        ("ims", "project_b", frozenset({Party.IMS})),
        ("partner", "project_b", frozenset({Party.PARTNER})),
        ("other_partner", "project_b", frozenset()),
        ("client_a", "project_a", frozenset({Party.CLIENT})),
        ("client_a", "project_b", frozenset()),
        ("client_b", "project_b", frozenset({Party.CLIENT})),
        ("anonymous", "project_a", frozenset()),
    ],
)
def test_updatable_parties(ctx, world, role, project, expected):
    assert permissions.updatable_parties(user_of(world, role), project_of(world, project)) == (
        expected
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", True),
        ("csm", True),
        ("other_csm", False),
        ("ims", False),
        ("partner", False),
        ("client_a", False),
    ],
)
def test_can_edit_project_a(ctx, world, role, expected):
    assert permissions.can_edit_project(user_of(world, role), project_of(world, "project_a")) is (
        expected
    )


@pytest.mark.parametrize(
    ("role", "project", "row", "party", "expected"),
    [
        ("client_a", "project_a", CLIENT_ROW, Party.CLIENT, True),
        ("client_b", "project_a", CLIENT_ROW, Party.CLIENT, False),
        ("client_a", "project_a", INFOR_ROW, Party.INFOR, False),
        ("csm", "project_a", INFOR_ROW, Party.INFOR, True),
        ("csm", "project_a", CLIENT_ROW, Party.CLIENT, False),
        ("admin", "project_a", INFOR_ROW, Party.INFOR, True),
        ("admin", "project_a", CLIENT_ROW, Party.CLIENT, False),
        ("ims", "project_b", IMS_ROW, Party.IMS, True),
        ("ims", "project_b", CLIENT_ROW, Party.CLIENT, False),
        ("partner", "project_b", PARTNER_ROW, Party.PARTNER, True),
        ("other_partner", "project_b", PARTNER_ROW, Party.PARTNER, False),
    ],
)
def test_can_be_assigned(ctx, world, role, project, row, party, expected):
    item = factories.item_of(getattr(world, project), row, party)
    assert permissions.can_be_assigned(user_of(world, role), item) is expected


# --- (b) every page, per role -----------------------------------------------------------

PAGES = (
    "portfolio",
    "project_a",
    "project_b",
    "item_a",
    "item_b",
    "edit_a",
    "edit_b",
    "new_project",
    "catalogue",
    "admin_users",
    "admin_organisations",
    "my_tasks",
    "overdue",
)
EXPECTED = {
    # portfolio; project a, b; item a, b; edit a, b; new; catalogue; users; orgs;
    # my-tasks; overdue
    "admin": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "csm": (200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 200, 200),
    "other_csm": (200, 200, 200, 200, 200, 403, 403, 200, 200, 403, 200, 200, 200),
    "ims": (200, 404, 200, 404, 200, 404, 403, 403, 403, 403, 403, 200, 200),
    "partner": (200, 404, 200, 404, 200, 404, 403, 403, 403, 403, 403, 200, 200),
    "other_partner": (200, 404, 404, 404, 404, 404, 404, 403, 403, 403, 403, 200, 200),
    "client_a": (200, 200, 404, 200, 404, 403, 404, 403, 403, 403, 403, 200, 200),
    "client_b": (200, 404, 200, 404, 200, 404, 403, 403, 403, 403, 403, 200, 200),
}


@pytest.fixture
def urls(app, world) -> dict[str, str]:
    with app.app_context():
        item_a = factories.item_of(world.project_a, INFOR_ROW, Party.INFOR).id
        item_b = factories.item_of(world.project_b, INFOR_ROW, Party.INFOR).id
    a, b = world.project_a, world.project_b
    return {
        "portfolio": "/projects",
        "project_a": f"/projects/{a}",
        "project_b": f"/projects/{b}",
        "item_a": f"/projects/{a}/items/{item_a}",
        "item_b": f"/projects/{b}/items/{item_b}",
        "edit_a": f"/projects/{a}/edit",
        "edit_b": f"/projects/{b}/edit",
        "new_project": "/projects/new",
        "catalogue": "/catalogue",
        "admin_users": "/admin/users",
        "admin_organisations": "/admin/organisations",
        "my_tasks": "/my-tasks",
        "overdue": "/overdue",
    }


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_get_is_redirected_to_login(client, urls, page):
    response = client.get(urls[page])
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("role", "page", "expected"),
    [
        (role, page, code)
        for role, codes in EXPECTED.items()
        for page, code in zip(PAGES, codes, strict=True)
    ],
)
def test_get_status_per_role(login, urls, role, page, expected):
    assert login(World.EMAILS[role]).get(urls[page]).status_code == expected


def test_item_of_another_project_is_not_found_under_this_project(app, world, login):
    with app.app_context():
        item_b = factories.item_of(world.project_b, INFOR_ROW, Party.INFOR).id
    response = login(World.CSM).get(f"/projects/{world.project_a}/items/{item_b}")
    assert response.status_code == 404


# --- (c) updating another party's item --------------------------------------------------


def post_done(client, item: tuple[int, int, int]):
    project_id, item_id, version = item
    prefix = f"item{item_id}-"
    return client.post(
        f"/projects/{project_id}/items/{item_id}",
        data={
            prefix + "status": "done",
            prefix + "reason": "",
            prefix + "assignee_id": "0",
            prefix + "version": str(version),
        },
    )


def find_item(app, world, project: str, row: str, party: Party) -> tuple[int, int, int]:
    with app.app_context():
        item = factories.item_of(getattr(world, project), row, party)
        return item.project_id, item.id, item.version


def status_of(app, item_id: int) -> Status:
    with app.app_context():
        return db.session.get(ChecklistItem, item_id).status


@pytest.mark.parametrize(
    ("role", "project", "row", "party", "expected"),
    [
        ("client_a", "project_a", INFOR_ROW, Party.INFOR, 403),
        ("ims", "project_b", CLIENT_ROW, Party.CLIENT, 403),
        ("partner", "project_b", CLIENT_ROW, Party.CLIENT, 403),
        ("other_csm", "project_a", INFOR_ROW, Party.INFOR, 403),
        ("other_csm", "project_a", CLIENT_ROW, Party.CLIENT, 403),
        ("client_a", "project_b", CLIENT_ROW, Party.CLIENT, 404),
        ("other_partner", "project_b", PARTNER_ROW, Party.PARTNER, 404),
    ],
)
def test_item_update_by_the_wrong_party_is_refused(
    app, world, login, role, project, row, party, expected
):
    item = find_item(app, world, project, row, party)
    response = post_done(login(World.EMAILS[role]), item)
    assert response.status_code == expected
    assert status_of(app, item[1]) is Status.TODO


@pytest.mark.parametrize(
    ("role", "project", "row", "party"),
    [
        ("client_a", "project_a", CLIENT_ROW, Party.CLIENT),
        ("ims", "project_b", IMS_ROW, Party.IMS),
        ("partner", "project_b", PARTNER_ROW, Party.PARTNER),
        ("csm", "project_a", CLIENT_ROW, Party.CLIENT),
        ("admin", "project_b", INFOR_ROW, Party.INFOR),
    ],
)
def test_item_update_by_the_right_party_is_applied(app, world, login, role, project, row, party):
    item = find_item(app, world, project, row, party)
    response = post_done(login(World.EMAILS[role]), item)
    assert response.status_code == 302
    assert status_of(app, item[1]) is Status.DONE


# --- (d) lists leak nothing -------------------------------------------------------------

CUSTOMER_B_NAMES = ("Globex Test", "Globex rollout")


@pytest.fixture
def all_overdue(app, world):
    """An Infor and a client item of each project are past due: few enough for one page."""
    with app.app_context():
        db.session.execute(
            sa.update(ChecklistItem)
            .where(
                ChecklistItem.responsibility_id.in_(
                    sa.select(Responsibility.id).where(
                        Responsibility.key.in_((INFOR_ROW, CLIENT_ROW))
                    )
                )
            )
            .values(due_date=today() - timedelta(days=3))
        )
        db.session.commit()
    return world


def customer_options(html: str) -> list[str]:
    """The texts of the customer filter's options."""
    select = re.search(r'<select[^>]*name="customer"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, "no customer filter on the page"
    return [text.strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", select.group(1))]


@pytest.mark.parametrize("page", ["/projects", "/overdue"])
def test_csm_list_shows_both_customers_projects(all_overdue, login, page):
    """The counterpart of the client checks below: customer B's project is on these lists."""
    html = login(World.CSM).get(page).get_data(as_text=True)
    assert "Acme rollout" in html
    assert "Globex rollout" in html


@pytest.mark.parametrize("page", ["/projects", "/overdue", "/my-tasks"])
def test_client_list_shows_own_customers_project(all_overdue, login, page):
    html = login(World.CLIENT_A).get(page).get_data(as_text=True)
    assert "Acme rollout" in html


@pytest.mark.parametrize(
    "page",
    [
        "/projects",
        "/overdue",
        "/my-tasks",
        "/projects?customer={customer_b}",
        "/overdue?customer={customer_b}",
    ],
)
@pytest.mark.parametrize("name", CUSTOMER_B_NAMES)
def test_client_list_shows_nothing_of_another_customer(all_overdue, login, page, name):
    url = page.format(customer_b=all_overdue.customer_b)
    html = login(World.CLIENT_A).get(url).get_data(as_text=True)
    assert name not in html


@pytest.mark.parametrize("page", ["/projects", "/overdue"])
def test_client_customer_filter_offers_only_their_customer(all_overdue, login, page):
    html = login(World.CLIENT_A).get(page).get_data(as_text=True)
    assert customer_options(html) == ["All", "Acme Test"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("ims", {"Globex rollout"}),
        ("partner", {"Globex rollout"}),
        ("other_partner", set()),
        ("csm", {"Acme rollout", "Globex rollout"}),
    ],
)
def test_portfolio_lists_only_visible_projects(world, login, role, expected):
    html = login(World.EMAILS[role]).get("/projects").get_data(as_text=True)
    listed = {name for name in ("Acme rollout", "Globex rollout") if name in html}
    assert listed == expected
