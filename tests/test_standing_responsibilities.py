"""Standing responsibilities (issue 16, §4): once a project has gone live, its operations
rows' items are ongoing duties, never overdue nor due soon; a row with a review rhythm gets a
dated review when it comes round (`flask --app app reviews create`)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import url_for

from tests import factories
from tests.factories import World
from tracker.api.services import create_token
from tracker.calendar.services import feed_token, turn_on_feed
from tracker.enums import Party, ReviewRhythm, Status
from tracker.extensions import db
from tracker.models import Event, Project, Responsibility, StandingReview, User
from tracker.reviews.services import add_months, review_due

OPERATIONS_ROW = "maintain_databases"  # operations, Infor, quarterly in the seeds
UNREVIEWED_ROW = "contact_infor_support"  # operations, no review rhythm
LONG_AGO = date(2000, 1, 3)  # a due date before any day the tests run on
WENT_LIVE = date(2026, 12, 15)


def set_up(app, project_id: int, *, went_live_on: date | None = WENT_LIVE) -> tuple[int, str]:
    """The project's operations item of OPERATIONS_ROW, due LONG_AGO, the project gone live
    on ``went_live_on`` (None: not live); its id and how a page links to it."""
    with app.app_context():
        item = factories.item_of(project_id, OPERATIONS_ROW)
        item.due_date = LONG_AGO
        db.session.get(Project, project_id).went_live_on = went_live_on
        db.session.commit()
        return item.id, f'/projects/{project_id}/items/{item.id}"'


def reviews(app, item_id: int) -> list[date]:
    """The dates of the item's reviews."""
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(StandingReview.due_on)
                .where(StandingReview.item_id == item_id)
                .order_by(StandingReview.id)
            )
        )


def review_id_of(app, item_id: int) -> int:
    with app.app_context():
        return db.session.scalars(
            sa.select(StandingReview.id).where(StandingReview.item_id == item_id)
        ).one()


# --- never overdue --------------------------------------------------------------------------


def test_an_operations_item_of_a_live_project_is_not_on_the_overdue_dashboard(app, world, login):
    _, text = set_up(app, world.project_a)

    page = login(World.CSM).get("/overdue").get_data(as_text=True)

    assert text not in page


def test_an_operations_item_before_go_live_is_overdue_like_any_other(app, world, login):
    _, text = set_up(app, world.project_a, went_live_on=None)

    page = login(World.CSM).get("/overdue").get_data(as_text=True)

    assert text in page


def test_an_operations_item_of_a_live_project_is_not_overdue_in_the_api(app, world):
    item_id, _ = set_up(app, world.project_a)
    with app.app_context():
        _, token = create_token(db.session.get(User, world.csm), name="test")
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    listed = app.test_client().get("/api/v1/overdue", headers=headers).get_json()
    item = app.test_client().get(f"/api/v1/items/{item_id}", headers=headers).get_json()

    assert item_id not in [entry["id"] for entry in listed["data"]]
    assert item["overdue"] is False


@pytest.mark.parametrize(("went_live_on", "listed"), [(WENT_LIVE, False), (None, True)])
def test_the_calendar_feed_leaves_standing_responsibilities_out(app, world, went_live_on, listed):
    item_id, _ = set_up(app, world.project_a, went_live_on=went_live_on)
    with app.app_context():
        csm = db.session.get(User, world.csm)
        turn_on_feed(csm)
        db.session.commit()
        with app.test_request_context():
            path = url_for("calendar.feed", user_id=csm.id, token=feed_token(csm))

    feed = app.test_client().get(path).get_data(as_text=True)

    assert (f"UID:item-{item_id}@" in feed) is listed


def test_an_operations_item_of_a_live_project_is_not_in_the_digest(app, world, runner):
    set_up(app, world.project_a)
    with app.app_context():  # every other item of the world is done: only this one is late
        for item in factories.items_of(world.project_a) + factories.items_of(world.project_b):
            if item.responsibility.key != OPERATIONS_ROW or item.project_id != world.project_a:
                item.status = Status.DONE
        db.session.commit()

    result = runner.invoke(args=["reminders", "send", "--dry-run", "--day", "2000-06-01"])

    assert result.exit_code == 0, result.output
    assert "overdue" not in result.output


def test_the_digest_before_go_live_names_the_operations_item_overdue(app, world, runner):
    set_up(app, world.project_a, went_live_on=None)
    with app.app_context():
        for item in factories.items_of(world.project_a) + factories.items_of(world.project_b):
            if item.responsibility.key != OPERATIONS_ROW or item.project_id != world.project_a:
                item.status = Status.DONE
        db.session.commit()

    result = runner.invoke(args=["reminders", "send", "--dry-run", "--day", "2000-06-01"])

    assert f"would send to {World.CSM}: Onboarding tracker: 1 overdue" in result.output


def test_the_project_page_shows_the_item_as_standing_not_late(app, world, login):
    item_id, _ = set_up(app, world.project_a)

    page = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)

    row = page.split(f'id="item-{item_id}"', 1)[0].rsplit("<li", 1)[1]
    assert "item-late" not in row


def test_the_project_page_lists_standing_responsibilities_per_party(app, world, login):
    set_up(app, world.project_a)

    page = login(World.CLIENT_A).get(f"/projects/{world.project_a}").get_data(as_text=True)

    panel = page.split('id="standing"', 1)[1].split("</section>", 1)[0]
    assert "Maintain the applicable database(s)" in panel
    assert "review: quarterly" in panel


def test_before_go_live_the_project_page_has_no_standing_panel(app, world, login):
    set_up(app, world.project_a, went_live_on=None)

    page = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)

    assert 'id="standing"' not in page


def test_the_health_late_count_leaves_standing_items_out(app, world, login):
    set_up(app, world.project_a)
    with app.app_context():
        for item in factories.items_of(world.project_a):
            if item.responsibility.key != OPERATIONS_ROW:
                item.status = Status.DONE
        db.session.commit()

    page = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)

    assert " late<" not in page and "1 late" not in page


# --- the rhythm -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("went_live", "rhythm", "on", "due"),
    [
        (date(2026, 12, 15), ReviewRhythm.QUARTERLY, date(2027, 2, 28), None),  # not yet
        (date(2026, 12, 15), ReviewRhythm.QUARTERLY, date(2027, 3, 1), date(2027, 3, 15)),
        (date(2026, 12, 15), ReviewRhythm.QUARTERLY, date(2027, 12, 1), date(2027, 12, 15)),
        (date(2027, 1, 31), ReviewRhythm.MONTHLY, date(2027, 2, 20), date(2027, 2, 28)),
        (date(2026, 12, 15), ReviewRhythm.YEARLY, date(2027, 12, 1), date(2027, 12, 15)),
    ],
)
def test_a_review_comes_round_two_weeks_before_its_date(went_live, rhythm, on, due):
    assert review_due(went_live, rhythm, on) == due


def test_a_month_later_stays_within_the_month():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


def test_the_command_creates_the_review_that_has_come_round(app, world, runner):
    item_id, _ = set_up(app, world.project_a)

    result = runner.invoke(args=["reviews", "create", "--on", "2027-03-01"])

    assert result.exit_code == 0, result.output
    assert reviews(app, item_id) == [date(2027, 3, 15)]


def test_the_command_run_again_creates_nothing_more(app, world, runner):
    item_id, _ = set_up(app, world.project_a)
    runner.invoke(args=["reviews", "create", "--on", "2027-03-01"])

    result = runner.invoke(args=["reviews", "create", "--on", "2027-03-02"])

    assert "0 review(s) created" in result.output
    assert reviews(app, item_id) == [date(2027, 3, 15)]


def test_no_review_before_it_comes_round(app, world, runner):
    item_id, _ = set_up(app, world.project_a)

    runner.invoke(args=["reviews", "create", "--on", "2027-02-28"])

    assert reviews(app, item_id) == []


def test_no_review_for_a_project_not_live(app, world, runner):
    item_id, _ = set_up(app, world.project_a, went_live_on=None)

    runner.invoke(args=["reviews", "create", "--on", "2027-03-01"])

    assert reviews(app, item_id) == []


def test_no_review_for_a_row_without_a_rhythm(app, world, runner):
    item_id, _ = set_up(app, world.project_a)
    with app.app_context():
        db.session.execute(
            sa.update(Responsibility)
            .where(Responsibility.key == OPERATIONS_ROW)
            .values(review_every=None)
        )
        db.session.commit()

    runner.invoke(args=["reviews", "create", "--on", "2027-03-01"])

    assert reviews(app, item_id) == []


def test_a_review_created_is_in_the_projects_history(app, world, runner):
    item_id, _ = set_up(app, world.project_a)

    runner.invoke(args=["reviews", "create", "--on", "2027-03-01"])

    with app.app_context():
        event = db.session.scalars(
            sa.select(Event).where(Event.action == "item.review_created", Event.item_id == item_id)
        ).one()
        assert (event.item_id, event.new_value, event.actor_id) == (item_id, "2027-03-15", None)


def test_the_reminder_job_creates_the_reviews_too(app, world, runner):
    item_id, _ = set_up(app, world.project_a)

    runner.invoke(args=["reminders", "send", "--day", "2027-03-01"])

    assert reviews(app, item_id) == [date(2027, 3, 15)]


def test_the_party_marks_a_review_done_from_the_project_page(app, world, runner, login):
    item_id, _ = set_up(app, world.project_a)
    runner.invoke(args=["reviews", "create", "--on", "2027-03-01"])
    review_id = review_id_of(app, item_id)

    response = login(World.CSM).post(f"/projects/{world.project_a}/reviews/{review_id}/done")

    assert response.status_code == 302
    with app.app_context():
        review = db.session.get(StandingReview, review_id)
        assert (review.done_by_id, review.done_at is not None) == (world.csm, True)


def test_a_client_may_not_mark_an_infor_review_done(app, world, runner, login):
    item_id, _ = set_up(app, world.project_a)
    runner.invoke(args=["reviews", "create", "--on", "2027-03-01"])
    review_id = review_id_of(app, item_id)
    with app.app_context():
        assert factories.item_of(world.project_a, OPERATIONS_ROW).party is Party.INFOR

    response = login(World.CLIENT_A).post(f"/projects/{world.project_a}/reviews/{review_id}/done")

    assert response.status_code == 403


def test_another_customers_user_cannot_reach_the_review(app, world, runner, login):
    item_id, _ = set_up(app, world.project_a)
    runner.invoke(args=["reviews", "create", "--on", "2027-03-01"])
    review_id = review_id_of(app, item_id)

    response = login(World.CLIENT_B).post(f"/projects/{world.project_a}/reviews/{review_id}/done")

    assert response.status_code == 404


def test_the_open_review_shows_on_the_project_page(app, world, runner, login):
    set_up(app, world.project_a)
    runner.invoke(args=["reviews", "create", "--on", "2027-03-01"])

    page = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)

    assert "Review due 15 Mar 2027" in page
