"""The keyboard alone: the skip link comes first, focus is always visible, and an item's
status can be changed and saved from the project page."""

from __future__ import annotations

import re

import pytest

from tests.e2e.support import CSM, demo_project_id, expect

pytestmark = pytest.mark.e2e

FOCUSED_ID = "() => document.activeElement && document.activeElement.id"


def tab_until(page, predicate: str, limit: int = 150) -> None:
    """Press Tab until the focused element matches the JavaScript ``predicate``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return {predicate}; }}"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def outline_of_focused(page) -> tuple[str, float]:
    return tuple(
        page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
    )


@pytest.mark.parametrize("email", [None, CSM], ids=["signed-out", "signed-in"])
def test_tab_reaches_the_skip_link_first(new_page, email):
    page = new_page(email)
    page.goto("/projects" if email else "/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    box = skip.bounding_box()
    assert box["width"] > 10 and box["height"] > 10  # shown when focused
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    page.keyboard.press("Tab")  # the next stop is inside the main content
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_an_item_status_changes_with_the_keyboard_alone(new_page, live_server):
    project_id = demo_project_id(live_server, "Globex WMS rollout")
    page = new_page(CSM)
    page.goto(f"/projects/{project_id}?status=todo")

    tab_until(page, "/^item-\\d+-status-menu$/.test(el.id)")
    menu_id = page.evaluate(FOCUSED_ID)
    item = menu_id.removesuffix("-status-menu")
    assert outline_of_focused(page)[0] == "solid" and outline_of_focused(page)[1] >= 2
    # Every row has a status menu: each is described by its item's text.
    title = page.locator(f"#{item}-title").inner_text()
    expect(page.locator(f"#{menu_id}")).to_have_accessible_description(title)
    expect(page.locator(f"#{menu_id}")).to_have_accessible_name("Status: To do")
    page.keyboard.press("Enter")  # opens the menu
    tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'In progress'")
    assert outline_of_focused(page)[0] == "solid"
    page.keyboard.press("Enter")

    expect(page.locator(f"#{item} .item-status")).to_have_text("In progress")
    expect(page.locator("#item-live")).to_have_text("Item updated. In progress")
    assert page.evaluate(FOCUSED_ID) == menu_id  # focus back on the row's status menu


def test_escape_closes_a_status_menu(new_page, live_server):
    project_id = demo_project_id(live_server, "Globex WMS rollout")
    page = new_page(CSM)
    page.goto(f"/projects/{project_id}")
    tab_until(page, "/^item-\\d+-status-menu$/.test(el.id)")
    menu_id = page.evaluate(FOCUSED_ID)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(page.locator(f"#{menu_id}").locator("xpath=..")).not_to_have_attribute("open", "")
    assert page.evaluate(FOCUSED_ID) == menu_id
