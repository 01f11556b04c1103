"""Instantiating the catalogue for a project and changing checklist items.

Services flush and never commit: the view (or CLI command) commits once per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.catalogue.models import Responsibility
from tracker.checklist.models import ChecklistItem, Comment
from tracker.enums import (
    OPEN_STATUSES,
    Anchor,
    Condition,
    Deployment,
    Environment,
    Implementer,
    Party,
    Status,
)
from tracker.errors import RuleError
from tracker.extensions import db
from tracker.permissions import can_be_assigned
from tracker.projects.models import Project
from tracker.timeutil import utcnow

MAX_REASON_LENGTH = 1000
MAX_COMMENT_LENGTH = 5000


@dataclass(frozen=True)
class PlannedItem:
    responsibility_id: int
    party: Party
    due_date: date


def condition_holds(condition: Condition | None, project: Project) -> bool:
    """Whether a catalogue row with ``condition`` applies to ``project``."""
    match condition:
        case None:
            return True
        case Condition.MULTI_TENANT:
            return project.deployment is Deployment.MULTI_TENANT
        case Condition.NOT_PRE_PROD:
            return project.environment is not Environment.PRE_PROD
        case Condition.IMS_CONTRACT:
            return project.ims_contract
        case Condition.DATA_MIGRATION:
            return project.data_migration
        case Condition.VPN_REQUIRED:
            return project.vpn_required
    raise AssertionError(condition)  # pragma: no cover - every condition is matched


def ims_scope(project: Project) -> set[str]:
    """The keys of the client rows IMS takes over on ``project``: none without an IMS
    contract, whose scope is then not read (parties_for would not look at it)."""
    return project.ims_scope_keys if project.ims_contract else set()


def parties_for(row: CatalogueRule, project: Project, ims_scope: set[str]) -> list[Party]:
    """The primary parties of ``row`` on ``project``, one checklist item each."""
    parties: list[Party] = []
    if row.party_infor:
        parties.append(Party.INFOR)
    if row.party_implementer:
        parties.append(Party.PARTNER if project.implementer is Implementer.PARTNER else Party.INFOR)
    if row.party_client:
        ims_takes_over = project.ims_contract and row.ims_eligible and row.key in ims_scope
        parties.append(Party.IMS if ims_takes_over else Party.CLIENT)
    if row.party_ims:
        parties.append(Party.IMS)
    return list(dict.fromkeys(parties))


def due_date_for(row: CatalogueRule, project: Project) -> date:
    anchor = project.kickoff_date if row.due_anchor is Anchor.KICKOFF else project.go_live_date
    return anchor + timedelta(days=row.due_offset_days)


class CatalogueRule(Protocol):
    """What the catalogue rules read of a row (parties_for, due_date_for, condition_holds): a
    ``Responsibility``, or a row of ``RULE_COLUMNS``."""

    id: int
    key: str
    party_infor: bool
    party_client: bool
    party_ims: bool
    party_implementer: bool
    ims_eligible: bool
    condition: Condition | None
    due_anchor: Anchor
    due_offset_days: int


# The planner reads these columns, not the rows' texts and notes: building whole catalogue
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
)


def responsibilities_of(version_id: int) -> list[sa.Row]:
    """The rows of a catalogue version, in catalogue order, as the rules read them: each
    with the attributes of ``RULE_COLUMNS``."""
    return list(
        db.session.execute(
            sa.select(*RULE_COLUMNS)
            .where(Responsibility.version_id == version_id)
            .order_by(Responsibility.position)
        )
    )


def plan_items(
    project: Project, rows: Iterable[CatalogueRule]
) -> dict[tuple[int, Party], PlannedItem]:
    """The items ``project`` should have, by (row id, party), following the catalogue rules."""
    scope = ims_scope(project)
    planned: dict[tuple[int, Party], PlannedItem] = {}
    for row in rows:
        if not condition_holds(row.condition, project):
            continue
        due = due_date_for(row, project)
        for party in parties_for(row, project, scope):
            planned[(row.id, party)] = PlannedItem(row.id, party, due)
    return planned


def _insert_items(project: Project, items: list[PlannedItem]) -> None:
    if not items:
        return
    now = utcnow()
    db.session.execute(
        sa.insert(ChecklistItem),
        [
            {
                "project_id": project.id,
                "responsibility_id": item.responsibility_id,
                "party": item.party,
                "status": Status.TODO,
                "due_date": item.due_date,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for item in items
        ],
    )


def instantiate_catalogue(project: Project, *, actor: User | None) -> int:
    """Create the project's checklist from its catalogue version in one bulk insert."""
    planned = plan_items(project, responsibilities_of(project.catalogue_version_id))
    _insert_items(project, list(planned.values()))
    audit.record(
        "project.checklist_created",
        project_id=project.id,
        actor_id=actor.id if actor else None,
        new=f"{len(planned)} items from catalogue version {project.catalogue_version.number}",
    )
    return len(planned)


def reconcile_items(project: Project, *, actor: User | None) -> tuple[int, int, int]:
    """Bring the checklist in line with the project's attributes after they changed.

    Items the project no longer qualifies for are marked not applicable (never deleted);
    items it newly qualifies for are added, or reopened if the tracker had closed them.
    Returns (added, reopened, closed).
    """
    rows = responsibilities_of(project.catalogue_version_id)
    planned = plan_items(project, rows)
    row_by_id = {row.id: row for row in rows}
    existing = {
        (item.responsibility_id, item.party): item
        for item in db.session.scalars(
            sa.select(ChecklistItem).where(ChecklistItem.project_id == project.id)
        )
    }
    actor_id = actor.id if actor else None
    closed = reopened = 0
    for key, item in existing.items():
        if key not in planned and item.status is not Status.NOT_APPLICABLE:
            if item.status is Status.DONE:
                continue  # finished work stays finished
            reason = _rule_reason(row_by_id[item.responsibility_id], item.party, project)
            _set_status_by_rule(item, Status.NOT_APPLICABLE, reason=reason, actor_id=actor_id)
            closed += 1
        elif (
            key in planned and item.status is Status.NOT_APPLICABLE and item.not_applicable_by_rule
        ):
            _set_status_by_rule(item, Status.TODO, reason=None, actor_id=actor_id)
            item.due_date = planned[key].due_date
            reopened += 1
    missing = [plan for key, plan in planned.items() if key not in existing]
    _insert_items(project, missing)
    if missing:
        audit.record(
            "project.items_added",
            project_id=project.id,
            actor_id=actor_id,
            new=f"{len(missing)} items",
        )
    db.session.flush()
    return len(missing), reopened, closed


def _set_status_by_rule(
    item: ChecklistItem, status: Status, *, reason: str | None, actor_id: int | None
) -> None:
    """The tracker itself closes (not applicable) or reopens (to do) an item, with an event."""
    audit.record(
        "item.status",
        project_id=item.project_id,
        item_id=item.id,
        actor_id=actor_id,
        field="status",
        old=item.status,
        new=status,
    )
    item.status = status
    item.reason = reason
    item.not_applicable_by_rule = status is Status.NOT_APPLICABLE


# The reasons the tracker gives itself, stored in English (whoever's change caused them) and
# shown in the reader's language (shown_reason).
_NO_LONGER = "No longer applies: "
_ASSIGNED = "now assigned to "
_NOBODY = "nobody"


def _rule_reason(row: CatalogueRule, party: Party, project: Project) -> str:
    if not condition_holds(row.condition, project):
        return f"{_NO_LONGER}{row.condition.english.lower()}."
    return f"{_NO_LONGER}{_ASSIGNED}{_other_party(row, party, project)}."


def _other_party(row: CatalogueRule, party: Party, project: Project) -> str:
    parties = [p for p in parties_for(row, project, ims_scope(project)) if p is not party]
    return ", ".join(p.english for p in parties) or _NOBODY


def shown_reason(item: ChecklistItem) -> str | None:
    """``item``'s reason as the reader reads it: a person's reason as typed; the reason the
    tracker wrote when a rule closed the item, in the reader's language."""
    from tracker.account.language import DEFAULT_LANGUAGE, current_language

    reason = item.reason
    if (
        not (reason and item.not_applicable_by_rule)
        or current_language() == DEFAULT_LANGUAGE
        or not (reason.startswith(_NO_LONGER) and reason.endswith("."))
    ):
        return reason
    what = reason.removeprefix(_NO_LONGER).removesuffix(".")
    for condition in Condition:
        if what == condition.english.lower():
            label = str(condition.label)
            return _("No longer applies: %(condition)s.", condition=label[:1].lower() + label[1:])
    if not what.startswith(_ASSIGNED):
        return reason
    names = what.removeprefix(_ASSIGNED)
    if names == _NOBODY:
        return _("No longer applies: now assigned to nobody.")
    parties = {party.english: party for party in Party}
    if not all(name in parties for name in names.split(", ")):
        return reason
    shown = ", ".join(str(parties[name].label) for name in names.split(", "))
    return _("No longer applies: now assigned to %(parties)s.", parties=shown)


def shift_due_dates(
    project: Project, *, actor: User | None, kickoff_delta: timedelta, go_live_delta: timedelta
) -> int:
    """Move the due dates of open items anchored to a milestone that moved."""
    deltas = {Anchor.KICKOFF: kickoff_delta, Anchor.GO_LIVE: go_live_delta}
    if not any(deltas.values()):
        return 0
    items = db.session.execute(
        sa.select(ChecklistItem, Responsibility.due_anchor)
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .where(ChecklistItem.project_id == project.id, ChecklistItem.status.in_(OPEN_STATUSES))
    ).all()
    moved = 0
    for item, anchor in items:
        delta = deltas[anchor]
        if not delta:
            continue
        new_due = item.due_date + delta
        audit.record(
            "item.due_date",
            project_id=project.id,
            item_id=item.id,
            actor_id=actor.id if actor else None,
            field="due_date",
            old=item.due_date,
            new=new_due,
        )
        item.due_date = new_due
        moved += 1
    db.session.flush()
    return moved


_UNSET = object()


def item_changes(
    item: ChecklistItem,
    *,
    status: Status | None = None,
    reason: str | None = None,
    assignee: User | object | None = _UNSET,
    due_date: date | None = None,
) -> list[str]:
    """The fields an update would change: empty when it repeats the item's current state."""
    changes = []
    if status is not None and status is not item.status:
        changes.append("status")
    target = status or item.status
    reason = (reason or "").strip() or None
    if target.needs_reason and reason is not None and reason != item.reason:
        changes.append("reason")
    if assignee is not _UNSET and getattr(assignee, "id", None) != item.assignee_id:
        changes.append("assignee")
    if due_date is not None and due_date != item.due_date:
        changes.append("due_date")
    return changes


def update_item(
    item: ChecklistItem,
    *,
    actor: User,
    status: Status | None = None,
    reason: str | None = None,
    assignee: User | object | None = _UNSET,
    due_date: date | None = None,
) -> list[str]:
    """Apply the changes given; record one event per changed field. Returns changed fields.

    Setting the status an item already has changes nothing and records nothing, so a
    double submit of "done" is harmless.
    """
    changed: list[str] = []
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON_LENGTH:
        raise RuleError(
            "reason", _("The reason is limited to %(num)d characters.", num=MAX_REASON_LENGTH)
        )
    target = status or item.status
    if target.needs_reason and not (reason or (target is item.status and item.reason)):
        if target is Status.BLOCKED:
            raise RuleError("reason", _("Say why the item is blocked."))
        raise RuleError("reason", _("Say why the item is not applicable."))
    if (
        assignee is not _UNSET
        and assignee is not None
        and assignee != item.assignee
        and not can_be_assigned(assignee, item)
    ):
        raise RuleError(
            "assignee_id",
            _(
                "%(name)s cannot work on %(party)s items.",
                name=assignee.name,
                party=item.party.label,
            ),
        )

    def log(field: str, old, new) -> None:
        audit.record(
            f"item.{field}",
            project_id=item.project_id,
            item_id=item.id,
            actor_id=actor.id,
            field=field,
            old=old,
            new=new,
        )
        changed.append(field)

    if status is not None and status is not item.status:
        log("status", item.status, status)
        if status is Status.DONE:
            item.completed_at = utcnow()
            item.completed_by_id = actor.id
        elif item.status is Status.DONE:
            item.completed_at = None
            item.completed_by_id = None
        item.status = status
        item.not_applicable_by_rule = False
    new_reason = reason if item.status.needs_reason else None
    if item.status.needs_reason and new_reason is None:
        new_reason = item.reason
    if new_reason != item.reason:
        if new_reason is not None:
            log("reason", item.reason, new_reason)
        item.reason = new_reason
    if assignee is not _UNSET and assignee != item.assignee:
        log(
            "assignee",
            item.assignee.name if item.assignee else None,
            assignee.name if assignee else None,
        )
        item.assignee = assignee
    if due_date is not None and due_date != item.due_date:
        log("due_date", item.due_date, due_date)
        item.due_date = due_date
    db.session.flush()
    return changed


def add_comment(item: ChecklistItem, *, actor: User, body: str) -> Comment:
    body = (body or "").strip()
    if not body:
        raise RuleError("body", _("Write a comment first."))
    if len(body) > MAX_COMMENT_LENGTH:
        raise RuleError(
            "body", _("A comment is limited to %(num)d characters.", num=MAX_COMMENT_LENGTH)
        )
    comment = Comment(item=item, author_id=actor.id, body=body)
    db.session.add(comment)
    audit.record(
        "item.comment",
        project_id=item.project_id,
        item_id=item.id,
        actor_id=actor.id,
        field="comment",
        new=body[:200],
    )
    db.session.flush()
    return comment
