"""Reads about standing responsibilities and their reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.checklist.queries import is_work
from tracker.enums import Party, Phase, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Project, Responsibility, StandingReview


def standing_items_select() -> sa.Select:
    """(item id, project id, go-live date, rhythm) of every standing responsibility whose row
    has a review rhythm: operations rows' items on active projects that have gone live,
    neither retired by a rule nor marked not applicable. Columns, not objects: the hourly job
    reads them all."""
    return (
        sa.select(
            ChecklistItem.id,
            ChecklistItem.project_id,
            Project.went_live_on,
            Responsibility.review_every,
        )
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .join(Project, ChecklistItem.project_id == Project.id)
        .where(
            Project.went_live_on.is_not(None),
            Project.archived_at.is_(None),
            Responsibility.phase == Phase.OPERATIONS,
            Responsibility.review_every.is_not(None),
            ChecklistItem.status != Status.NOT_APPLICABLE,
            is_work(),
        )
        .order_by(ChecklistItem.id)
    )


def reviews_on(days: set[date]) -> sa.Select:
    """(item id, date) of the reviews falling on one of ``days``."""
    return sa.select(StandingReview.item_id, StandingReview.due_on).where(
        StandingReview.due_on.in_(sorted(days))
    )


def reviews_of_items(item_ids: list[int]) -> sa.Select:
    """The reviews of these items, oldest first."""
    return (
        sa.select(StandingReview)
        .where(StandingReview.item_id.in_(item_ids))
        .order_by(StandingReview.due_on, StandingReview.id)
    )


@dataclass(frozen=True)
class Standing:
    """A standing responsibility as the project page shows it: the item, its row, its
    review still to do (the earliest) and the last one done."""

    item: ChecklistItem
    row: Responsibility
    open_review: StandingReview | None
    last_done: StandingReview | None


def standing_responsibilities(project: Project) -> dict[Party, list[Standing]]:
    """The project's standing responsibilities by party (in the parties' order), once it has
    gone live; nothing before. Two statements, whatever their number."""
    if project.went_live_on is None:
        return {}
    rows = db.session.execute(
        sa.select(ChecklistItem, Responsibility)
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .options(joinedload(ChecklistItem.assignee))
        .where(
            ChecklistItem.project_id == project.id,
            Responsibility.phase == Phase.OPERATIONS,
            ChecklistItem.status != Status.NOT_APPLICABLE,
            is_work(),
        )
        .order_by(Responsibility.position, ChecklistItem.party)
    ).all()
    reviews: dict[int, list[StandingReview]] = {}
    if rows:
        for review in db.session.scalars(
            reviews_of_items([item.id for item, _ in rows]).options(
                joinedload(StandingReview.done_by)
            )
        ):
            reviews.setdefault(review.item_id, []).append(review)
    by_party: dict[Party, list[Standing]] = {}
    for item, row in rows:
        of_item = reviews.get(item.id, [])
        to_do = [review for review in of_item if review.done_at is None]
        done = [review for review in of_item if review.done_at is not None]
        by_party.setdefault(item.party, []).append(
            Standing(item, row, to_do[0] if to_do else None, done[-1] if done else None)
        )
    return {party: by_party[party] for party in Party if party in by_party}


def review_of_project(project_id: int, review_id: int) -> StandingReview | None:
    review = db.session.get(StandingReview, review_id)
    return review if review is not None and review.project_id == project_id else None


def reviews_late(project_id: int, on: date) -> int:
    """How many of the project's reviews are past their date and not done."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StandingReview)
            .where(
                StandingReview.project_id == project_id,
                StandingReview.done_at.is_(None),
                StandingReview.due_on < on,
            )
        )
        or 0
    )
