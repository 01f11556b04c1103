"""Reads for an organisation's people page and for invitations."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.models import Invitation, Organisation, PeopleEvent, Project, User
from tracker.timeutil import utcnow


def people_of(organisation_id: int) -> sa.Select[tuple[User]]:
    """The organisation's users: active ones first, then by name."""
    return (
        sa.select(User)
        .where(User.organisation_id == organisation_id)
        .order_by(User.active.desc(), User.name, User.id)
    )


def invitations_of(organisation_id: int, *, limit: int = 200) -> sa.Select[tuple[Invitation]]:
    """The organisation's invitations, newest first, with who sent them."""
    return (
        sa.select(Invitation)
        .options(joinedload(Invitation.invited_by))
        .where(Invitation.organisation_id == organisation_id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        .limit(limit)
    )


def people_events_of(organisation_id: int, *, limit: int = 50) -> sa.Select[tuple[PeopleEvent]]:
    """The organisation's people events, newest first, each with its actor."""
    return (
        sa.select(PeopleEvent)
        .options(joinedload(PeopleEvent.actor))
        .where(PeopleEvent.organisation_id == organisation_id)
        .order_by(PeopleEvent.created_at.desc(), PeopleEvent.id.desc())
        .limit(limit)
    )


def pending_invitations_to(email: str, organisation_id: int) -> sa.Select[tuple[Invitation]]:
    """The invitations to ``email`` into ``organisation_id`` that could still be accepted
    (another organisation's invitations are not this one's to replace)."""
    return sa.select(Invitation).where(
        Invitation.email == email,
        Invitation.organisation_id == organisation_id,
        Invitation.used_at.is_(None),
        Invitation.cancelled_at.is_(None),
        Invitation.expires_at > utcnow(),
    )


def organisations_managed_by(user: User) -> sa.Select[tuple[Organisation]]:
    """The organisations whose people page ``user`` may open, by name (for the menus)."""
    from tracker.enums import Role

    query = sa.select(Organisation).order_by(Organisation.name)
    if user.role is Role.ADMIN:
        return query
    if user.role is Role.CSM:
        projects = sa.select(Project.customer_id).where(Project.csm_id == user.id)
        partners = sa.select(Project.partner_id).where(
            Project.csm_id == user.id, Project.partner_id.is_not(None)
        )
        return query.where(sa.or_(Organisation.id.in_(projects), Organisation.id.in_(partners)))
    if user.is_lead and user.organisation_id is not None:
        return query.where(Organisation.id == user.organisation_id)
    return query.where(sa.false())
