"""Changing an item's status from the project page: in place, keeping the scroll position
and the filters; and without JavaScript, through the ordinary post and redirect."""

from __future__ import annotations

import re

import pytest

from tests.e2e.support import CSM, demo_project_id, expect

pytestmark = pytest.mark.e2e


def _far_down_row(page):
    """The last item row of the page, scrolled to the middle of the window."""
    row = page.locator(".item-row").last
    row.evaluate("row => row.scrollIntoView({block: 'center'})")
    return row


def test_status_change_keeps_the_scroll_position_and_the_filters(new_page, live_server):
    project_id = demo_project_id(live_server, "Acme CloudSuite Industrial")
    page = new_page(CSM, height=700)
    page.goto(f"/projects/{project_id}?party=client")
    row = _far_down_row(page)
    item = row.get_attribute("id")
    new_status = "To do" if row.locator(".item-status").inner_text() == "Done" else "Done"
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 1000  # far down the page
    page.evaluate("window.notReloaded = true")

    row.get_by_label("Status").select_option(label=new_status)
    row.get_by_role("button", name="Save").click()

    expect(page.locator("#item-live")).to_have_text(f"Item updated. {new_status}")
    expect(page.locator(f"#{item} .item-status")).to_have_text(new_status)
    assert page.evaluate("window.notReloaded") is True
    assert page.url.endswith(f"/projects/{project_id}?party=client")
    assert abs(page.evaluate("window.scrollY") - scrolled) <= 2
    # The row came back with a fresh form (new version): a second change saves too.
    page.locator(f"#{item}").get_by_label("Status").select_option(label="In progress")
    page.locator(f"#{item}").get_by_role("button", name="Save").click()
    expect(page.locator(f"#{item} .item-status")).to_have_text("In progress")
    expect(page.locator("#item-live")).to_have_text("Item updated. In progress")


def test_refused_status_change_shows_the_reason_in_the_row(new_page, live_server):
    project_id = demo_project_id(live_server, "Globex WMS rollout")
    page = new_page(CSM)
    page.goto(f"/projects/{project_id}?status=todo")
    row = _far_down_row(page)
    item = row.get_attribute("id")
    row.get_by_label("Reason").fill("")
    row.get_by_label("Status").select_option(label="Blocked")
    row.get_by_role("button", name="Save").click()

    message = "Say why the item is blocked."
    expect(page.locator(f"#{item}")).to_contain_text(message)
    expect(page.locator("#item-live")).to_contain_text(message)
    expect(page.locator(f"#{item} .item-status")).to_have_text("To do")
    assert page.url.endswith(f"/projects/{project_id}?status=todo")


def test_without_javascript_the_form_posts_and_returns_to_the_item(new_page, live_server):
    project_id = demo_project_id(live_server, "Initech HR single-tenant")
    page = new_page(CSM, javascript=False)
    page.goto(f"/projects/{project_id}?party=client")
    row = page.locator(".item-row").filter(has=page.locator(".item-status", has_text="Blocked"))
    item = row.get_attribute("id")
    row.get_by_label("Status").select_option(label="Done")
    row.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(rf"/projects/{project_id}\?party=client#{item}$"))
    expect(page.get_by_role("status").filter(has_text="Item updated.")).to_be_visible()
    expect(page.locator(f"#{item} .item-status")).to_have_text("Done")
