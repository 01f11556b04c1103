"""What people do, in the browser: a client closes a task and comments on it, and the CSM
sees it on the project page, the portfolio and the overdue dashboard."""

from __future__ import annotations

import re

import pytest

from tests.e2e.support import CLIENT, CSM, demo_project_id, expect, overdue_client_item_id, sign_in

pytestmark = pytest.mark.e2e

PROJECT = "Acme PRE-PROD sandbox"  # an Acme project with an overdue client item


def closed_per_phase(page) -> int:
    """Closed items over all phases, from the portfolio row's progress bars' names."""
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=PROJECT))
    labels = row.get_by_role("progressbar").evaluate_all(
        "bars => bars.map(bar => bar.getAttribute('aria-label'))"
    )
    return sum(int(re.search(r"(\d+) of \d+", label).group(1)) for label in labels)


def csm_view(page, project_id: int) -> dict[str, int]:
    """What the CSM reads: the project's totals, its portfolio row, the dashboard count."""
    page.goto(f"/projects/{project_id}")
    overall = page.get_by_role("progressbar", name=re.compile("^All phases: ")).first
    closed = int(re.search(r"(\d+) of", overall.get_attribute("aria-label")).group(1))
    project_overdue = int(page.get_by_test_id("overdue-total").inner_text())
    page.goto("/projects")
    portfolio_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=PROJECT))
    overdue_column = page.get_by_role("columnheader").all_inner_texts().index("Overdue")
    portfolio_overdue = int(portfolio_row.get_by_role("cell").nth(overdue_column).inner_text())
    portfolio_closed = closed_per_phase(page)
    page.goto("/overdue")
    dashboard_overdue = int(page.get_by_test_id("overdue-count").inner_text())
    return {
        "closed": closed,
        "project overdue": project_overdue,
        "portfolio closed": portfolio_closed,
        "portfolio overdue": portfolio_overdue,
        "dashboard overdue": dashboard_overdue,
    }


def test_client_closes_a_task_and_comments_and_the_csm_sees_the_progress(new_page, live_server):
    project_id = demo_project_id(live_server, PROJECT)
    item_id = overdue_client_item_id(live_server, project_id)
    csm = new_page(CSM)
    before = csm_view(csm, project_id)

    client = new_page()
    sign_in(client, CLIENT)
    client.get_by_role("link", name="My tasks").click()
    client.locator(f"a[href='/projects/{project_id}/items/{item_id}']").click()
    client.get_by_label("Status").select_option(label="Done")
    client.get_by_role("button", name="Save").click()
    # Saving stays on the item: marking it done and explaining why is one place.
    expect(client).to_have_url(re.compile(rf"/projects/{project_id}/items/{item_id}\?next="))
    expect(client.get_by_role("status").filter(has_text="Item updated.")).to_be_visible()
    expect(client.locator(".badge", has_text="Done").first).to_be_visible()
    client.get_by_role("textbox", name="Comment").fill("Done: the users attended the webinar.")
    client.get_by_role("button", name="Add comment").click()
    expect(client.locator("#comments")).to_contain_text("Done: the users attended the webinar.")
    expect(client.locator("#comments")).to_contain_text("Alice Archer")

    after = csm_view(csm, project_id)
    assert after == {
        "closed": before["closed"] + 1,
        "project overdue": before["project overdue"] - 1,
        "portfolio closed": before["portfolio closed"] + 1,
        "portfolio overdue": before["portfolio overdue"] - 1,
        "dashboard overdue": before["dashboard overdue"] - 1,
    }
    csm.goto(f"/projects/{project_id}/items/{item_id}")
    expect(csm.locator("#comments")).to_contain_text("Done: the users attended the webinar.")
