from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.project import Project
from tracker.models.user import User
from tracker.timeutil import utcnow


class ProgressLink(db.Model):
    """A read-only link to one project's progress, for people without an account (the
    customer's executives). Only the token's hash is stored; the link is shown once, to
    whoever created it. It works until it expires or is revoked."""

    __tablename__ = "progress_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # Who the link is for ("Steering committee"), so that links can be told apart.
    label: Mapped[str] = mapped_column(sa.String(80))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    project: Mapped[Project] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and not self.is_expired(now)

    def __repr__(self) -> str:
        return f"<ProgressLink {self.id} project={self.project_id}>"


class ProgressLinkView(db.Model):
    """One view of a progress link's page: when (no address or browser is kept)."""

    __tablename__ = "progress_link_views"
    __table_args__ = (sa.Index("ix_progress_link_views_link_id_viewed_at", "link_id", "viewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(sa.ForeignKey("progress_links.id"))
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
