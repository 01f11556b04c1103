"""Moving a project to another catalogue version: writing what ``plan_rollout`` planned,
in one flush, with one event on the project (and one on each item whose row changed).
Never deletes an item, a comment or an event. Flushes, never commits (tracker.boundary)."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.audit import services as audit
from tracker.boundary import flush
from tracker.checklist.services import (
    insert_planned_items,
    record_takeovers,
    set_status_by_rule,
    take_over,
)
from tracker.enums import Status
from tracker.errors import Conflict, NotAllowed, RuleBroken
from tracker.extensions import db
from tracker.models import CatalogueVersion, ChecklistItem, Project, User
from tracker.permissions import can_edit_project
from tracker.rollout.plan import ADD, FOLLOW, KEEP, REOPEN, RETIRE, RolloutPlan, RowCache
from tracker.rollout.plan import plan_rollout as _plan
from tracker.timeutil import utcnow


def check_rollout(project: Project, target: CatalogueVersion, *, actor: User | None) -> None:
    """Refuse unless ``actor`` (None: the command line) may move ``project`` to ``target``:
    the project's CSM or an administrator, to a newer version."""
    if actor is not None and not can_edit_project(actor, project):
        raise NotAllowed(_("Only the project's CSM moves it to a newer catalogue version."))
    if target.number <= project.catalogue_version.number:
        raise RuleBroken(
            None,
            _(
                "The project already follows catalogue version %(number)s or a newer one.",
                number=target.number,
            ),
        )


def apply_rollout(
    project: Project,
    target: CatalogueVersion,
    *,
    actor: User | None,
    version: int,
    cache: RowCache | None = None,
    run_id: int | None = None,
) -> RolloutPlan:
    """Move ``project`` to ``target`` as ``plan_rollout`` plans it, for ``actor`` who read
        the project at ``version`` (``Conflict`` if it changed since), as part of the bulk rollout
    ``run_id`` if given. Returns the plan applied."""
    check_rollout(project, target, actor=actor)
    if version != project.version:
        raise Conflict(
            _("Someone else changed this project after you loaded it."),
            current_version=project.version,
        )
    plan = _plan(project, target, cache=cache)
    actor_id = actor.id if actor else None
    source_number = plan.source.number
    repointed: list[dict] = []
    for action in plan.actions:
        item = action.item
        if action.kind == RETIRE:
            set_status_by_rule(item, Status.NOT_APPLICABLE, action.reason, actor_id=actor_id)
        elif action.kind == REOPEN:
            set_status_by_rule(item, Status.TODO, (None, None), actor_id=actor_id)
        if action.kind in (RETIRE, FOLLOW, REOPEN) and action.new_row is not None:
            values = {"id": item.id, "responsibility_id": action.new_row.id}
            if action.kind in (FOLLOW, REOPEN) and action.planned is not None:
                values["accountable"] = action.planned.accountable
                values["contributors"] = [p.value for p in action.planned.contributors]
                values["due_date"] = action.due_after
            repointed.append(values)
        if action.changes and item is not None:
            audit.record(
                "item.catalogue_row",
                project_id=project.id,
                item_id=item.id,
                actor_id=actor_id,
                old=source_number,
                new=target.number,
                params={
                    "row_before": action.old_row.id,
                    "row_after": action.new_row.id,
                    "from": source_number,
                    "to": target.number,
                    "changes": list(action.changes),
                    "kept": action.kind == KEEP,
                    "due_flagged": action.due_flagged,
                },
            )
    flush()  # the status changes above, before the rows move under them
    _repoint(repointed)
    _add(project, [a for a in plan.actions if a.kind == ADD and a.replaces is None])
    _take_over(project, [a for a in plan.actions if a.replaces is not None], actor_id)
    for action in plan.actions:
        if action.kept_done_for is not None:
            audit.record(
                "item.kept_done",
                project_id=project.id,
                item_id=action.item.id,
                actor_id=actor_id,
                params={"party": action.kept_done_for.value},
            )
    counts = plan.counts()
    audit.record(
        "project.catalogue_upgraded",
        project_id=project.id,
        actor_id=actor_id,
        field="catalogue_version",
        old=source_number,
        new=target.number,
        params={"from": source_number, "to": target.number, **counts}
        | ({"run": run_id} if run_id is not None else {}),
    )
    project.catalogue_version = target
    flush(current_version=lambda: project.version)
    return plan


def _repoint(values: list[dict]) -> None:
    """Point items to their rows of the new version (and give the open ones the parties and
    dates the new rows plan): derived from the catalogue, not a person's change, so the
    items' versions stay and nobody editing one meets a conflict for it."""
    now = utcnow()
    for columns in {tuple(sorted(v)) for v in values}:
        batch = [v for v in values if tuple(sorted(v)) == columns]
        table = ChecklistItem.__table__
        db.session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("item_id"))
            .values(
                {c: sa.bindparam(f"new_{c}") for c in columns if c != "id"} | {"updated_at": now}
            ),
            [{"item_id": v["id"], **{f"new_{c}": v[c] for c in v if c != "id"}} for v in batch],
        )
    repointed = {v["id"] for v in values}  # read again: the UPDATE went around the ORM
    for item in list(db.session.identity_map.values()):
        if isinstance(item, ChecklistItem) and item.id in repointed:
            db.session.expire(item)


def _take_over(project: Project, actions: list, actor_id: int | None) -> None:
    """New items that replace the other party's item of their row (a takeover), as
    reconcile_items makes them: linked to it, and given its assignee if they may hold it."""
    created = []
    for action in actions:
        replaced = action.replaces
        item = ChecklistItem(
            project=project,
            responsibility_id=action.planned.responsibility_id,
            party=action.planned.party,
            accountable=action.planned.accountable,
            contributors=[p.value for p in action.planned.contributors],
            status=Status.TODO,
            due_date=action.due_after,
        )
        db.session.add(item)
        take_over(item, replaced)
        created.append((item, replaced))
    if created:
        record_takeovers(project, created, actor_id=actor_id)


def _add(project: Project, actions: list) -> None:
    # the date planned, or (a row that follows another) the followed item's as planned
    insert_planned_items(
        project, [replace(action.planned, due_date=action.due_after) for action in actions]
    )
