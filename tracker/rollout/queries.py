"""What a rollout reads: the rows of a catalogue version, a project's items with the rows
they point to, the projects to move."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import (
    CatalogueVersion,
    ChecklistItem,
    Project,
    Responsibility,
    RolloutRun,
    RolloutRunProject,
)
from tracker.models.rollout_run import PENDING, RUN_PROJECT_STATES


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


def rollout_candidates(
    scope: sa.ColumnElement[bool],
    target: CatalogueVersion,
    *,
    from_number: int | None = None,
    csm_id: int | None = None,
    customer_id: int | None = None,
    behind_only: bool = True,
) -> sa.Select:
    """The ids of the active projects a bulk rollout to ``target`` may take, by id, within
    ``scope`` (tracker.permissions ``rollout_projects_filter``): on ``target`` or an older
    version (an older one only if ``behind_only``), narrowed by the filters given."""
    newest = target.number - 1 if behind_only else target.number
    query = (
        sa.select(Project.id)
        .join(CatalogueVersion, Project.catalogue_version_id == CatalogueVersion.id)
        .where(scope, CatalogueVersion.number <= newest, Project.archived_at.is_(None))
        .order_by(Project.id)
    )
    if from_number is not None:
        query = query.where(CatalogueVersion.number == from_number)
    if csm_id is not None:
        query = query.where(Project.csm_id == csm_id)
    if customer_id is not None:
        query = query.where(Project.customer_id == customer_id)
    return query


def run_entries(run_id: int, *, state: str | None = None) -> sa.Select:
    """A run's projects (entry, project name), by project id; of one state if given."""
    query = (
        sa.select(RolloutRunProject, Project.name)
        .join(Project, RolloutRunProject.project_id == Project.id)
        .where(RolloutRunProject.run_id == run_id)
        .order_by(RolloutRunProject.project_id)
    )
    if state is not None:
        query = query.where(RolloutRunProject.state == state)
    return query


def run_counts(run_id: int) -> dict[str, int]:
    """How many of a run's projects are in each state (every state named, 0 if none)."""
    counts = dict.fromkeys(RUN_PROJECT_STATES, 0)
    for state, count in db.session.execute(
        sa.select(RolloutRunProject.state, sa.func.count())
        .where(RolloutRunProject.run_id == run_id)
        .group_by(RolloutRunProject.state)
    ):
        counts[state] = count
    return counts


def pending_entries(run_id: int, limit: int) -> list[tuple[int, int]]:
    """The next (entry id, project id) pairs of a run still to do, by project id."""
    return [
        (entry_id, project_id)
        for entry_id, project_id in db.session.execute(
            sa.select(RolloutRunProject.id, RolloutRunProject.project_id)
            .where(RolloutRunProject.run_id == run_id, RolloutRunProject.state == PENDING)
            .order_by(RolloutRunProject.project_id)
            .limit(limit)
        )
    ]


def unfinished_runs(scope: sa.ColumnElement[bool]) -> sa.Select:
    """The runs not finished yet (``scope``: a WHERE clause on ``RolloutRun``), newest first."""
    return (
        sa.select(RolloutRun)
        .where(scope, RolloutRun.finished_at.is_(None))
        .order_by(RolloutRun.id.desc())
    )


def projects_with_ids(ids: list[int]) -> sa.Select:
    """The projects ``ids``, by id, with their catalogue version."""
    return (
        sa.select(Project)
        .where(Project.id.in_(ids))
        .options(joinedload(Project.catalogue_version))
        .order_by(Project.id)
    )
