"""The project page's checklist worked in place: a status chosen in a row's menu, the row's
editor opened, saved and closed, a comment added; the rest of the page follows without a
reload, and the result shows. Without JavaScript: the ordinary post and redirect."""

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


def _choose_status(row, label: str) -> None:
    row.locator("summary.status-toggle").click()
    row.get_by_role("button", name=label, exact=True).click()


def _overall(page) -> str:
    """The overall progress bar's name: "All phases: N of M closed"."""
    return page.locator('[data-live="overview"] [role=progressbar]').first.get_attribute(
        "aria-label"
    )


def test_status_change_keeps_the_scroll_position_and_the_filters(new_page, live_server):
    project_id = demo_project_id(live_server, "Acme CloudSuite Industrial")
    page = new_page(CSM, height=700)
    page.goto(f"/projects/{project_id}?party=client")
    row = _far_down_row(page)
    item = row.get_attribute("id")
    new_status = "To do" if row.locator(".item-status").inner_text() == "Done" else "Done"
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 500  # down the page
    page.evaluate("window.notReloaded = true")

    _choose_status(row, new_status)

    toast = page.locator("#item-live")
    expect(toast).to_have_text(f"Item updated. {new_status}")
    expect(toast).to_be_visible()  # seen, not only read out
    expect(page.locator(f"#{item} .item-status")).to_have_text(new_status)
    assert page.evaluate("window.notReloaded") is True
    assert page.url.endswith(f"/projects/{project_id}?party=client")
    assert abs(page.evaluate("window.scrollY") - scrolled) <= 2
    # The row came back with a fresh menu (new version): a second change saves too.
    _choose_status(page.locator(f"#{item}"), "In progress")
    expect(page.locator(f"#{item} .item-status")).to_have_text("In progress")
    expect(toast).to_have_text("Item updated. In progress")


def test_a_status_change_updates_the_figures_and_history_without_a_reload(new_page, live_server):
    project_id = demo_project_id(live_server, "Acme CloudSuite Industrial")
    page = new_page(CSM)
    page.goto(f"/projects/{project_id}")
    page.evaluate("window.notReloaded = true")
    before = _overall(page)
    closed = int(re.search(r"(\d+) of", before).group(1))
    row = page.locator(".item-row").filter(has=page.locator(".item-status", has_text="To do"))
    row = row.first
    title = row.locator(".item-title").inner_text()

    _choose_status(row, "Done")

    expect(page.locator('[data-live="overview"] [role=progressbar]').first).to_have_attribute(
        "aria-label", before.replace(f"{closed} of", f"{closed + 1} of")
    )
    recent = page.locator('[data-live="recent"] tbody tr').first
    expect(recent).to_contain_text("Status changed")
    expect(recent).to_contain_text(title[:30])
    assert page.evaluate("window.notReloaded") is True


def test_refused_status_change_opens_the_editor_at_the_reason(new_page, live_server):
    project_id = demo_project_id(live_server, "Globex WMS rollout")
    page = new_page(CSM)
    page.goto(f"/projects/{project_id}?status=todo")
    row = _far_down_row(page)
    item = row.get_attribute("id")

    _choose_status(row, "Blocked")

    message = "Say why the item is blocked."
    expect(page.locator(f"#{item}-editor")).to_contain_text(message)
    expect(page.locator("#item-live")).to_contain_text(message)
    reason = page.locator(f"#{item}-editor").get_by_label("Reason")
    expect(reason).to_be_focused()
    expect(page.locator(f"#{item} .item-status")).to_have_text("To do")  # nothing saved
    reason.fill("Waiting for the customer's VPN details")
    page.locator(f"#{item}-editor").get_by_role("button", name="Save").click()
    expect(page.locator(f"#{item} .item-status")).to_have_text("Blocked")
    expect(page.locator(f"#{item}-editor")).to_have_count(0)  # closed once saved
    expect(page.locator(f"#{item} .item-reason")).to_have_text(
        "Waiting for the customer's VPN details"
    )
    assert page.url.endswith(f"/projects/{project_id}?status=todo")


def test_edit_opens_the_editor_in_the_row_and_close_folds_it(new_page, live_server):
    project_id = demo_project_id(live_server, "Globex WMS rollout")
    page = new_page(CSM)
    page.goto(f"/projects/{project_id}")
    row = page.locator(".item-row").nth(2)
    item = row.get_attribute("id")
    edit = row.get_by_role("link", name="Edit")
    expect(edit).to_have_attribute("aria-expanded", "false")

    edit.click()

    editor = page.locator(f"#{item}-editor")
    expect(editor.get_by_label("Assignee")).to_be_visible()
    expect(editor.get_by_label("Due date")).to_be_visible()
    expect(editor.get_by_label("Comment")).to_be_visible()
    expect(editor.get_by_label("Status")).to_be_focused()
    close = page.locator(f"#{item}").get_by_role("link", name="Close")
    expect(close).to_have_attribute("aria-expanded", "true")
    close.click()
    expect(editor).to_have_count(0)
    expect(page.locator(f"#{item}").get_by_role("link", name="Edit")).to_be_focused()
    assert page.url.endswith(f"/projects/{project_id}")


def test_an_internal_comment_added_in_the_row_is_marked_and_counted(new_page, live_server):
    project_id = demo_project_id(live_server, "Globex WMS rollout")
    page = new_page(CSM)
    page.goto(f"/projects/{project_id}")
    row = page.locator(".item-row").nth(3)
    item = row.get_attribute("id")
    row.get_by_role("link", name="Edit").click()
    editor = page.locator(f"#{item}-editor")

    editor.get_by_label("Comment").fill("Escalated to the regional support lead.")
    editor.get_by_label("Internal: not shown to the client").check()
    editor.get_by_role("button", name="Add comment").click()

    expect(page.locator("#item-live")).to_have_text("Comment added.")
    comment = editor.locator(".comment").filter(has_text="Escalated to the regional")
    expect(comment).to_contain_text("Internal")
    expect(comment).to_have_class(re.compile("comment-internal"))
    expect(page.locator(f"#{item} .item-cell-counts")).to_have_text(
        re.compile(r"^\s*1 comment\s*$")
    )


def test_without_javascript_the_menu_posts_and_returns_to_the_item(new_page, live_server):
    project_id = demo_project_id(live_server, "Initech HR single-tenant")
    page = new_page(CSM, javascript=False)
    page.goto(f"/projects/{project_id}?party=client")
    row = page.locator(".item-row").filter(has=page.locator(".item-status", has_text="Blocked"))
    item = row.get_attribute("id")

    _choose_status(row, "Done")

    expect(page).to_have_url(re.compile(rf"/projects/{project_id}\?party=client#{item}$"))
    expect(page.get_by_role("status").filter(has_text="Item updated.")).to_be_visible()
    expect(page.locator(f"#{item} .item-status")).to_have_text("Done")


def test_without_javascript_edit_leads_to_the_item_page_and_back(new_page, live_server):
    project_id = demo_project_id(live_server, "Initech HR single-tenant")
    page = new_page(CSM, javascript=False)
    page.goto(f"/projects/{project_id}?party=infor")
    row = page.locator(".item-row").first
    item = row.get_attribute("id")

    row.get_by_role("link", name="Edit").click()

    expect(page).to_have_url(re.compile(r"/items/\d+\?next=.*#update$"))
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/items/\d+\?next=.*#{item}$"))  # still the item
    expect(page.get_by_role("status").filter(has_text="Item updated.")).to_be_visible()
    page.get_by_role("link", name="Back to the checklist").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project_id}\?party=infor#{item}$"))
