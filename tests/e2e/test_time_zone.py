"""The browser tells its time zone at the first sign-in (static/js/time-zone.js)."""

from __future__ import annotations

import pytest

from tests.e2e.support import TIMEOUT_MS, sign_in

pytestmark = pytest.mark.e2e


def time_zone_of(live_server, email: str) -> str | None:
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.models import User

    with live_server.app.app_context():
        return db.session.scalar(sa.select(User.time_zone).where(User.email == email))


def context_in(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, locale="en-US", **options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return context, page


def test_the_first_sign_in_keeps_the_browsers_time_zone(browser, live_server):
    email = "partner@demo.test"  # signed in by no other browser test
    assert time_zone_of(live_server, email) is None
    context, page = context_in(browser, live_server, timezone_id="Asia/Tokyo")
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        sign_in(page, email)
        assert time_zone_of(live_server, email) == "Asia/Tokyo"
        page.goto("/account")
        chosen = page.locator("#preferences-time_zone").input_value()
    finally:
        context.close()
    assert chosen == "Asia/Tokyo"
    assert problems == []


def test_without_javascript_the_sign_in_works_and_keeps_no_zone(browser, live_server):
    email = "ims@demo.test"  # signed in by no other browser test
    context, page = context_in(
        browser, live_server, timezone_id="Europe/Paris", java_script_enabled=False
    )
    try:
        sign_in(page, email)
    finally:
        context.close()
    assert time_zone_of(live_server, email) is None
