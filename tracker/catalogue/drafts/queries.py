"""Reading the catalogue draft and the catalogue's audit trail."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import CatalogueDraft, CatalogueEvent


def the_draft() -> CatalogueDraft | None:
    """The catalogue draft, if an administrator started one."""
    return db.session.scalars(sa.select(CatalogueDraft).limit(1)).first()


def recent_events(limit: int = 50) -> list[CatalogueEvent]:
    """The catalogue's audit trail, newest first."""
    return list(
        db.session.scalars(
            sa.select(CatalogueEvent)
            .options(selectinload(CatalogueEvent.actor))
            .order_by(CatalogueEvent.created_at.desc(), CatalogueEvent.id.desc())
            .limit(limit)
        )
    )
