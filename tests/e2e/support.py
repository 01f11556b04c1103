"""What the browser tests share: Playwright (when installed), the demo accounts, helpers."""

from __future__ import annotations

import os

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the tests skip (or fail under E2E_REQUIRED) with a reason
    expect = sync_playwright = None

from scripts.live_demo import DEMO_PASSWORD

ADMIN = "admin@demo.test"
CSM = "csm@demo.test"
CSM2 = "csm2@demo.test"
CLIENT = "client@acme.demo.test"

# Stop waiting quickly: every page here is served locally in milliseconds.
TIMEOUT_MS = 10_000


def e2e_required() -> bool:
    """Set E2E_REQUIRED=1 (.ci/run does) to fail, not skip, when the browser is missing."""
    return os.environ.get("E2E_REQUIRED", "").strip().lower() in {"1", "true", "yes", "on"}


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the sign-in form, as a person would."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def demo_project_id(live_server, name: str) -> int:
    """The id of the demo project called ``name``."""
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.models import Project

    with live_server.app.app_context():
        return db.session.scalars(sa.select(Project.id).where(Project.name == name)).one()


def overdue_client_item_id(live_server, project_id: int) -> int:
    """An open client item of the project whose due date has passed."""
    import sqlalchemy as sa

    from tracker.enums import OPEN_STATUSES, Party
    from tracker.extensions import db
    from tracker.models import ChecklistItem
    from tracker.timeutil import today

    with live_server.app.app_context():
        return db.session.scalars(
            sa.select(ChecklistItem.id)
            .where(
                ChecklistItem.project_id == project_id,
                ChecklistItem.party == Party.CLIENT,
                ChecklistItem.status.in_(OPEN_STATUSES),
                ChecklistItem.due_date < today(),
            )
            .order_by(ChecklistItem.id)
        ).first()


def open_page(
    browser,
    live_server,
    state: dict | None,
    problems: list[str],
    *,
    width: int = 1280,
    height: int = 900,
    javascript: bool = True,
):
    """A page in a fresh browser context with the cookies of ``state`` (None: anonymous);
    JavaScript errors and Content Security Policy violations are added to ``problems``."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": width, "height": height},
        storage_state=state,
        java_script_enabled=javascript,
        reduced_motion="reduce",  # no smooth scrolling: scroll positions settle at once
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return page
