"""A recorded bulk rollout: moving a chosen set of projects to one catalogue version, applied
project by project (tracker.rollout.runs), so that a run that stopped can be resumed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow

# The states of a project in a run: waiting, moved, failed (it stays on its version, with the
# error), skipped (already on the version, or no longer one to move when its turn came).
PENDING, DONE, FAILED, SKIPPED = "pending", "done", "failed", "skipped"
RUN_PROJECT_STATES = (PENDING, DONE, FAILED, SKIPPED)


class RolloutRun(db.Model):
    """One bulk rollout to ``target`` started by ``started_by`` (None: the command line),
    with the filters that chose its projects, as the catalogue's audit trail shows them."""

    __tablename__ = "rollout_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_versions.id"))
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    filters: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    target = relationship("CatalogueVersion")
    started_by = relationship("User")


class RolloutRunProject(db.Model):
    """One project of a run and where it stands (``RUN_PROJECT_STATES``)."""

    __tablename__ = "rollout_run_projects"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "project_id"),
        sa.Index("ix_rollout_run_projects_run_state", "run_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("rollout_runs.id"))
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(10), default=PENDING)
    error: Mapped[str | None] = mapped_column(sa.Text)
    finished_at: Mapped[datetime | None]

    project = relationship("Project")
