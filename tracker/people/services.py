"""Invitations and an organisation's people: the use cases. Each takes the acting user,
checks the permission itself (tracker.permissions.can_manage_people), records a people
event (tracker.audit), flushes and never commits.

An invitation is a single-use link (tracker.auth.links): only its token's hash is stored, the
token goes out once in the invitation e-mail, queued in the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _

from tracker.audit.services import record_people_event
from tracker.auth.links import LinkUnusable, new_token, use_up
from tracker.auth.queries import link_of, user_by_email
from tracker.boundary import flush
from tracker.errors import NotAllowed, NotFound, RuleBroken
from tracker.extensions import db
from tracker.i18n import LANGUAGES
from tracker.models import Invitation, InvitationState, Organisation, User
from tracker.notifications.services import invitation_accepted
from tracker.people.queries import pending_invitations_to
from tracker.permissions import MEMBER_ROLE, can_manage_people
from tracker.timeutil import utcnow

# How the link in an e-mail is made from a token (the view's url_for, or BASE_URL's).
LinkFor = Callable[[str], str]


@dataclass(frozen=True)
class InvitationData:
    """An invitation as the inviter typed it."""

    email: str
    name: str
    is_lead: bool
    language: str


def _require_manager(actor: User, organisation: Organisation) -> None:
    if not can_manage_people(actor, organisation):
        raise NotFound(_("There is nothing here, or you cannot see it."))


def _invitation_of(organisation: Organisation, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    return invitation


def _cancel_pending(email: str, organisation: Organisation, *, actor: User | None) -> None:
    """Cancel the invitations to ``email`` into ``organisation`` that could still be
    accepted: a new one replaces them."""
    now = utcnow()
    for old in db.session.scalars(pending_invitations_to(email, organisation.id)):
        old.cancelled_at = now
        record_people_event(
            "invitation_replaced",
            actor_id=actor.id if actor is not None else None,
            organisation_id=old.organisation_id,
            email=old.email,
            invitation_id=old.id,
        )


def invite(
    organisation: Organisation,
    data: InvitationData,
    *,
    actor: User,
    lifetime: timedelta,
    link_for: LinkFor,
) -> Invitation:
    """Invite ``data.email`` to ``organisation`` (its kind says the role: client user or
    partner consultant; ``data.is_lead`` a lead), e-mailed in ``data.language``.

    An address that already has an account is refused, with a message for the inviter only
    (this is their form). An earlier invitation to the same address that could still be
    accepted is cancelled.
    """
    _require_manager(actor, organisation)
    email = data.email.strip().lower()
    if user_by_email(email) is not None:
        raise RuleBroken(
            "email",
            _(
                "This address already has an account: it cannot be invited. An "
                "administrator can move the account to this organisation."
            ),
        )
    if data.language not in LANGUAGES:
        raise RuleBroken("language", _("Choose a language from the list."))
    _cancel_pending(email, organisation, actor=actor)
    now = utcnow()
    token, token_hash = new_token()
    invitation = Invitation(
        organisation_id=organisation.id,
        organisation=organisation,
        email=email,
        name=data.name.strip(),
        role=MEMBER_ROLE[organisation.kind],
        is_lead=data.is_lead,
        language=data.language,
        invited_by_id=actor.id,
        invited_by=actor,
        token_hash=token_hash,
        created_at=now,
        sent_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(invitation)
    flush()
    record_people_event(
        "invitation_sent",
        actor_id=actor.id,
        organisation_id=organisation.id,
        email=email,
        invitation_id=invitation.id,
    )
    _send(invitation, token, link_for=link_for, lifetime=lifetime)
    flush()
    return invitation


def resend(
    organisation: Organisation,
    invitation_id: int,
    *,
    actor: User,
    lifetime: timedelta,
    link_for: LinkFor,
) -> Invitation:
    """Send an invitation again with a new link (the old one stops working) valid for
    ``lifetime`` from now: a sent or expired invitation, not an accepted or cancelled one."""
    _require_manager(actor, organisation)
    invitation = _invitation_of(organisation, invitation_id)
    now = utcnow()
    state = invitation.state(now)
    if state is InvitationState.ACCEPTED:
        raise RuleBroken(None, _("This invitation has been accepted: there is nothing to resend."))
    if state is InvitationState.CANCELLED:
        raise RuleBroken(None, _("This invitation was cancelled: send a new one instead."))
    if user_by_email(invitation.email) is not None:
        raise RuleBroken(None, _("This address already has an account: it cannot be invited."))
    token, invitation.token_hash = new_token()
    invitation.sent_at = now
    invitation.expires_at = now + lifetime
    record_people_event(
        "invitation_resent",
        actor_id=actor.id,
        organisation_id=organisation.id,
        email=invitation.email,
        invitation_id=invitation.id,
    )
    _send(invitation, token, link_for=link_for, lifetime=lifetime)
    flush()
    return invitation


def cancel(organisation: Organisation, invitation_id: int, *, actor: User) -> Invitation:
    """Cancel an invitation that has not been accepted: its link stops working."""
    _require_manager(actor, organisation)
    invitation = _invitation_of(organisation, invitation_id)
    state = invitation.state(utcnow())
    if state is InvitationState.ACCEPTED:
        raise RuleBroken(None, _("This invitation has been accepted: it cannot be cancelled."))
    if state is InvitationState.CANCELLED:
        return invitation  # already done: the same outcome
    invitation.cancelled_at = utcnow()
    record_people_event(
        "invitation_cancelled",
        actor_id=actor.id,
        organisation_id=organisation.id,
        email=invitation.email,
        invitation_id=invitation.id,
    )
    flush()
    return invitation


def deactivate(organisation: Organisation, user_id: int, *, actor: User) -> User:
    """Deactivate one of the organisation's people (a lead's colleague): they are signed out
    everywhere and can no longer sign in. Nobody deactivates themselves here."""
    _require_manager(actor, organisation)
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != organisation.id:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    if user.id == actor.id:
        raise NotAllowed(_("You cannot deactivate yourself."))
    if not user.active:
        return user
    user.active = False
    user.end_sessions()
    record_people_event(
        "user_deactivated",
        actor_id=actor.id,
        organisation_id=organisation.id,
        email=user.email,
        user_id=user.id,
    )
    flush()
    return user


# --- accepting ------------------------------------------------------------------------------


class InvitationUnusable(LinkUnusable):
    """An invitation link that cannot be followed: unknown (404), accepted, cancelled or
    expired (410)."""


def _unknown() -> InvitationUnusable:
    return InvitationUnusable(
        404,
        _("Invitation not found"),
        _(
            "This invitation link is not valid. Check that you copied the whole link, or ask "
            "the person who invited you to send it again."
        ),
    )


def _accepted() -> InvitationUnusable:
    return InvitationUnusable(
        410,
        _("Invitation already accepted"),
        _(
            "This invitation has already been accepted. Sign in with the password chosen "
            "then, or use “Forgot password?” on the sign-in page."
        ),
    )


def _cancelled() -> InvitationUnusable:
    return InvitationUnusable(
        410,
        _("Invitation cancelled"),
        _(
            "This invitation has been cancelled, or replaced by a newer one. Use the link of "
            "the newest invitation e-mail, or ask the person who invited you."
        ),
    )


def _expired() -> InvitationUnusable:
    return InvitationUnusable(
        410,
        _("Invitation expired"),
        _("This invitation has expired. Ask the person who invited you to send it again."),
    )


def usable_invitation(token: str) -> Invitation:
    """The invitation for ``token``, or ``InvitationUnusable`` saying why it cannot be used."""
    invitation = link_of(Invitation, token)
    if invitation is None:
        raise _unknown()
    state = invitation.state(utcnow())
    if state is InvitationState.ACCEPTED:
        raise _accepted()
    if state is InvitationState.CANCELLED:
        raise _cancelled()
    if state is InvitationState.EXPIRED:
        raise _expired()
    return invitation


def accept_invitation(invitation: Invitation, *, password: str) -> User:
    """The invitee accepts: their account is made in the invitation's organisation, with its
    role, lead or not, and language, and the password they chose (already accepted by the
    password policy's form). The invitation is used up (``use_up``: a second submission of
    the same link, even racing, is refused), and the acceptance recorded.

    This is the one way an invitation is accepted, whatever door it came in by.
    """
    if not use_up(Invitation, invitation.id, Invitation.cancelled_at.is_(None)):
        raise _accepted()  # accepted (or cancelled, expired) since it was looked up
    if user_by_email(invitation.email) is not None:
        raise RuleBroken(
            None,
            _("An account with this address exists already: sign in with it."),
        )
    user = User(
        email=invitation.email,
        name=invitation.name,
        role=invitation.role,
        organisation_id=invitation.organisation_id,
        is_lead=invitation.is_lead,
        language=invitation.language,
    )
    user.set_password(password)
    db.session.add(user)
    flush()
    invitation.user_id = user.id
    record_people_event(
        "invitation_accepted",
        actor_id=user.id,
        organisation_id=invitation.organisation_id,
        email=user.email,
        user_id=user.id,
        invitation_id=invitation.id,
    )
    # The inviter hears of it, in this transaction: the notice exists if the account does.
    invitation_accepted(invitation, user)
    flush()
    return user


def _send(invitation: Invitation, token: str, *, link_for: LinkFor, lifetime: timedelta) -> None:
    from tracker.people.mail import queue_invitation_mail

    queue_invitation_mail(invitation, link=link_for(token), days=max(1, lifetime.days))
