from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.enums import Deployment, Environment, Implementer, enum_column
from tracker.extensions import db
from tracker.models.catalogue import CatalogueVersion
from tracker.models.organisation import Organisation
from tracker.models.user import User
from tracker.timeutil import utcnow


class Project(db.Model):
    """A customer's onboarding project, instantiated from one catalogue version."""

    __tablename__ = "projects"
    __table_args__ = (
        sa.CheckConstraint("go_live_date >= kickoff_date", name="go_live_after_kickoff"),
        sa.CheckConstraint(
            "(implementer = 'partner' AND partner_id IS NOT NULL)"
            " OR (implementer = 'infor' AND partner_id IS NULL)",
            name="partner_matches_implementer",
        ),
        # The portfolio: active projects, soonest go-live first (and their count).
        sa.Index(
            "ix_projects_active_go_live",
            "go_live_date",
            "id",
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        ),
        # The few archived projects, whose items the dashboards leave out of their counts.
        sa.Index(
            "ix_projects_archived",
            "id",
            sqlite_where=sa.text("archived_at IS NOT NULL"),
            postgresql_where=sa.text("archived_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    csm_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    catalogue_version_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_versions.id"))
    deployment: Mapped[Deployment] = mapped_column(enum_column(Deployment, "deployment"))
    environment: Mapped[Environment] = mapped_column(enum_column(Environment, "environment"))
    ims_contract: Mapped[bool] = mapped_column(default=False)
    implementer: Mapped[Implementer] = mapped_column(enum_column(Implementer, "implementer"))
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    data_migration: Mapped[bool] = mapped_column(default=False)
    vpn_required: Mapped[bool] = mapped_column(default=False)
    kickoff_date: Mapped[date]
    go_live_date: Mapped[date]
    # The day the project actually went live, recorded when the CSM confirms go-live after
    # the client's sign-off; None until then. From then on the project is in operations.
    went_live_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    # The new-project form's own token: posting that form again (a double click, a reload)
    # finds this project instead of creating another (tracker/projects/services.py).
    creation_token: Mapped[str | None] = mapped_column(sa.String(32), unique=True)

    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Organisation] = relationship(foreign_keys=[customer_id])
    partner: Mapped[Organisation | None] = relationship(foreign_keys=[partner_id])
    csm: Mapped[User] = relationship()
    catalogue_version: Mapped[CatalogueVersion] = relationship()
    ims_scope: Mapped[list[ImsScope]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )

    @property
    def ims_scope_keys(self) -> set[str]:
        return {entry.responsibility_key for entry in self.ims_scope}

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.name!r}>"


class ImsScope(db.Model):
    """A client row (by stable catalogue key) that the project's IMS contract takes over."""

    __tablename__ = "project_ims_scope"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), primary_key=True)
    responsibility_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)

    project: Mapped[Project] = relationship(back_populates="ims_scope")
