"""The checklist's use cases: instantiating the catalogue for a project, keeping its items in
line with the project, changing an item, commenting on it.

Each use case takes the acting user, enforces every permission and rule itself, records
its events, and raises a refusal (tracker.errors) when the change cannot be made. Services
flush and never commit: the request boundary commits (tracker.boundary).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.audit import services as audit
from tracker.boundary import flush
from tracker.catalogue.queries import rules_of
from tracker.catalogue.rules import (
    TAKES_OVER_FROM,
    PlannedItem,
    ProjectShape,
    applies_to,
    plan_items,
    rule_reason,
)
from tracker.checklist.queries import (
    open_followers,
    open_items_with_anchor,
    project_items_by_row,
    rows_with_work,
)
from tracker.enums import Party, Status
from tracker.errors import Change, Conflict, NotAllowed, RuleBroken
from tracker.extensions import db
from tracker.models import ChecklistItem, Comment, Project, User
from tracker.notifications import services as notifications
from tracker.permissions import (
    can_be_assigned,
    can_change_due_date,
    can_comment,
    can_edit_project,
    can_mark_not_applicable,
    can_update_item,
    sees_internal_comments,
)
from tracker.queryargs import MAX_INT
from tracker.timeutil import utcnow

MAX_REASON_LENGTH = 1000
MAX_COMMENT_LENGTH = 5000


# --- the checklist follows the project ----------------------------------------------------


def insert_planned_items(project: Project, items: list[PlannedItem]) -> None:
    """Add ``project``'s planned items, to do, in one bulk insert."""
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
                "accountable": item.accountable,
                "contributors": [p.value for p in item.contributors],
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
    planned = plan_items(project, rules_of(project.catalogue_version_id))
    insert_planned_items(project, list(planned.values()))
    audit.record(
        "project.checklist_created",
        project_id=project.id,
        actor_id=actor.id if actor else None,
        params={"items": len(planned), "catalogue_version": project.catalogue_version.number},
    )
    return len(planned)


def reconcile_items(
    project: Project, *, actor: User | None, before: ProjectShape
) -> tuple[int, int, int]:
    """Bring the checklist in line with the project after it changed (``before``: what it
    was; any change, dates included).

    - An open item the rules gave the project before and no longer give it is marked not
      applicable by rule, with the reason (never deleted). One they did not give it before
      either was left open by a person against the rules: it stays, for the project's CSM to
      decide (``items_to_decide``). A done item whose row no longer applies stays done.
    - An item the project newly qualifies for is added, or reopened if a rule had retired
      it. When its row passes to another party (IMS takes a client row over, the
      implementer changes), it replaces the other party's item (``replaces_id``): its page
      shows that item's comments and history, it keeps that item's due date if the change
      retired it, and its assignee when they may hold the new item. When the replaced item
      was already done, no new to-do is created: the done item stays, with its party, and an
      event on it says why.

    Returns (added, reopened, closed).
    """
    rows = rules_of(project.catalogue_version_id)
    planned = plan_items(project, rows)
    previous = plan_items(before, rows)
    row_by_id = {row.id: row for row in rows}
    existing = project_items_by_row(project.id)
    actor_id = actor.id if actor else None
    retired_now: set[int] = set()
    for key, item in existing.items():
        if key in planned or not item.is_open or key not in previous:
            continue
        reason = rule_reason(row_by_id[key[0]], item.party, project)  # the version's row
        set_status_by_rule(item, Status.NOT_APPLICABLE, reason, actor_id=actor_id)
        retired_now.add(item.id)
    reopened = 0
    missing: list[PlannedItem] = []
    replacements: list[ChecklistItem] = []
    took_over: list[tuple[ChecklistItem, ChecklistItem]] = []
    for key, plan in planned.items():
        item = existing.get(key)
        if item is not None and not (
            item.status is Status.NOT_APPLICABLE and item.not_applicable_by_rule
        ):
            continue
        replaced = _replaced(key, existing, planned)
        if replaced is not None and replaced.status is Status.DONE:
            if key not in previous:  # the row passes to the party now: say so, once
                audit.record(
                    "item.kept_done",
                    project_id=project.id,
                    item_id=replaced.id,
                    actor_id=actor_id,
                    params={"party": key[1].value},
                )
            continue
        carried = replaced is not None and replaced.id in retired_now
        due = replaced.due_date if carried else _due_after_lead(row_by_id[key[0]], existing)
        due = due or plan.due_date
        if item is None and replaced is None:
            missing.append(plan)
            continue
        if item is None:
            item = ChecklistItem(
                project=project,
                responsibility_id=plan.responsibility_id,
                party=plan.party,
                accountable=plan.accountable,
                contributors=[p.value for p in plan.contributors],
                status=Status.TODO,
                due_date=due,
            )
            db.session.add(item)
            replacements.append(item)
        else:
            set_status_by_rule(item, Status.TODO, (None, None), actor_id=actor_id)
            item.due_date = due
            reopened += 1
        if replaced is not None:
            take_over(item, replaced)
            took_over.append((item, replaced))
    _follow_raci(existing, planned)
    insert_planned_items(project, missing)
    added = len(missing) + len(replacements)
    if added:
        audit.record(
            "project.items_added",
            project_id=project.id,
            actor_id=actor_id,
            params={"items": added},
        )
    record_takeovers(project, took_over, actor_id=actor_id)
    return added, reopened, len(retired_now)


def record_takeovers(
    project: Project, pairs: list[tuple[ChecklistItem, ChecklistItem]], *, actor_id: int | None
) -> None:
    """Record each (new item, the item it replaces) of ``project`` as a takeover event on the
    new item (flushed first: the new items need their ids)."""
    flush()
    for item, replaced in pairs:
        audit.record(
            "item.takeover",
            project_id=project.id,
            item_id=item.id,
            actor_id=actor_id,
            params={"item": replaced.id, "party": replaced.party.value},
        )
    flush()


def _due_after_lead(row, existing: dict[tuple[int, Party], ChecklistItem]) -> date | None:
    """For a row that follows another: its ``follow_days`` after the due date of the followed
    row's item on the project (one that counts: not retired by a rule), if it has one."""
    if row.follows_id is None:
        return None
    for (row_id, _party), item in existing.items():
        if row_id == row.follows_id and not item.not_applicable_by_rule:
            return item.due_date + timedelta(days=row.follow_days)
    return None


def _replaced(
    key: tuple[int, Party], existing: dict[tuple[int, Party], ChecklistItem], planned: dict
) -> ChecklistItem | None:
    """The item of the same row that ``key``'s party takes over, if the project has one and
    the rules no longer give it (tracker.catalogue.rules.TAKES_OVER_FROM)."""
    row_id, party = key
    other = TAKES_OVER_FROM.get(party)
    if other is None or (row_id, other) in planned:
        return None
    return existing.get((row_id, other))


def take_over(item: ChecklistItem, replaced: ChecklistItem) -> None:
    """``item`` replaces ``replaced``: linked to it, and given its assignee if ``item`` has
    none and they may hold it."""
    item.replaces = replaced
    assignee = replaced.assignee
    if (
        item.assignee is None
        and assignee is not None
        and assignee.active
        and can_be_assigned(assignee, item)
    ):
        item.assignee = assignee


def _follow_raci(
    existing: dict[tuple[int, Party], ChecklistItem], planned: dict[tuple[int, Party], PlannedItem]
) -> None:
    """Give the items the project keeps the accountable party and contributors the rules now
    plan (a partner that takes the implementation over contributes to the data migration).
    Derived from the project, not a person's change: no event, and the item's version stays,
    so that nobody editing it meets a conflict for it."""
    for key, item in existing.items():
        plan = planned.get(key)
        if plan is None:
            continue
        contributors = [p.value for p in plan.contributors]
        if (item.accountable, item.contributors) != (plan.accountable, contributors):
            db.session.execute(
                sa.update(ChecklistItem)
                .where(ChecklistItem.id == item.id)
                .values(accountable=plan.accountable, contributors=contributors)
            )


def set_status_by_rule(
    item: ChecklistItem,
    status: Status,
    reason: tuple[str | None, dict | None],
    *,
    actor_id: int | None,
) -> None:
    """The tracker itself closes (not applicable, with its reason as a code and parameters)
    or reopens (to do) an item, with an event."""
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
    item.reason = None
    item.reason_code, item.reason_params = reason
    item.not_applicable_by_rule = status is Status.NOT_APPLICABLE
    item.kept_open = False


def shift_due_dates(
    project: Project, *, actor: User | None, kickoff_delta: timedelta, go_live_delta: timedelta
) -> int:
    """Move the due dates of open items anchored to a milestone that moved; the items of a
    row that follows another move with the item they follow (``move_followers``)."""
    deltas = {"kickoff": kickoff_delta, "go_live": go_live_delta}
    if not any(deltas.values()):
        return 0
    actor_id = actor.id if actor else None
    moved: dict[int, timedelta] = {}
    count = 0
    leading = rows_with_work(project.id)  # a follower of a row without any moves alone
    for item, anchor, follows_id in open_items_with_anchor(project.id):
        delta = deltas[anchor.value]
        if not delta or follows_id in leading:
            continue
        _move_due(item, item.due_date + delta, actor_id)
        moved[item.responsibility_id] = delta
        count += 1
    count += move_followers(project.id, moved, actor_id=actor_id)
    flush()
    return count


def move_followers(project_id: int, moved: dict[int, timedelta], *, actor_id: int | None) -> int:
    """Paired rows: the open items of the rows that follow a row whose item moved (``moved``:
    row id -> by how many days) move by as many days, and theirs in turn. Returns how many
    moved."""
    count = 0
    seen = set(moved)
    while moved:
        following: dict[int, timedelta] = {}
        for item, follows_id in open_followers(project_id, set(moved)):
            if item.responsibility_id in seen:
                continue  # a cycle the loader refuses: never round it twice
            _move_due(item, item.due_date + moved[follows_id], actor_id)
            following[item.responsibility_id] = moved[follows_id]
            count += 1
        seen.update(following)
        moved = following
    return count


def _move_due(item: ChecklistItem, new_due: date, actor_id: int | None) -> None:
    audit.record(
        "item.due_date",
        project_id=item.project_id,
        item_id=item.id,
        actor_id=actor_id,
        field="due_date",
        old=item.due_date,
        new=new_due,
    )
    item.due_date = new_due


# --- deciding on items the rules no longer give the project ------------------------------


def _to_decide(item: ChecklistItem, actor: User, version: int) -> tuple[str, dict]:
    """The rule's reason why ``item`` no longer applies, once ``actor`` may decide on it (the
    project's CSM, an admin), it is still one to decide (open, its row not applying, not kept
    open already) and ``version`` is the one saved."""
    if not can_edit_project(actor, item.project):
        raise NotAllowed(_("Only the project's CSM decides on items whose row no longer applies."))
    row = item.responsibility
    if not item.is_open or item.kept_open or applies_to(row, item.party, item.project):
        raise RuleBroken(
            None,
            _(
                "There is nothing to decide on this item any more: its row applies again, or "
                "it was closed or decided meanwhile."
            ),
        )
    if version != item.version:
        raise Conflict(
            _("Someone else changed this item after you loaded it."), current_version=item.version
        )
    return rule_reason(row, item.party, item.project)


def retire_against_rules(item: ChecklistItem, *, actor: User, version: int) -> None:
    """The CSM marks an open item whose row no longer applies not applicable, with the
    rule's reason, as the rule would have: it then counts neither as done nor as due, and
    is reopened if its row applies again."""
    reason = _to_decide(item, actor, version)
    set_status_by_rule(item, Status.NOT_APPLICABLE, reason, actor_id=actor.id)
    flush(current_version=lambda: item.version)


def keep_open_against_rules(item: ChecklistItem, *, actor: User, version: int, note: str) -> None:
    """The CSM keeps open an item whose row no longer applies, saying why (``note``, an
    internal comment): it is no longer among the items to decide, until it is closed."""
    code, params = _to_decide(item, actor, version)
    note = (note or "").strip()
    if not note:
        raise RuleBroken("note", _("Say why the item stays open."))
    if len(note) > MAX_COMMENT_LENGTH:
        raise RuleBroken(
            "note", _("A comment is limited to %(num)d characters.", num=MAX_COMMENT_LENGTH)
        )
    item.kept_open = True
    audit.record(
        "item.kept_open",
        project_id=item.project_id,
        item_id=item.id,
        actor_id=actor.id,
        params={"code": code, "params": params},
    )
    add_comment(item, actor=actor, body=note, internal=True)


# --- changing an item ---------------------------------------------------------------------

UNCHANGED = object()  # an argument not given: that field is not to change


@dataclass(frozen=True)
class ItemChange:
    """What a person asks to change on an item; a field left ``UNCHANGED`` stays as it is.
    ``assignee_id`` 0 or None: nobody."""

    status: Status | object = UNCHANGED
    reason: str | object | None = UNCHANGED
    assignee_id: int | object | None = UNCHANGED
    due_date: date | object | None = UNCHANGED

    def __post_init__(self) -> None:
        if self.reason is not UNCHANGED:
            object.__setattr__(self, "reason", (self.reason or "").strip() or None)
        if self.assignee_id is not UNCHANGED and not self.assignee_id:
            object.__setattr__(self, "assignee_id", None)
        if self.status is None:
            object.__setattr__(self, "status", UNCHANGED)
        if self.due_date is None:
            object.__setattr__(self, "due_date", UNCHANGED)


def pending_changes(item: ChecklistItem, change: ItemChange) -> dict[str, tuple[object, object]]:
    """The fields ``change`` would change on ``item``, each as (saved now, asked): empty when
    it repeats the item's current state."""
    pending: dict[str, tuple[object, object]] = {}
    if change.status is not UNCHANGED and change.status is not item.status:
        pending["status"] = (item.status, change.status)
    target = item.status if change.status is UNCHANGED else change.status
    if (
        change.reason is not UNCHANGED
        and target.needs_reason
        and change.reason is not None
        and change.reason != item.reason
    ):
        pending["reason"] = (item.reason, change.reason)
    if change.assignee_id is not UNCHANGED and change.assignee_id != item.assignee_id:
        pending["assignee"] = (item.assignee, _user(change.assignee_id))
    if change.due_date is not UNCHANGED and change.due_date != item.due_date:
        pending["due_date"] = (item.due_date, change.due_date)
    return pending


def _user(user_id: int | None) -> User | None:
    """The user ``user_id`` names, None for nobody or for an id no user has."""
    if user_id is None or not 0 < user_id <= MAX_INT:
        return None
    return db.session.get(User, user_id)


def change_item(item: ChecklistItem, change: ItemChange, *, actor: User, version: int) -> list[str]:
    """Apply ``change`` to ``item`` for ``actor``, who read it at ``version``; record one
    event per changed field. Returns the fields changed.

    The checks come in this order, each door answering the first that fails: who may update
    the item at all (``NotAllowed``); the reason's length and the assignee; asking for the
    state the item already has, which changes and records nothing, whatever the version (a
    double submit of "done" is harmless); who may mark it not applicable or move its due
    date; the version the change is based on (``Conflict``); whether a reason is needed.
    """
    require_may_change(actor, item)
    _check_reason_length(change)
    _check_assignee(item, change)
    pending = pending_changes(item, change)
    if not pending:
        return []
    _check_permissions(item, change, pending, actor)
    if version != item.version:
        raise Conflict(
            _("Someone else changed this item after you loaded it."),
            current_version=item.version,
            changes=[Change(field, saved, sent) for field, (saved, sent) in pending.items()],
        )
    _check_reason(item, change)
    return _apply(item, change, pending, actor)


def require_may_change(actor: User, item: ChecklistItem) -> None:
    """``NotAllowed`` unless ``actor`` may update ``item``: ``change_item``'s first check, for
    a door that must refuse before it reads what is asked (the API)."""
    if not can_update_item(actor, item):
        raise NotAllowed(_("You may not update %(party)s items.", party=item.party.label))


def require_may_comment(actor: User, item: ChecklistItem) -> None:
    """``NotAllowed`` unless ``actor`` may comment on ``item`` (``add_comment``'s first check)."""
    if not can_comment(actor, item):
        raise NotAllowed(_("You may not comment on this item."))


def _check_reason_length(change: ItemChange) -> None:
    if change.reason not in (UNCHANGED, None) and len(change.reason) > MAX_REASON_LENGTH:
        raise RuleBroken(
            "reason", _("The reason is limited to %(num)d characters.", num=MAX_REASON_LENGTH)
        )


def _check_assignee(item: ChecklistItem, change: ItemChange) -> None:
    """A new assignee must be an active user who may hold the item: one answer whether the
    id is nobody's or someone's who may not (it tells nothing of other customers' people).
    The current assignee is kept even if they could not be chosen now."""
    if change.assignee_id in (UNCHANGED, None) or change.assignee_id == item.assignee_id:
        return
    assignee = _user(change.assignee_id)
    if assignee is None or not (assignee.active and can_be_assigned(assignee, item)):
        raise RuleBroken(
            "assignee_id",
            _(
                "This person cannot be assigned %(party)s items of this project.",
                party=item.party.label,
            ),
        )


def _check_permissions(item: ChecklistItem, change: ItemChange, pending: dict, actor: User) -> None:
    if (
        "status" in pending
        and change.status is Status.NOT_APPLICABLE
        and not can_mark_not_applicable(actor, item)
    ):
        raise NotAllowed(
            _("Only the project's CSM may mark an item not applicable."), field="status"
        )
    if "due_date" in pending and not can_change_due_date(actor, item):
        raise NotAllowed(_("Only the project's CSM may move due dates."), field="due_date")


def _check_reason(item: ChecklistItem, change: ItemChange) -> None:
    target = item.status if change.status is UNCHANGED else change.status
    reason = None if change.reason is UNCHANGED else change.reason
    if target.needs_reason and not (reason or (target is item.status and item.has_reason)):
        if target is Status.BLOCKED:
            raise RuleBroken("reason", _("Say why the item is blocked."))
        raise RuleBroken("reason", _("Say why the item is not applicable."))


def _apply(item: ChecklistItem, change: ItemChange, pending: dict, actor: User) -> list[str]:
    changed: list[str] = []

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

    if "status" in pending:
        status = change.status
        log("status", item.status, status)
        if status is Status.DONE:
            item.completed_at = utcnow()
            item.completed_by = actor  # the relationship: what the caller shows next is current
        elif item.status is Status.DONE:
            item.completed_at = None
            item.completed_by = None
        item.status = status
        item.not_applicable_by_rule = False
        if not status.is_open:
            item.kept_open = False  # reopened against the rules, it is to decide again
    reason = None if change.reason is UNCHANGED else change.reason
    new_reason = reason if item.status.needs_reason else None
    if item.status.needs_reason and new_reason is None:
        new_reason = item.reason
    if new_reason != item.reason:
        if new_reason is not None:
            log("reason", item.reason, new_reason)
        item.reason = new_reason
    if item.reason is not None or not item.status.needs_reason:
        item.reason_code = item.reason_params = None  # a person's reason, or none needed
    if "assignee" in pending:
        old, new = pending["assignee"]
        log("assignee", old.name if old else None, new.name if new else None)
        item.assignee = new
    if "due_date" in pending:
        log("due_date", item.due_date, change.due_date)
        delta = change.due_date - item.due_date
        item.due_date = change.due_date
        if item.is_open:  # the items that follow it move with it
            move_followers(item.project_id, {item.responsibility_id: delta}, actor_id=actor.id)
    flush(current_version=lambda: item.version)  # saved meanwhile by someone else: a conflict
    notifications.item_changed(item, actor=actor, changes=pending)
    flush()
    return changed


def add_comment(item: ChecklistItem, *, actor: User, body: str, internal: bool = False) -> Comment:
    """``actor`` comments on ``item``: anyone who sees an active project's item may. An
    ``internal`` comment is for the vendor's people, IMS and partners: a client user may not
    write one (nor ever read one)."""
    require_may_comment(actor, item)
    if internal and not sees_internal_comments(actor):
        raise NotAllowed(_("Client users cannot write internal comments."), field="internal")
    body = (body or "").strip()
    if not body:
        raise RuleBroken("body", _("Write a comment first."))
    if len(body) > MAX_COMMENT_LENGTH:
        raise RuleBroken(
            "body", _("A comment is limited to %(num)d characters.", num=MAX_COMMENT_LENGTH)
        )
    mentions = notifications.mentioned(item, body, internal=internal)
    comment = Comment(item=item, author_id=actor.id, body=body, internal=internal)
    db.session.add(comment)
    audit.record(
        "item.comment",
        project_id=item.project_id,
        item_id=item.id,
        actor_id=actor.id,
        field="comment",
        new=body[:200],
        internal=internal,
    )
    flush()
    notifications.comment_added(item, comment, actor=actor, mentions=mentions)
    flush()
    return comment
