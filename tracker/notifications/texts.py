"""A notification in words, in the current language (a page's, or an e-mail's recipient's:
``force_locale``), from what it keeps as data."""

from __future__ import annotations

import textwrap
from datetime import date

from flask_babel import gettext as _

from tracker.enums import Status
from tracker.formatting import format_date
from tracker.i18n import localized
from tracker.models import Notification
from tracker.models.notification import (
    ASSIGNED,
    COMMENT,
    DUE_DATE,
    INVITATION_ACCEPTED,
    MENTION,
    STATUS,
)

ITEM_TEXT_WIDTH = 120


def item_title(notification: Notification) -> str:
    text = localized(notification.item.responsibility, "text") or ""
    return textwrap.shorten(text, ITEM_TEXT_WIDTH, placeholder=" …")


def _status(value: str | None) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value or ""


def _date(value: str | None) -> str:
    try:
        return format_date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return value or ""


def describe(notification: Notification) -> str:
    """What happened, in one sentence (the comment's start, if any, is ``excerpt``)."""
    actor = notification.actor.name if notification.actor else _("The tracker")
    payload = notification.payload or {}
    kind = notification.kind
    if kind == INVITATION_ACCEPTED:
        organisation = notification.organisation.name if notification.organisation else ""
        return _(
            "%(name)s (%(email)s) accepted your invitation and joined %(organisation)s.",
            name=payload.get("name", ""),
            email=payload.get("email", ""),
            organisation=organisation,
        )
    item = item_title(notification)
    if kind == ASSIGNED:
        return _("%(actor)s assigned you “%(item)s”.", actor=actor, item=item)
    if kind == MENTION:
        return _("%(actor)s mentioned you in a comment on “%(item)s”.", actor=actor, item=item)
    if kind == COMMENT:
        return _("%(actor)s commented on “%(item)s”.", actor=actor, item=item)
    if kind == STATUS:
        return _(
            "%(actor)s changed the status of “%(item)s” from %(old)s to %(new)s.",
            actor=actor,
            item=item,
            old=_status(payload.get("old")),
            new=_status(payload.get("new")),
        )
    if kind == DUE_DATE:
        return _(
            "%(actor)s moved the due date of “%(item)s” from %(old)s to %(new)s.",
            actor=actor,
            item=item,
            old=_date(payload.get("old")),
            new=_date(payload.get("new")),
        )
    return _("%(actor)s changed “%(item)s”.", actor=actor, item=item)


def link_endpoint(notification: Notification) -> tuple[str, dict]:
    """The page a notification leads to: its item's, or the organisation's people page."""
    if notification.item_id is None:
        return "people.page", {"organisation_id": notification.organisation_id}
    return "checklist.item", {
        "project_id": notification.project_id,
        "item_id": notification.item_id,
    }


def place(notification: Notification) -> str:
    """Where it happened: the item's project, or the organisation joined."""
    if notification.item is not None:
        return notification.item.project.name
    return notification.organisation.name if notification.organisation else ""


def excerpt(notification: Notification) -> str | None:
    return (notification.payload or {}).get("excerpt")
