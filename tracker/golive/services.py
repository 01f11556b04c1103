"""Go-live's use cases: designating approvers, waiving blocking items, the client's
sign-off and the CSM's confirmation of go-live (the handover). Each takes the acting user,
checks the permissions and rules, records its events and raises a refusal
(tracker.errors); services flush and never commit (tracker.boundary)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from tracker.audit import services as audit
from tracker.boundary import flush
from tracker.enums import Role
from tracker.errors import NotAllowed, RuleBroken
from tracker.extensions import db
from tracker.golive.mail import queue_handover_mail
from tracker.golive.queries import is_approver, readiness_of
from tracker.i18n import localized
from tracker.models import GoLiveApprover, GoLiveSignOff, GoLiveWaiver, Project, User
from tracker.permissions import can_manage_go_live, can_sign_off

MAX_NOTE_LENGTH = 2000


def _require_manager(project: Project, actor: User) -> None:
    if not can_manage_go_live(actor, project):
        raise NotAllowed(_("Only the project's CSM manages its go-live."))


def _require_not_live(project: Project) -> None:
    if project.went_live_on is not None:
        raise RuleBroken(None, _("The project is already live."))


def _text(value: str | None, field: str) -> str | None:
    value = (value or "").strip() or None
    if value is not None and len(value) > MAX_NOTE_LENGTH:
        raise RuleBroken(field, _("Keep it under %(count)s characters.", count=MAX_NOTE_LENGTH))
    return value


def designate_approver(project: Project, user_id: int, *, actor: User) -> User:
    """Let a client user of the project's customer sign go-live off."""
    _require_manager(project, actor)
    _require_not_live(project)
    user = db.session.get(User, user_id)
    if (
        user is None
        or not user.active
        or user.role is not Role.CLIENT
        or user.organisation_id != project.customer_id
    ):
        raise RuleBroken("user_id", _("Choose an active client user of the customer."))
    if not is_approver(project.id, user.id):
        db.session.add(
            GoLiveApprover(project_id=project.id, user_id=user.id, designated_by_id=actor.id)
        )
        audit.record(
            "golive.approver_added", project_id=project.id, actor_id=actor.id, new=user.name
        )
        flush()
    return user


def waive_item(project: Project, item_id: int, reason: str, *, actor: User) -> GoLiveWaiver:
    """Let go-live go ahead although a blocking item is open, for ``reason``."""
    _require_manager(project, actor)
    _require_not_live(project)
    if readiness_of(project).sign_off is not None:
        raise RuleBroken(
            None, _("Go-live is already signed off: what it was signed off with stays as it is.")
        )
    reason = _text(reason, "reason")
    if not reason:
        raise RuleBroken("reason", _("Say why go-live may go ahead without this item."))
    entry = next((e for e in readiness_of(project).items if e.item.id == item_id), None)
    if entry is None or not entry.is_open:
        raise RuleBroken("item_id", _("Choose an open item that blocks go-live."))
    if entry.waiver is not None:
        return entry.waiver
    waiver = GoLiveWaiver(
        project_id=project.id, item_id=item_id, reason=reason, waived_by_id=actor.id
    )
    db.session.add(waiver)
    audit.record(
        "golive.item_waived",
        project_id=project.id,
        item_id=item_id,
        actor_id=actor.id,
        new=reason,
    )
    flush()
    return waiver


def sign_off(
    project: Project,
    *,
    actor: User,
    note: str | None = None,
    rating: int | None = None,
    rating_comment: str | None = None,
) -> GoLiveSignOff:
    """The client's sign-off of go-live, refused with the list of the blocking items still
    open (unless waived)."""
    if not can_sign_off(actor, project, approver=is_approver(project.id, actor.id)):
        raise NotAllowed(_("Only a client lead or an approver of the customer signs go-live off."))
    readiness = readiness_of(project)
    if readiness.sign_off is not None:
        raise RuleBroken(None, _("Go-live is already signed off."))
    if rating is not None and not 1 <= rating <= 5:
        raise RuleBroken("rating", _("Rate the onboarding from 1 to 5."))
    note = _text(note, "note")
    rating_comment = _text(rating_comment, "rating_comment")
    if outstanding := readiness.outstanding:
        names = "; ".join(
            f"{localized(entry.row, 'text')} ({entry.item.party.label})" for entry in outstanding
        )
        raise RuleBroken(
            None,
            _(
                "Go-live cannot be signed off while these items are open: %(items)s.",
                items=names,
            ),
        )
    signed = GoLiveSignOff(
        project_id=project.id,
        signed_by_id=actor.id,
        note=note,
        rating=rating,
        rating_comment=rating_comment,
    )
    db.session.add(signed)
    audit.record(
        "golive.signed_off",
        project_id=project.id,
        actor_id=actor.id,
        new=note,
        params={"rating": rating} if rating is not None else None,
    )
    flush()
    return signed


def confirm_go_live(project: Project, *, actor: User, on: date, today: date) -> None:
    """Record that the project went live ``on`` (``today`` at the latest): it moves into
    operations, and the handover summary is e-mailed to the project's people (in the
    outbox, with this change)."""
    _require_manager(project, actor)
    _require_not_live(project)
    readiness = readiness_of(project)
    if readiness.sign_off is None:
        raise RuleBroken(None, _("The client has not signed go-live off yet."))
    if on < project.kickoff_date:
        raise RuleBroken("went_live_on", _("The go-live date cannot be before the kickoff date."))
    if readiness.outstanding:
        raise RuleBroken(
            None,
            _("Items that block go-live were reopened since the sign-off: close them first."),
        )
    if on > today:
        raise RuleBroken("went_live_on", _("Confirm go-live once it has happened, not before."))
    project.went_live_on = on
    audit.record(
        "golive.confirmed", project_id=project.id, actor_id=actor.id, field="went_live_on", new=on
    )
    flush()
    queue_handover_mail(project)
