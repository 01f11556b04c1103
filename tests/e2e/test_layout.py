"""The header at laptop widths: one line, nothing pushed off the screen (below 1200 px the
menu folds behind its button), in English and in French, for the roles with the most links."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.e2e.support import ADMIN, CSM

pytestmark = pytest.mark.e2e

ONE_LINE = 64  # px: Bootstrap's navbar with one row of links and buttons


@pytest.fixture
def speaking(live_server):
    """speaking(email, language): that demo account reads the tracker in ``language`` for
    this test only."""
    from tracker.extensions import db
    from tracker.models import User

    changed: list[tuple[str, str]] = []

    def set_language(email: str, language: str) -> None:
        with live_server.app.app_context():
            user = db.session.scalars(sa.select(User).where(User.email == email)).one()
            changed.append((email, user.language))
            user.language = language
            db.session.commit()

    yield set_language
    for email, language in reversed(changed):
        with live_server.app.app_context():
            user = db.session.scalars(sa.select(User).where(User.email == email)).one()
            user.language = language
            db.session.commit()


@pytest.mark.parametrize("width", [1024, 1200, 1366])
@pytest.mark.parametrize(("email", "language"), [(ADMIN, "en"), (CSM, "fr")])
def test_the_header_is_one_line_that_fits_the_screen(new_page, speaking, email, language, width):
    speaking(email, language)
    page = new_page(email, width=width)
    page.goto("/projects")
    header = page.get_by_role(
        "navigation", name="Navigation principale" if language == "fr" else "Main"
    )
    assert header.bounding_box()["height"] <= ONE_LINE
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1024, 1366])
def test_the_portfolios_phase_labels_do_not_run_into_each_other(new_page, width):
    page = new_page(CSM, width=width)
    page.goto("/projects")
    found = page.evaluate(
        """() => [...document.querySelectorAll('.phase-bars')].flatMap(bars => {
            const labels = [...bars.querySelectorAll('.label')];
            // Where each label's text is drawn: its own box if it clips, else its text's.
            const drawn = labels.map(label => {
                if (getComputedStyle(label).overflow === 'hidden') {
                    return label.getBoundingClientRect();
                }
                const text = document.createRange();
                text.selectNodeContents(label);
                return text.getBoundingClientRect();
            });
            const overlaps = drawn.slice(1).filter((box, i) => box.left < drawn[i].right - 0.5);
            return [labels.length, overlaps.length];
        })"""
    )
    counts, overlaps = found[0::2], found[1::2]
    assert counts and set(counts) == {5}  # every project's five phases were looked at
    assert sum(overlaps) == 0
