"""Creating, revoking and opening progress links. Services flush and never commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from tracker.audit.services import record
from tracker.errors import NotAllowed, NotFound, Refusal, RuleBroken
from tracker.extensions import db
from tracker.models import (
    ProgressLink,
    ProgressLinkView,
    Project,
    User,
    hash_link_token,
    new_link_token,
)
from tracker.permissions import can_create_progress_link, manages_project
from tracker.sharing.queries import link_by_hash
from tracker.timeutil import utcnow

# How long a link may work: a few choices, the longest a half-year.
EXPIRY_DAYS = (7, 30, 90, 180)


class ProgressLinkGone(Refusal):
    """A progress link that existed but no longer works (expired or revoked): 410."""

    status = 410
    title = "Gone"


def create_progress_link(
    project: Project, *, actor: User, label: str, days: int
) -> tuple[ProgressLink, str]:
    """A new link to ``project``'s progress, working for ``days`` days; returns it and its
    token, which is not stored (only its hash is) and is shown once."""
    if not can_create_progress_link(actor, project):
        raise NotAllowed(_("You do not have permission to do this."))
    label = (label or "").strip()
    if not label:
        raise RuleBroken("label", _("Say who the link is for."))
    if len(label) > 80:
        raise RuleBroken("label", _("At most 80 characters."))
    if days not in EXPIRY_DAYS:
        raise RuleBroken("days", _("Choose one of the durations offered."))
    token = new_link_token()
    now = utcnow()
    link = ProgressLink(
        project_id=project.id,
        token_hash=hash_link_token(token),
        label=label,
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(link)
    record(
        "project.progress_link_created",
        project_id=project.id,
        actor_id=actor.id,
        new=label,
    )
    return link, token


def revoke_progress_link(link: ProgressLink, *, actor: User) -> bool:
    """Stop ``link`` from working; False if it was already revoked (nothing changes)."""
    if not manages_project(actor, link.project):
        raise NotAllowed(_("You do not have permission to do this."))
    if link.revoked_at is not None:
        return False
    link.revoked_at = utcnow()
    link.revoked_by_id = actor.id
    record(
        "project.progress_link_revoked",
        project_id=link.project_id,
        actor_id=actor.id,
        old=link.label,
    )
    return True


def open_progress_link(token: str, *, now: datetime | None = None) -> ProgressLink:
    """The link whose token this is, its view recorded; ``NotFound`` for a token no link
    has, ``ProgressLinkGone`` for a link revoked or expired."""
    now = now or utcnow()
    link = link_by_hash(hash_link_token(token)) if len(token) <= 100 else None
    if link is None:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    if link.revoked_at is not None:
        raise ProgressLinkGone(
            _("This progress link was revoked. Ask your Customer Success Manager for a new one.")
        )
    if link.project.archived_at is not None:
        raise ProgressLinkGone(_("This project is archived: its progress is no longer shared."))
    if link.is_expired(now):
        raise ProgressLinkGone(
            _("This progress link has expired. Ask your Customer Success Manager for a new one.")
        )
    db.session.add(ProgressLinkView(link_id=link.id, viewed_at=now))
    return link
