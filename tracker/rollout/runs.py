"""Bulk rollouts: a recorded run moving a chosen set of projects to one catalogue version.

Starting a run (``start_run``) records it and its projects, pending, in the request's
transaction. Its projects are then moved a batch at a time (``run_batch``), by the progress
page or ``flask catalogue upgrade --resume``: each project in a transaction of its own, like
the command line's ``unit_of_work``, so that a project that fails keeps its version (its
error recorded) and the others go on, and a run that stopped is resumed where it was.

A project is claimed in the transaction that moves it: its entry goes from pending to done by
a conditional UPDATE first, which waits for, then loses to, another request that claimed it
(two tabs continuing the same run never move a project twice).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.boundary import flush, unit_of_work
from tracker.checklist.queries import progress_by_project
from tracker.enums import Phase
from tracker.errors import NotFound, Refusal, RuleBroken
from tracker.extensions import db
from tracker.models import CatalogueEvent, CatalogueVersion, Project, User
from tracker.models.rollout_run import (
    DONE,
    FAILED,
    PENDING,
    SKIPPED,
    RolloutRun,
    RolloutRunProject,
)
from tracker.permissions import rollout_projects_filter
from tracker.rollout.plan import RowCache, plan_rollout
from tracker.rollout.queries import (
    pending_entries,
    projects_with_ids,
    rollout_candidates,
    run_counts,
)
from tracker.rollout.services import apply_rollout
from tracker.timeutil import today, utcnow

log = logging.getLogger(__name__)

BATCH = 10  # projects moved per "next batch" request: a request stays short


@dataclass(frozen=True)
class RolloutFilters:
    """Which projects a bulk rollout takes (None: any)."""

    from_number: int | None = None
    csm_id: int | None = None
    customer_id: int | None = None
    phase: Phase | None = None
    behind_only: bool = True

    def as_json(self) -> dict:
        return {
            "from": self.from_number,
            "csm": self.csm_id,
            "customer": self.customer_id,
            "phase": self.phase.value if self.phase else None,
            "behind_only": self.behind_only,
        }


def chosen_projects(user: User, target: CatalogueVersion, filters: RolloutFilters) -> list[int]:
    """The ids of the projects ``user`` may move to ``target`` that ``filters`` choose."""
    query = rollout_candidates(
        rollout_projects_filter(user),
        target,
        from_number=filters.from_number,
        csm_id=filters.csm_id,
        customer_id=filters.customer_id,
        behind_only=filters.behind_only,
    )
    if filters.phase is None:
        return list(db.session.scalars(query))
    progress = progress_by_project(query, today())  # the current phase: the first still open
    return sorted(pid for pid, p in progress.items() if p.current_phase is filters.phase)


@dataclass
class ProjectPreview:
    project: Project
    counts: dict[str, int]


@dataclass
class BulkPreview:
    """What a bulk rollout would do: the counts summed, and each project's."""

    projects: list[ProjectPreview] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


def preview_bulk(ids: list[int], target: CatalogueVersion) -> BulkPreview:
    """``plan_rollout`` for each project of ``ids`` (reading each version's rows once)."""
    cache = RowCache()
    preview = BulkPreview()
    for project in db.session.scalars(projects_with_ids(ids)):
        if project.catalogue_version.number >= target.number:
            counts = {}  # on the version already: skipped
        else:
            counts = plan_rollout(project, target, cache=cache).counts()
        for kind, count in counts.items():
            preview.totals[kind] = preview.totals.get(kind, 0) + count
        preview.projects.append(ProjectPreview(project, counts))
    return preview


def start_run(
    target: CatalogueVersion, ids: list[int], filters: RolloutFilters, *, actor: User | None
) -> RolloutRun:
    """Record a run moving the projects ``ids`` to ``target``, all pending, and say so in the
    catalogue's audit trail. Flushes, never commits."""
    if not ids:
        raise RuleBroken(None, _("No project matches: there is nothing to roll out."))
    run = RolloutRun(
        target_id=target.id, started_by_id=actor.id if actor else None, filters=filters.as_json()
    )
    db.session.add(run)
    flush()
    db.session.execute(
        sa.insert(RolloutRunProject),
        [{"run_id": run.id, "project_id": pid, "state": PENDING} for pid in ids],
    )
    _record(run, "rollout_started", actor_id=run.started_by_id)
    flush()
    return run


def run_batch(run: RolloutRun, *, actor: User | None, size: int | None = None) -> dict[str, int]:
    """Move the run's next ``size`` (default ``BATCH``) pending projects, each in a
    transaction of its own (this commits); the run is finished when none is left. Returns
    the run's counts."""
    run_id, target_id = run.id, run.target_id
    actor_id = actor.id if actor else None
    cache = RowCache()
    for entry_id, project_id in pending_entries(run_id, size or BATCH):
        move_one(run_id, entry_id, project_id, target_id, actor=actor, cache=cache)
    counts = run_counts(run_id)
    if not counts[PENDING]:
        with unit_of_work():
            finished = db.session.execute(
                sa.update(RolloutRun)
                .where(RolloutRun.id == run_id, RolloutRun.finished_at.is_(None))
                .values(finished_at=utcnow())
            ).rowcount
            if finished:
                _record(db.session.get(RolloutRun, run_id), "rollout_finished", actor_id=actor_id)
    return counts


def move_one(
    run_id: int,
    entry_id: int,
    project_id: int,
    target_id: int,
    *,
    actor: User | None,
    cache: RowCache | None = None,
) -> str | None:
    """Move one project of a run, in a transaction of its own: its state afterwards (done,
    skipped or failed), or None when another request had claimed it already."""
    try:
        with unit_of_work():
            if not _claim(entry_id, DONE):
                return None
            project = db.session.get(Project, project_id, populate_existing=True)
            target = db.session.get(CatalogueVersion, target_id)
            if project.catalogue_version.number >= target.number:
                _set(entry_id, SKIPPED)
                return SKIPPED
            apply_rollout(
                project, target, actor=actor, version=project.version, cache=cache, run_id=run_id
            )
        return DONE
    except Exception as error:  # one project's failure leaves it as it was, the others go on
        if not isinstance(error, Refusal):
            log.exception("rollout run %s: project %s failed", run_id, project_id)
        message = error.message if isinstance(error, Refusal) else _("Unexpected error.")
        with unit_of_work():
            if not _claim(entry_id, FAILED, error=message):
                return None
        return FAILED


def _claim(entry_id: int, state: str, *, error: str | None = None) -> bool:
    """Take a pending entry (a conditional UPDATE: a row lock another request waits for)."""
    return bool(
        db.session.execute(
            sa.update(RolloutRunProject)
            .where(RolloutRunProject.id == entry_id, RolloutRunProject.state == PENDING)
            .values(state=state, error=error, finished_at=utcnow())
        ).rowcount
    )


def _set(entry_id: int, state: str) -> None:
    db.session.execute(
        sa.update(RolloutRunProject).where(RolloutRunProject.id == entry_id).values(state=state)
    )


def _record(run: RolloutRun, action: str, *, actor_id: int | None) -> None:
    db.session.add(
        CatalogueEvent(
            actor_id=actor_id,
            action=action,
            target=f"run:{run.id}",
            version_number=run.target.number,
        )
    )


def load_run(run_id: int, may) -> RolloutRun:
    """The run ``run_id`` if ``may(run)``; ``NotFound`` otherwise (existence does not leak)."""
    run = db.session.get(RolloutRun, run_id)
    if run is None or not may(run):
        raise NotFound(_("There is nothing here, or you cannot see it."))
    return run
