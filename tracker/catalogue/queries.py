"""Reading the catalogue: its versions, and the rows of one as the rules read them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Area, CatalogueVersion, Responsibility

# The rules read these columns, not the rows' texts and notes: building whole catalogue
# rows was a third of a project's instantiation.
RULE_COLUMNS = (
    Responsibility.id,
    Responsibility.key,
    Responsibility.party_infor,
    Responsibility.party_client,
    Responsibility.party_ims,
    Responsibility.party_implementer,
    Responsibility.ims_eligible,
    Responsibility.condition,
    Responsibility.due_anchor,
    Responsibility.due_offset_days,
    Responsibility.accountable,
    Responsibility.contributors,
    Responsibility.follows_id,
    Responsibility.follow_days,
)


def current_version() -> CatalogueVersion | None:
    """The newest catalogue version: the one new projects are created from."""
    return db.session.scalars(
        sa.select(CatalogueVersion).order_by(CatalogueVersion.number.desc()).limit(1)
    ).first()


def versions_select() -> sa.Select[tuple[CatalogueVersion]]:
    """Every version, newest first."""
    return sa.select(CatalogueVersion).order_by(CatalogueVersion.number.desc())


def version_or_newest(number: int | None) -> CatalogueVersion | None:
    """Catalogue version ``number``, or the newest one when no number is given."""
    return db.session.scalar(version_numbered(number)) if number else current_version()


def version_numbered(number: int) -> sa.Select[tuple[CatalogueVersion]]:
    return sa.select(CatalogueVersion).where(CatalogueVersion.number == number)


def version_summaries(*, after: int | None, limit: int) -> sa.Select:
    """Versions in order of number, after version ``after``, ``limit + 1`` of them (one more
    says there is a next page): each with its counts of ``areas`` and ``rows``."""
    areas = sa.select(sa.func.count(Area.id)).where(Area.version_id == CatalogueVersion.id)
    rows = sa.select(sa.func.count(Responsibility.id)).where(
        Responsibility.version_id == CatalogueVersion.id
    )
    query = sa.select(
        CatalogueVersion,
        areas.scalar_subquery().label("areas"),
        rows.scalar_subquery().label("rows"),
    )
    if after is not None:
        query = query.where(CatalogueVersion.number > after)
    return query.order_by(CatalogueVersion.number).limit(limit + 1)


def areas_select(version_id: int) -> sa.Select[tuple[Area]]:
    """The areas of a version, in order, each with its rows."""
    return (
        sa.select(Area)
        .where(Area.version_id == version_id)
        .options(selectinload(Area.responsibilities))
        .order_by(Area.position)
    )


def rules_of(version_id: int) -> list[sa.Row]:
    """The rows of a catalogue version, in catalogue order, as the rules read them: each
    with the attributes of ``RULE_COLUMNS``."""
    return list(
        db.session.execute(
            sa.select(*RULE_COLUMNS)
            .where(Responsibility.version_id == version_id)
            .order_by(Responsibility.position)
        )
    )


def ims_eligible_rows(version_id: int) -> list[Responsibility]:
    """The client rows of a version that an IMS contract may take over."""
    return list(
        db.session.scalars(
            sa.select(Responsibility)
            .where(Responsibility.version_id == version_id, Responsibility.ims_eligible.is_(True))
            .order_by(Responsibility.position)
        )
    )
