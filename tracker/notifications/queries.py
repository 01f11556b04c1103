"""Reads of notifications and watches (statements, executed by the callers)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.models import ChecklistItem, Notification, Project, User, Watch
from tracker.models.notification import AT_ONCE, EMAIL_PENDING
from tracker.permissions import project_viewers_filter, visible_projects_filter


def watch_choices(item_id: int) -> sa.Select:
    """(user_id, watching) of the people who chose to watch ``item_id``, or not to."""
    return sa.select(Watch.user_id, Watch.watching).where(Watch.item_id == item_id)


def watch_of(user_id: int, item_id: int) -> sa.Select:
    return sa.select(Watch).where(Watch.user_id == user_id, Watch.item_id == item_id)


def users_by_id(ids: set[int]) -> sa.Select:
    return sa.select(User).where(User.id.in_(ids))


def mention_candidates(project: Project, *, clients: bool, prefix: str = "") -> sa.Select:
    """The active users who may see ``project``'s items (without client users for an
    internal comment), by name, starting with ``prefix`` if given."""
    from tracker.enums import Role

    query = sa.select(User).where(project_viewers_filter(project)).order_by(User.name, User.id)
    if not clients:
        query = query.where(User.role != Role.CLIENT)
    if prefix:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(User.name.ilike(f"{escaped}%", escape="\\"))
    return query


def _visible_to(user: User):
    """``user``'s notifications about items of projects they may still see, and those not
    about an item (an invitation of theirs accepted)."""
    return (
        sa.select(Notification)
        .outerjoin(Project, Project.id == Notification.project_id)
        .where(
            Notification.recipient_id == user.id,
            sa.or_(Notification.item_id.is_(None), visible_projects_filter(user)),
        )
    )


def notifications_of(user: User) -> sa.Select:
    """``user``'s notifications about projects they may still see, newest first, with what
    their sentences name (the actor, the item's text): as many statements for any page."""
    return (
        _visible_to(user)
        .options(
            selectinload(Notification.actor),
            selectinload(Notification.item).joinedload(ChecklistItem.responsibility),
            selectinload(Notification.organisation),
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def notifications_count(user: User) -> sa.Select:
    return sa.select(sa.func.count()).select_from(_visible_to(user).subquery())


def unread_count(user: User) -> sa.Select:
    """How many of ``user``'s notifications are unread (of projects they may see)."""
    return sa.select(sa.func.count()).select_from(
        _visible_to(user).where(Notification.read_at.is_(None)).subquery()
    )


def unread_of(user: User) -> sa.Select:
    """``user``'s unread notifications they may still see, newest first."""
    return notifications_of(user).where(Notification.read_at.is_(None))


def pending_email_recipients(now: datetime, since: datetime) -> sa.Select:
    """The ids of active users who want e-mails at once, have notifications waiting for one,
    and were last e-mailed before ``since`` (or never)."""
    return (
        sa.select(User.id)
        .where(
            User.active.is_(True),
            User.notification_email == AT_ONCE,
            sa.or_(User.notification_emailed_at.is_(None), User.notification_emailed_at <= since),
            sa.exists().where(
                Notification.recipient_id == User.id,
                Notification.email == EMAIL_PENDING,
                Notification.created_at <= now,
            ),
        )
        .order_by(User.id)
    )


def pending_for(user_id: int, now: datetime) -> sa.Select:
    """A user's notifications waiting for the batched e-mail, with what its lines name
    (the actor, the item's text and project, the organisation joined)."""
    return (
        sa.select(Notification)
        .options(
            selectinload(Notification.actor),
            selectinload(Notification.item).joinedload(ChecklistItem.responsibility),
            selectinload(Notification.item).joinedload(ChecklistItem.project),
            selectinload(Notification.organisation),
        )
        .where(
            Notification.recipient_id == user_id,
            Notification.email == EMAIL_PENDING,
            Notification.created_at <= now,
        )
        .order_by(Notification.created_at, Notification.id)
    )


def item_ids_of_project(project_id: int) -> sa.Select:
    return sa.select(ChecklistItem.id).where(ChecklistItem.project_id == project_id)
