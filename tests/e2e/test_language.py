"""The header's language switcher: the page comes back in French, then in English again."""

from __future__ import annotations

import pytest

from tests.e2e.support import CSM2, expect

pytestmark = pytest.mark.e2e


def french(live_server, text: str) -> str:
    """``text`` in the app's French catalogue."""
    from flask_babel import force_locale, gettext

    with live_server.app.test_request_context(), force_locale("fr"):
        return gettext(text)


@pytest.mark.parametrize(
    ("email", "path", "heading"),
    [(CSM2, "/projects", "Portfolio"), (None, "/login", "Sign in")],
    ids=["signed-in", "signed-out"],
)
def test_header_switcher_turns_the_page_french_and_back(
    new_page, live_server, email, path, heading
):
    heading_fr = french(live_server, heading)
    assert heading_fr != heading, f"no French translation of {heading!r}"
    page = new_page(email)
    page.goto(path)
    switcher = page.get_by_role("navigation").get_by_role("group", name="Language")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    switcher.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading_fr)
    assert page.url.endswith(path)  # the same page, now in French

    page.get_by_role("navigation").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert page.url.endswith(path)
