"""The catalogue draft an administrator edits before publishing it as a new version, and
the catalogue's audit trail (who changed the draft, who published which version)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow


class CatalogueDraft(db.Model):
    """The one draft (``singleton`` is unique): the catalogue in the loader's file format
    (``CatalogueSpec.model_dump(mode="json")``), which publishing validates and loads."""

    __tablename__ = "catalogue_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    singleton: Mapped[bool] = mapped_column(default=True, unique=True)
    content: Mapped[dict] = mapped_column(sa.JSON)
    based_on: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class CatalogueEvent(db.Model):
    """One change to the catalogue draft, or the publishing of a version: the catalogue's
    audit trail (the project events belong to a project)."""

    __tablename__ = "catalogue_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    # The area or row changed ("area:provisioning", "row:kickoff_call"), when one is.
    target: Mapped[str | None] = mapped_column(sa.String(80))
    version_number: Mapped[int | None]
    # The fields an edit of an area or row changed, in the loader's names.
    fields: Mapped[list | None] = mapped_column(sa.JSON)

    actor = relationship("User")
