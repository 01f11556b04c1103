"""Browser tests: the demo app on a live local server, driven in the system Chromium.

One server and one browser for the whole e2e package; a fresh browser context (cookies,
storage) per test. Without Playwright or Chromium the tests are skipped with the reason;
with E2E_REQUIRED=1 (CI) they fail instead.
"""

from __future__ import annotations

import pytest

from scripts.live_demo import CHROMIUM_ARGS, build_demo_app, chromium_path, serve
from tests.e2e import support
from tests.helpers import logging_left_alone


def _unavailable(reason: str):
    if support.e2e_required():
        pytest.fail(f"{reason} (E2E_REQUIRED is set)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser():
    if support.sync_playwright is None:
        _unavailable("browser tests skipped: the playwright package is not installed")
    executable = chromium_path()
    if executable is None:
        _unavailable(
            "browser tests skipped: no Chromium at $CHROMIUM_PATH, /usr/bin/chromium or on "
            "PATH (apt-get install chromium)"
        )
    with support.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def live_server(browser, tmp_path_factory):
    """The demo app (migrated, catalogue and demo data) on a free port: ``.url``, ``.app``."""
    with logging_left_alone():
        app = build_demo_app(tmp_path_factory.mktemp("e2e") / "tracker-e2e.sqlite3")
    with serve(app) as url:
        yield LiveServer(url=url, app=app)


class LiveServer:
    def __init__(self, url: str, app) -> None:
        self.url = url
        self.app = app


@pytest.fixture(scope="package")
def signed_in_state(browser, live_server):
    """The cookies of a signed-in session per account, made once and reused by contexts."""
    states: dict[str, dict] = {}

    def state(email: str) -> dict:
        if email not in states:
            context = browser.new_context(base_url=live_server.url, locale="en-US")
            page = context.new_page()
            page.set_default_timeout(support.TIMEOUT_MS)
            support.sign_in(page, email)
            states[email] = context.storage_state()
            context.close()
        return states[email]

    return state


@pytest.fixture
def new_page(browser, live_server, signed_in_state):
    """``new_page(email=None, width=1280, height=900, javascript=True)``: a page in a fresh
    browser context, signed in as ``email`` (reusing its session cookies) or anonymous.
    JavaScript errors and Content Security Policy violations on any page fail the test."""
    pages = []
    problems: list[str] = []

    def make(email: str | None = None, **options):
        state = signed_in_state(email) if email else None
        pages.append(support.open_page(browser, live_server, state, problems, **options))
        return pages[-1]

    yield make
    for page in pages:
        page.context.close()
    assert not problems, "\n".join(problems)
