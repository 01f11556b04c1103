"""axe-core (WCAG 2.0/2.1 A and AA, and best practices) on every HTML page, as the role
that sees it: no serious or critical violation. Set AXE_REPORT_DIR to keep each page's full
results (every impact) as JSON."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.e2e.support import ADMIN, CLIENT, CSM, open_page

pytestmark = pytest.mark.e2e

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
# Only the violations come back from the page: building and sending the passes (hundreds
# of results) was a tenth of each run.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": AXE_TAGS},
    "resultTypes": ["violations"],
    "reporter": "no-passes",
}


@dataclass(frozen=True)
class Page:
    name: str
    email: str | None  # who looks at it; None: signed out
    path: str  # formatted with the demo ids below
    status: int = 200
    then_click: str | None = None  # a button to press first, for pages that answer a POST
    then_open: str | None = None  # a control to click first (CSS), e.g. to open an editor
    wait_for: str | None = None  # and what must then show (CSS)
    width: int = 1280  # 390: a phone, where wide tables scroll sideways


PAGES = [
    Page("login", None, "/login"),
    Page("login-refused", None, "/login", status=200, then_click="Sign in"),
    Page("reset-password", None, "/reset-password/{reset_token}"),
    Page("reset-link-unknown", None, "/reset-password/no-such-link", status=404),
    Page("not-found-signed-out", None, "/nothing-here", status=404),
    Page("portfolio", CSM, "/projects"),
    Page("project", CSM, "/projects/{project}"),
    Page("project-filtered", CSM, "/projects/{project}?party=client&status=todo"),
    # The rows' status menu open, and an item's editor open in its row.
    Page(
        "project-status-menu",
        CSM,
        "/projects/{project}",
        then_open="summary.status-toggle",
        wait_for="details.status-menu[open]",
    ),
    Page(
        "project-editor",
        CSM,
        "/projects/{project}",
        then_open="a.item-edit",
        wait_for=".item-editor",
    ),
    Page(
        "project-editor-client",
        CLIENT,
        "/projects/{project}?party=client",
        then_open="a.item-edit",
        wait_for=".item-editor",
    ),
    Page("project-history", CSM, "/projects/{project}/history"),
    Page("project-edit", CSM, "/projects/{project}/edit"),
    Page("project-new", CSM, "/projects/new"),
    Page("item", CSM, "/projects/{project}/items/{item}"),
    Page("my-tasks-csm", CSM, "/my-tasks"),
    Page("overdue", CSM, "/overdue"),
    Page("overdue-filtered", CSM, "/overdue?party=client"),
    Page("heatmap", CSM, "/insights/heatmap"),
    Page("heatmap-client", CLIENT, "/insights/heatmap"),
    Page("account", CSM, "/account"),
    Page("change-password", CSM, "/account/password"),
    Page("not-found", CSM, "/projects/999999", status=404),
    Page("my-tasks-client", CLIENT, "/my-tasks"),
    Page("my-tasks-answerable", CLIENT, "/my-tasks?answerable=1"),
    Page("overdue-accountable", CSM, "/overdue?accountable=client"),
    Page("project-accountable", CLIENT, "/projects/{project}?accountable=client"),
    Page("project-client", CLIENT, "/projects/{project}"),
    Page("item-client", CLIENT, "/projects/{project}/items/{item}"),
    Page("forbidden", CLIENT, "/admin/users", status=403),
    Page("catalogue", ADMIN, "/catalogue"),
    Page("catalogue-compare", CSM, "/catalogue/diff"),
    Page("users", ADMIN, "/admin/users"),
    Page("user-new", ADMIN, "/admin/users/new"),
    Page("user-edit", ADMIN, "/admin/users/{client_user}"),
    Page(
        "reset-link-created", ADMIN, "/admin/users/{other_user}", then_click="Create a reset link"
    ),
    # At a phone's width: the pages with wide tables.
    Page("portfolio-phone", CSM, "/projects", width=390),
    Page("project-phone", CSM, "/projects/{project}", width=390),
    Page("item-phone", CSM, "/projects/{project}/items/{item}", width=390),
    Page("overdue-phone", CSM, "/overdue", width=390),
    Page("heatmap-phone", CSM, "/insights/heatmap", width=390),
    Page("my-tasks-phone", CLIENT, "/my-tasks", width=390),
    Page("catalogue-phone", ADMIN, "/catalogue", width=390),
    Page("organisations", ADMIN, "/admin/organisations"),
    Page("organisation-new", ADMIN, "/admin/organisations/new"),
    Page("organisation-edit", ADMIN, "/admin/organisations/{customer}"),
    # The catalogue draft (demo_ids starts one).
    Page("catalogue-draft", ADMIN, "/catalogue/draft"),
    Page("catalogue-draft-area", ADMIN, "/catalogue/draft/areas/new"),
    Page("catalogue-draft-row", ADMIN, "/catalogue/draft/rows/{draft_row}"),
    Page("catalogue-draft-publish", ADMIN, "/catalogue/draft/publish"),
    Page("catalogue-rollout", ADMIN, "/catalogue/rollout"),
    # Working with the customer: people, notifications, files, go-live, sharing.
    Page("forgot-password", None, "/forgot-password"),
    Page("people", CSM, "/organisations/{customer}/people"),
    Page("colleagues", CLIENT, "/organisations/{customer}/people"),
    Page("notifications", CSM, "/notifications"),
    Page("item-with-file", CLIENT, "/projects/{project}/items/{item_with_file}"),
    Page("progress-links", CSM, "/projects/{project}/progress-links"),
    Page("sign-off", CLIENT, "/projects/{project}/go-live/sign-off"),
    Page("live-project", CSM, "/projects/{live_project}"),
    Page("handover", CSM, "/projects/{live_project}/handover"),
]


@pytest.fixture(scope="module")
def viewer_page(browser, live_server, signed_in_state):
    """``viewer_page(email, width)``: one page per account and width, shared by the pages
    checked here (each test loads its own address in it; none of them changes what the
    next one sees): a browser context per test cost as much CPU as axe's run. JavaScript
    errors and Content Security Policy violations fail the test that caused them."""
    pages: dict[tuple, object] = {}
    problems: list[str] = []

    def get(email: str | None, width: int):
        if (email, width) not in pages:
            state = signed_in_state(email) if email else None
            pages[email, width] = open_page(browser, live_server, state, problems, width=width)
        problems.clear()
        return pages[email, width]

    yield get, problems
    for page in pages.values():
        page.context.close()


@pytest.fixture(scope="module")
def demo_ids(live_server) -> dict[str, object]:
    """Ids in the demo data for the pages' addresses, a fresh password reset link, and a
    catalogue draft."""
    from tracker.auth.services import issue_reset_link
    from tracker.catalogue.drafts.queries import the_draft
    from tracker.catalogue.drafts.services import start_draft
    from tracker.enums import Party
    from tracker.extensions import db
    from tracker.models import Attachment, ChecklistItem, Project, User

    with live_server.app.app_context():
        project = db.session.scalars(
            sa.select(Project).where(Project.name == "Acme CloudSuite Industrial")
        ).one()
        item = db.session.scalars(
            sa.select(ChecklistItem)
            .where(ChecklistItem.project_id == project.id, ChecklistItem.party == Party.CLIENT)
            .order_by(ChecklistItem.id)
        ).first()
        users = {u.email: u for u in db.session.scalars(sa.select(User))}
        token, _ = issue_reset_link(
            users["client@initech.demo.test"], actor=users[ADMIN], lifetime=timedelta(hours=1)
        )
        draft = the_draft() or start_draft(actor=users[ADMIN])
        ids = {
            "draft_row": draft.content["areas"][0]["rows"][0]["key"],
            "project": project.id,
            "item": item.id,
            "customer": project.customer_id,
            "client_user": users[CLIENT].id,
            "other_user": users["client@globex.demo.test"].id,
            "reset_token": token,
            "live_project": db.session.scalars(
                sa.select(Project.id).where(Project.went_live_on.is_not(None))
            ).one(),
            "item_with_file": db.session.scalars(sa.select(Attachment.item_id)).first(),
        }
        db.session.commit()
    return ids


def _report(name: str, violations: list[dict]) -> None:
    directory = os.environ.get("AXE_REPORT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        Path(directory, f"{name}.json").write_text(json.dumps(violations, indent=1))


def _describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s), e.g. "
        + "; ".join(node["html"][:160] for node in v["nodes"][:3])
        for v in violations
    )


@pytest.mark.parametrize("page_spec", PAGES, ids=lambda p: p.name)
def test_page_has_no_serious_accessibility_violation(viewer_page, demo_ids, page_spec):
    from axe_playwright_python.base import AXE_SCRIPT  # axe-core, as the package ships it

    get_page, problems = viewer_page
    page = get_page(page_spec.email, page_spec.width)
    response = page.goto(page_spec.path.format(**demo_ids))
    if page_spec.then_click:
        with page.expect_navigation():
            page.get_by_role("button", name=page_spec.then_click).click()
    else:
        assert response.status == page_spec.status
    if page_spec.then_open:
        page.locator(page_spec.then_open).first.click()
        page.locator(page_spec.wait_for).first.wait_for()
    page.evaluate(AXE_SCRIPT)
    violations = page.evaluate(
        "options => axe.run(document, options).then(results => results.violations)", AXE_OPTIONS
    )
    _report(page_spec.name, violations)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{page_spec.name}:\n{_describe(blocking)}"
    assert not problems, "\n".join(problems)
