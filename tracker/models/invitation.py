"""Invitations to join a customer or partner organisation, and the audit trail of its
people (invitations, colleagues deactivated by a lead, password resets asked for)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.enums import Role, enum_column
from tracker.extensions import db
from tracker.models.link import SingleUseLink
from tracker.models.organisation import Organisation
from tracker.models.user import User
from tracker.timeutil import utcnow


class InvitationState(enum.Enum):
    """What became of an invitation (not stored: read from its dates)."""

    SENT = "sent"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(_STATE_LABELS[self])


_STATE_LABELS = {
    InvitationState.SENT: _l("Sent"),
    InvitationState.ACCEPTED: _l("Accepted"),
    InvitationState.EXPIRED: _l("Expired"),
    InvitationState.CANCELLED: _l("Cancelled"),
}


class Invitation(SingleUseLink, db.Model):
    """An invitation of ``email`` to ``organisation`` as a client user or partner consultant
    (a lead or not), in ``language``: a single-use link e-mailed to them. ``used_at`` is when
    it was accepted, ``user`` the account it made. Resending makes a new token (the old link
    stops working); cancelling, or a new invitation to the same address, sets
    ``cancelled_at``."""

    __tablename__ = "invitations"
    __table_args__ = (
        sa.Index("ix_invitations_organisation_id_created_at", "organisation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role, "invitation_role"))
    is_lead: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # When the link was last (re)sent: resending replaces the token and the expiry.
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    def state(self, now: datetime) -> InvitationState:
        if self.used_at is not None:
            return InvitationState.ACCEPTED
        if self.cancelled_at is not None:
            return InvitationState.CANCELLED
        if self.is_expired(now):
            return InvitationState.EXPIRED
        return InvitationState.SENT

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.email} org={self.organisation_id}>"


class PeopleEvent(db.Model):
    """One change to who may sign in: an invitation sent, resent, cancelled or accepted, a
    colleague deactivated by a lead, a password reset asked for. The people's audit trail
    (project events belong to a project)."""

    __tablename__ = "people_events"
    __table_args__ = (sa.Index("ix_people_events_organisation_id_id", "organisation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # None for the vendor's own people (a password reset of a CSM).
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    # Whom it is about: an address (an invitation's), and the account once there is one.
    email: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    invitation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invitations.id"))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
