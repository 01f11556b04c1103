"""Creating the reviews that come round, and marking one done. Services flush, never commit."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from flask_babel import gettext as _

from tracker.audit.services import record
from tracker.enums import ReviewRhythm
from tracker.errors import NotAllowed
from tracker.extensions import db
from tracker.models import StandingReview, User
from tracker.permissions import can_update_item
from tracker.reviews.queries import reviews_on, standing_items_select
from tracker.timeutil import utcnow

# A review is created this many days before its date, so that it shows before it is due.
NOTICE_DAYS = 14


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, kept within the month (31 January + 1: 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due(
    went_live_on: date, rhythm: ReviewRhythm, on: date, *, notice_days: int = NOTICE_DAYS
) -> date | None:
    """The date of the latest review that has come round by ``on``: the rhythm counted from
    the go-live date (the first a period after it), each coming round ``notice_days`` before
    its date; None before the first. Reviews a stopped job missed are not made up: only the
    latest is due."""
    latest = None
    step = 1
    while True:
        due = add_months(went_live_on, step * rhythm.months)
        if due - timedelta(days=notice_days) > on:
            return latest
        latest = due
        step += 1


def create_due_reviews(on: date, *, notice_days: int = NOTICE_DAYS) -> list[StandingReview]:
    """Create the review of each standing responsibility whose rhythm has come round by
    ``on`` and that has none for that date yet; the reviews created. Running it again the
    same day (or any day before the next comes round) creates nothing: for cron."""
    due = {}
    for item_id, project_id, went_live_on, rhythm in db.session.execute(standing_items_select()):
        day = review_due(went_live_on, rhythm, on, notice_days=notice_days)
        if day is not None:
            due[item_id] = (project_id, day)
    if not due:
        return []
    existing = {
        (item_id, day)
        for item_id, day in db.session.execute(reviews_on({d for _, d in due.values()}))
    }
    created = []
    for item_id, (project_id, day) in due.items():
        if (item_id, day) in existing:
            continue
        review = StandingReview(project_id=project_id, item_id=item_id, due_on=day)
        db.session.add(review)
        record(
            "item.review_created",
            project_id=project_id,
            item_id=item_id,
            actor_id=None,
            field="review",
            new=day,
        )
        created.append(review)
    db.session.flush()
    return created


def mark_review_done(review: StandingReview, *, actor: User) -> bool:
    """Mark ``review`` done; False if it already was (nothing changes). Whoever may update
    the item may."""
    if not can_update_item(actor, review.item):
        raise NotAllowed(_("You do not have permission to do this."))
    if review.done_at is not None:
        return False
    review.done_at = utcnow()
    review.done_by_id = actor.id
    record(
        "item.review_done",
        project_id=review.project_id,
        item_id=review.item_id,
        actor_id=actor.id,
        field="review",
        old=review.due_on,
    )
    return True
