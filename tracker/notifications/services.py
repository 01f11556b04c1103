"""Writing notifications (called by the item's services, in their transaction), watching,
and reading them. Functions flush and never commit."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.boundary import flush
from tracker.errors import NotAllowed, RuleBroken
from tracker.extensions import db
from tracker.models import ChecklistItem, Comment, Notification, User, Watch
from tracker.models.notification import (
    ASSIGNED,
    AT_ONCE,
    COMMENT,
    DIGEST_ONLY,
    DUE_DATE,
    EMAIL_DIGEST,
    EMAIL_OFF,
    EMAIL_PENDING,
    INVITATION_ACCEPTED,
    MENTION,
    STATUS,
)
from tracker.notifications.queries import (
    mention_candidates,
    users_by_id,
    watch_choices,
    watch_of,
)
from tracker.permissions import (
    can_manage_people,
    can_view_project,
    can_watch,
    sees_internal_comments,
)
from tracker.timeutil import utcnow

# A mention in a comment: "@[Jane Doe]", as the picker writes it.
MENTION_PATTERN = re.compile(r"@\[([^\[\]\n]{1,120})\]")
EXCERPT_LENGTH = 200

_EMAIL_STATE = {AT_ONCE: EMAIL_PENDING, DIGEST_ONLY: EMAIL_DIGEST}


# --- who watches an item ----------------------------------------------------------------


def watcher_ids(item: ChecklistItem) -> set[int]:
    """Who watches ``item``: its assignee and its project's CSM by default, and whoever
    chose to watch it, less whoever chose not to."""
    default = {item.assignee_id, item.project.csm_id} - {None}
    chosen = dict(db.session.execute(watch_choices(item.id)).all())
    return {uid for uid in default | set(chosen) if chosen.get(uid, True)}


def is_watching(user: User, item: ChecklistItem) -> bool:
    return user.id in watcher_ids(item)


def set_watching(item: ChecklistItem, *, actor: User, watching: bool) -> None:
    """``actor`` watches ``item``, or stops watching it."""
    if not can_watch(actor, item):
        raise NotAllowed(_("You do not have permission to do this."))
    watch = db.session.scalars(watch_of(actor.id, item.id)).one_or_none()
    if watch is None:
        db.session.add(Watch(user_id=actor.id, item_id=item.id, watching=watching))
    else:
        watch.watching = watching
    flush()


def _watch_by_default(user_id: int, item: ChecklistItem) -> None:
    """A commenter watches the item, unless they chose not to before."""
    if db.session.scalars(watch_of(user_id, item.id)).one_or_none() is None:
        db.session.add(Watch(user_id=user_id, item_id=item.id, watching=True))


# --- writing notifications ---------------------------------------------------------------


def _notify(
    item: ChecklistItem,
    recipient_ids: set[int],
    kind: str,
    *,
    actor: User | None,
    payload: dict,
    internal: bool = False,
) -> list[Notification]:
    """One notification of ``kind`` to each recipient who may see ``item`` (and read an
    ``internal`` comment), the actor excepted."""
    if actor is not None:
        recipient_ids = recipient_ids - {actor.id}
    if not recipient_ids:
        return []
    written = []
    for user in db.session.scalars(users_by_id(recipient_ids)):
        if not (user.active and can_view_project(user, item.project)):
            continue
        if internal and not sees_internal_comments(user):
            continue
        notification = Notification(
            recipient_id=user.id,
            kind=kind,
            project_id=item.project_id,
            item_id=item.id,
            actor_id=actor.id if actor else None,
            payload=payload,
            email=_EMAIL_STATE.get(user.notification_email, EMAIL_OFF),
            created_at=utcnow(),
        )
        db.session.add(notification)
        written.append(notification)
    return written


def _value(value) -> object:
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


def item_changed(
    item: ChecklistItem, *, actor: User, changes: dict[str, tuple[object, object]]
) -> None:
    """Tell the people concerned what ``actor`` changed on ``item`` (``changes``: field ->
    (old, new); the assignee's as User objects): the new assignee that it is theirs, the
    watchers a new status or due date."""
    if "assignee" in changes:
        _old, new = changes["assignee"]
        if new is not None:
            _notify(item, {new.id}, ASSIGNED, actor=actor, payload={})
    watchers = watcher_ids(item)
    for field, kind in (("status", STATUS), ("due_date", DUE_DATE)):
        if field in changes:
            old, new = changes[field]
            _notify(
                item, watchers, kind, actor=actor, payload={"old": _value(old), "new": _value(new)}
            )


def mentioned(item: ChecklistItem, body: str, *, internal: bool) -> set[int]:
    """The users ``body`` mentions (``@[Name]``), all of whom may see ``item`` (and read the
    comment, if ``internal``); ``RuleBroken`` naming the first who may not, or who is no
    one's name: a mention never reaches, nor tells of, someone who may not see the item."""
    names = list(dict.fromkeys(MENTION_PATTERN.findall(body)))
    if not names:
        return set()
    candidates = db.session.scalars(
        mention_candidates(item.project, clients=not internal).where(
            User.name.in_([name.strip() for name in names])
        )
    ).all()
    by_name: dict[str, set[int]] = {}
    for user in candidates:
        by_name.setdefault(user.name, set()).add(user.id)
    ids: set[int] = set()
    for name in names:
        found = by_name.get(name.strip())
        if not found:
            raise RuleBroken(
                "body",
                _(
                    "You cannot mention %(name)s: nobody of that name may see this item.",
                    name=name.strip(),
                ),
            )
        ids |= found
    return ids


def comment_added(
    item: ChecklistItem, comment: Comment, *, actor: User, mentions: set[int]
) -> None:
    """Tell the watchers of ``item`` (and the people ``mentions`` names, as a mention) that
    ``actor`` commented; the commenter watches the item from now on."""
    payload = {"comment_id": comment.id, "excerpt": _excerpt(comment.body)}
    _notify(item, mentions, MENTION, actor=actor, payload=payload, internal=comment.internal)
    others = watcher_ids(item) - mentions
    _notify(item, others, COMMENT, actor=actor, payload=payload, internal=comment.internal)
    _watch_by_default(actor.id, item)


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


# --- reading ------------------------------------------------------------------------------


def mark_read(notification: Notification, *, actor: User) -> None:
    if notification.recipient_id != actor.id:
        raise NotAllowed(_("You do not have permission to do this."))
    if notification.read_at is None:
        notification.read_at = utcnow()
    flush()


def mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of ``actor`` read; returns how many."""
    changed = db.session.execute(
        sa.update(Notification)
        .where(Notification.recipient_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount
    flush()
    return changed or 0


def invitation_accepted(invitation, user: User) -> Notification | None:
    """Tell the inviter that ``user`` accepted their ``invitation`` (not about an item: it
    leads to the organisation's people page). Nobody to tell when the inviter is gone."""
    inviter = db.session.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    if inviter is None or not inviter.active or inviter.id == user.id:
        return None
    if not can_manage_people(inviter, invitation.organisation):
        return None  # they left the organisation (or its projects) since they invited
    notification = Notification(
        recipient_id=inviter.id,
        kind=INVITATION_ACCEPTED,
        organisation_id=invitation.organisation_id,
        actor_id=user.id,
        payload={"name": user.name, "email": user.email},
        email=_EMAIL_STATE.get(inviter.notification_email, EMAIL_OFF),
        created_at=utcnow(),
    )
    db.session.add(notification)
    return notification


def rechannel_waiting(user: User) -> None:
    """After ``user`` changed how they are e-mailed: the unread notifications still waiting
    for an e-mail go the new way (the batched e-mail, the digest, or none), not lost."""
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.recipient_id == user.id,
            Notification.read_at.is_(None),
            Notification.email.in_((EMAIL_PENDING, EMAIL_DIGEST)),
        )
        .values(email=_EMAIL_STATE.get(user.notification_email, EMAIL_OFF))
        .execution_options(synchronize_session=False)
    )
