"""What a rollout reads: the rows of a catalogue version, a project's items with the rows
they point to, the projects to move."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import CatalogueVersion, ChecklistItem, Project, Responsibility


def version_rows(version_id: int) -> list[Responsibility]:
    """The rows of a catalogue version, in catalogue order (whole rows: a rollout compares
    their texts and phases too)."""
    return list(
        db.session.scalars(
            sa.select(Responsibility)
            .where(Responsibility.version_id == version_id)
            .order_by(Responsibility.position)
        )
    )


def items_with_rows(project_id: int) -> list[tuple[ChecklistItem, Responsibility]]:
    """A project's items, by id, each with the catalogue row it points to (of any version)."""
    return [
        (item, row)
        for item, row in db.session.execute(
            sa.select(ChecklistItem, Responsibility)
            .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
            .where(ChecklistItem.project_id == project_id)
            .order_by(ChecklistItem.id)
        )
    ]


def projects_to_upgrade(target: CatalogueVersion, ids: list[int] | None) -> list[int]:
    """The ids of the active projects on a version older than ``target`` (of ``ids`` if
    given), by id: the projects already on it are not listed, so a run can be resumed."""
    query = (
        sa.select(Project.id)
        .join(CatalogueVersion, Project.catalogue_version_id == CatalogueVersion.id)
        .where(CatalogueVersion.number < target.number, Project.archived_at.is_(None))
        .order_by(Project.id)
    )
    if ids is not None:
        query = query.where(Project.id.in_(ids))
    return list(db.session.scalars(query))
