"""What the daily digest reads: who gets one, the items of each, the day's deliveries."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import sqlalchemy as sa

from tracker.checklist.queries import is_due_soon, is_overdue
from tracker.dashboard.queries import item_rows, my_tasks_filter
from tracker.enums import Role
from tracker.models import Project, ReminderDelivery, User
from tracker.permissions import visible_projects_filter


def digest_filter(user: User) -> sa.ColumnElement[bool]:
    """The items a user's digest is about, among those of the projects they may see.

    CSMs: every item of the projects they manage, and any item assigned to them. Everyone
    else: their tasks (``my_tasks_filter``): client users, their company's client items; IMS
    and partner consultants, their party's items assigned to them or to nobody;
    administrators, the items assigned to them.
    """
    if user.role is Role.CSM:
        return sa.or_(Project.csm_id == user.id, my_tasks_filter(user))
    return my_tasks_filter(user)


def digest_select(user: User, day: date, days: int) -> sa.Select:
    """The open items of ``user``'s digest overdue on ``day`` or due within ``days`` after
    it, on projects that are not archived, soonest due first: one query per user."""
    return item_rows().where(
        sa.or_(is_overdue(day), is_due_soon(day, days)),
        visible_projects_filter(user),
        digest_filter(user),
    )


def recipients_select() -> sa.Select[tuple[User]]:
    """Active users who want the digest."""
    return (
        sa.select(User)
        .where(User.active.is_(True), User.digest_enabled.is_(True))
        .order_by(User.id)
    )


def deliveries_on(days: Collection[date]) -> sa.Select[tuple[int, date, str]]:
    """(user id, day, status) of each digest recorded for one of ``days``."""
    return sa.select(ReminderDelivery.user_id, ReminderDelivery.day, ReminderDelivery.status).where(
        ReminderDelivery.day.in_(sorted(days))
    )
