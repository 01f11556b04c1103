"""The notification e-mails: a producer the outbox runs at the start of every delivery
(``tracker.outbox.register_producer``).

A user who chose "at once" gets at most one e-mail every NOTIFICATION_EMAIL_MINUTES (10),
grouping every notification waiting since the last one. Each user's e-mail is one unit of
work: claiming the user (moving ``users.notification_emailed_at`` on, only if it is still
older than the window: of two deliverers running at once, one claims, the other's UPDATE
changes nothing), marking their notifications e-mailed and queueing the message commit
together, so that nothing is e-mailed twice. A notification about an item the user may no
longer see is dropped from the e-mail (``off``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, ngettext

from tracker.boundary import unit_of_work
from tracker.extensions import db
from tracker.i18n import language_of
from tracker.models import Notification, User
from tracker.models.notification import DIGEST_ONLY, EMAIL_DIGEST, EMAIL_OFF, EMAIL_SENT
from tracker.notifications.queries import pending_email_recipients, pending_for, unread_of
from tracker.notifications.texts import describe, excerpt, link_endpoint, place
from tracker.outbox import enqueue_mail
from tracker.permissions import can_manage_people, can_view_project, sees_internal_comments
from tracker.timezones import reading_in, zone_name_of
from tracker.urls import Links

KIND = "notifications"
# The most notifications a daily digest lists (the page has them all).
DIGEST_LIMIT = 50


@dataclass(frozen=True)
class Line:
    text: str
    excerpt: str | None
    url: str
    project_name: str
    created_at: datetime


def window() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("NOTIFICATION_EMAIL_MINUTES", 10)))


def produce(now: datetime) -> int:
    """Queue the batched notification e-mails due at ``now`` (naive UTC); returns how many."""
    app = current_app._get_current_object()
    since = now - window()
    with unit_of_work():
        user_ids = list(db.session.scalars(pending_email_recipients(now, since)))
    if not user_ids:
        return 0
    links = Links(app, app.config["BASE_URL"])
    count = 0
    for user_id in user_ids:
        with unit_of_work():
            count += _email_one(user_id, now, since, links)
    return count


def _claim(user_id: int, now: datetime, since: datetime) -> bool:
    return (
        db.session.execute(
            sa.update(User)
            .where(
                User.id == user_id,
                sa.or_(
                    User.notification_emailed_at.is_(None),
                    User.notification_emailed_at <= since,
                ),
            )
            .values(notification_emailed_at=now)
        ).rowcount
        == 1
    )


def _email_one(user_id: int, now: datetime, since: datetime, links: Links) -> int:
    if not _claim(user_id, now, since):
        return 0  # another deliverer e-mailed this user meanwhile
    user = db.session.get(User, user_id)
    waiting = list(db.session.scalars(pending_for(user_id, now)))
    shown = [n for n in waiting if _may_read(user, n)]
    _mark(waiting, shown)
    if not shown:
        user.notification_emailed_at = None  # nothing sent: the next one goes at once
        return 0
    subject, text, html = render_email(user, shown, links)
    enqueue_mail(to=user.email, subject=subject, text=text, html=html, kind=KIND)
    return 1


def _may_read(user: User, notification: Notification) -> bool:
    """Checked again at delivery: the user may still see the item (and an internal
    comment)."""
    if notification.item is None:  # an invitation of theirs accepted
        return user.active and can_manage_people(user, notification.organisation)
    if not (user.active and can_view_project(user, notification.item.project)):
        return False
    internal = notification.kind in ("comment", "mention") and _internal(notification)
    return not internal or sees_internal_comments(user)


def _internal(notification: Notification) -> bool:
    from tracker.models import Comment

    comment_id = (notification.payload or {}).get("comment_id")
    comment = db.session.get(Comment, comment_id) if comment_id else None
    return bool(comment and comment.internal)


def _mark(waiting: list[Notification], shown: list[Notification]) -> None:
    shown_ids = {n.id for n in shown}
    for notification in waiting:
        notification.email = EMAIL_SENT if notification.id in shown_ids else EMAIL_OFF


def _link(links: Links, notification: Notification) -> str:
    endpoint, values = link_endpoint(notification)
    return links(endpoint, **values)


def lines_of(notifications: list[Notification], links: Links) -> list[Line]:
    """The notifications as an e-mail lists them, in the current language."""
    return [
        Line(
            text=describe(n),
            excerpt=excerpt(n),
            url=_link(links, n),
            project_name=place(n),
            created_at=n.created_at,
        )
        for n in notifications
    ]


def for_digest(user: User) -> list[Notification]:
    """The unread notifications of a user who chose the daily digest only, that are still
    for them to read (oldest first)."""
    if user.notification_email != DIGEST_ONLY:
        return []
    waiting = db.session.scalars(
        unread_of(user).where(Notification.email == EMAIL_DIGEST).limit(DIGEST_LIMIT)
    )
    return sorted((n for n in waiting if _may_read(user, n)), key=lambda n: (n.created_at, n.id))


def mark_digested(notifications: list[Notification]) -> None:
    """The notifications went out in a digest: not in the next one."""
    ids = [n.id for n in notifications]
    if ids:
        db.session.execute(
            sa.update(Notification).where(Notification.id.in_(ids)).values(email=EMAIL_SENT)
        )


def render_email(user: User, notifications: list[Notification], links: Links):
    """(subject, text, html) of ``user``'s e-mail of ``notifications``, in their language
    and time zone."""
    language = language_of(user)
    zone_name = zone_name_of(user)
    with force_locale(language), reading_in(zone_name):
        lines = lines_of(notifications, links)
        subject = ngettext(
            "Onboarding tracker: %(num)d new notification",
            "Onboarding tracker: %(num)d new notifications",
            len(lines),
        )
        context = dict(
            user=user,
            lines=lines,
            subject=subject,
            language=language,
            all_url=links("notifications.index"),
            account_url=links("account.index") + "#preferences",
        )
        text = render_template("email/notifications.txt", **context)
        html = render_template("email/notifications.html", **context)
    return subject, text, html
