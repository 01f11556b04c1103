"""What moving a project to another catalogue version would do to each of its items, by
the same rules as a change of the project's attributes (tracker.checklist.services
``reconcile_items``). Reads only: ``tracker.rollout.services.apply_rollout`` writes it.

Items are matched to the target version's rows by the rows' stable ``key`` and the party.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.catalogue.rules import (
    TAKES_OVER_FROM,
    PlannedItem,
    applies_to,
    due_date_for,
    plan_items,
    rule_reason,
)
from tracker.enums import Party, Status
from tracker.models import CatalogueVersion, ChecklistItem, Project, Responsibility
from tracker.rollout.queries import items_with_rows, version_rows
from tracker.wording import REMOVED_IN_VERSION

ADD = "add"  # a row that now applies: a new item, dated by its offset
RETIRE = "retire"  # an open item whose row is gone or no longer applies: not applicable
FOLLOW = "follow"  # an open item follows its row into the new version
REOPEN = "reopen"  # an item a rule had retired, whose row applies again
KEEP = "keep"  # a done or not applicable item: it keeps what it was closed against
KINDS = (ADD, RETIRE, FOLLOW, REOPEN, KEEP)

# What of a row can change between versions, as the preview and the history name it.
ROW_FIELDS = {
    "text": ("text_fr", "text_en"),
    "phase": ("phase",),
    "parties": (
        "party_infor",
        "party_client",
        "party_ims",
        "party_implementer",
        "ims_eligible",
        "accountable",
        "contributors",
    ),
    "due": ("due_anchor", "due_offset_days", "follow_days"),
    "condition": ("condition",),
}


def row_changes(old: Responsibility, new: Responsibility) -> tuple[str, ...]:
    """What changed from ``old`` to ``new`` (names of ``ROW_FIELDS``)."""
    return tuple(
        name
        for name, columns in ROW_FIELDS.items()
        if any(getattr(old, column) != getattr(new, column) for column in columns)
    )


@dataclass
class ItemAction:
    """What happens to one item (or, for ``ADD``, the item to create)."""

    kind: str
    party: Party
    key: str
    item: ChecklistItem | None = None
    old_row: Responsibility | None = None
    new_row: Responsibility | None = None
    planned: PlannedItem | None = None
    changes: tuple[str, ...] = ()
    due_before: date | None = None
    due_after: date | None = None
    due_flagged: bool = False  # a date set by hand, kept though the row's offset moved
    reason: tuple[str, dict] | None = None
    # ADD: the other party's item of the row that the new item replaces (a takeover), as
    # reconcile_items links them; KEEP: the party the row passed to, this item being done
    # (no new item is created for it).
    replaces: ChecklistItem | None = None
    kept_done_for: Party | None = None

    @property
    def row(self) -> Responsibility:
        return self.new_row or self.old_row


@dataclass
class RolloutPlan:
    project: Project
    source: CatalogueVersion
    target: CatalogueVersion
    actions: list[ItemAction] = field(default_factory=list)

    def of(self, kind: str) -> list[ItemAction]:
        return [action for action in self.actions if action.kind == kind]

    @property
    def changed(self) -> list[ItemAction]:
        """The actions on items whose row changed (followed or kept)."""
        return [a for a in self.actions if a.kind in (FOLLOW, KEEP) and a.changes]

    @property
    def flagged(self) -> list[ItemAction]:
        return [action for action in self.actions if action.due_flagged]

    def counts(self) -> dict[str, int]:
        counts = {kind: len(self.of(kind)) for kind in KINDS}
        counts["changed"] = len(self.changed)
        counts["flagged"] = len(self.flagged)
        return counts


class RowCache:
    """The rows of each version read so far: a bulk rollout reads each version once."""

    def __init__(self) -> None:
        self._rows: dict[int, list[Responsibility]] = {}

    def rows(self, version_id: int) -> list[Responsibility]:
        if version_id not in self._rows:
            self._rows[version_id] = version_rows(version_id)
        return self._rows[version_id]


def plan_rollout(
    project: Project, target: CatalogueVersion, *, cache: RowCache | None = None
) -> RolloutPlan:
    """What moving ``project`` to ``target`` would do, item by item.

    - An open item whose row ``target`` no longer has is retired ("removed in catalogue
      version N"); one whose row no longer applies to it is retired with the rule's reason
      (if the rules gave it the item before: one left open against them follows its row and
      stays for the CSM to decide). Never deleted.
    - An open item whose row applies follows it: its parties as the new row gives them, its
      due date too if it is still the computed one; a date set by hand is kept, and flagged
      when the row's offset moved.
    - An item a rule had retired is reopened if its row applies again, else it follows its
      row (still retired) or, its row gone, stays as it is.
    - A done item, or one a person marked not applicable, keeps its row, parties and date.
    - A row of ``target`` that applies and has no item yet: a new item.
    """
    cache = cache or RowCache()
    source = project.catalogue_version
    new_rows = cache.rows(target.id)
    new_by_key = {row.key: row for row in new_rows}
    planned = plan_items(project, new_rows)
    previous = plan_items(project, cache.rows(source.id))
    plan = RolloutPlan(project, source, target)
    matched: set[tuple[int, Party]] = set()
    for item, old_row in items_with_rows(project.id):
        new_row = new_by_key.get(old_row.key)
        action = _item_action(item, old_row, new_row, project, target, planned, previous)
        if new_row is not None:
            matched.add((new_row.id, item.party))
        plan.actions.append(action)
    by_key = {(action.key, action.party): action for action in plan.actions}
    row_by_id = {row.id: row for row in new_rows}
    for (row_id, party), planned_item in planned.items():
        if (row_id, party) in matched:
            continue
        row = row_by_id[row_id]
        add = ItemAction(
            ADD, party, row.key, new_row=row, planned=planned_item, due_after=planned_item.due_date
        )
        other = TAKES_OVER_FROM.get(party)
        prior = by_key.get((row.key, other)) if other else None
        if prior is not None and (row_id, other) not in planned:
            if prior.item.status is Status.DONE:
                prior.kept_done_for = party  # done already: it stays, no new to-do
                continue
            add.replaces = prior.item
            if prior.kind == RETIRE:  # retired now: the new item keeps its date
                add.due_after = prior.item.due_date
        plan.actions.append(add)
    _date_new_followers(plan)
    return plan


def _date_new_followers(plan: RolloutPlan) -> None:
    """A new item of a row that follows another falls due ``follow_days`` after the item of
    the followed row as the rollout leaves it (one that counts: not retired by a rule), as
    ``reconcile_items`` dates it: a date moved by hand on the followed item carries over."""
    leads: dict[int, date] = {}
    for action in plan.actions:
        if action.new_row is None or action.due_after is None or action.kind == RETIRE:
            continue
        if action.item is not None and action.item.not_applicable_by_rule and action.kind != REOPEN:
            continue
        leads.setdefault(action.new_row.id, action.due_after)
    for action in plan.actions:
        row = action.new_row
        if action.kind != ADD or action.replaces is not None or row.follows_id is None:
            continue
        lead = leads.get(row.follows_id)
        if lead is not None:
            action.due_after = lead + timedelta(days=row.follow_days or 0)


def _item_action(
    item: ChecklistItem,
    old_row: Responsibility,
    new_row: Responsibility | None,
    project: Project,
    target: CatalogueVersion,
    planned: dict[tuple[int, Party], PlannedItem],
    previous: dict[tuple[int, Party], PlannedItem],
) -> ItemAction:
    party = item.party
    base = {"item": item, "old_row": old_row, "new_row": new_row, "due_before": item.due_date}
    if new_row is None:
        if item.is_open:
            reason = (REMOVED_IN_VERSION, {"version": target.number})
            return ItemAction(RETIRE, party, old_row.key, reason=reason, **base)
        return ItemAction(KEEP, party, old_row.key, **{**base, "new_row": None})
    changes = row_changes(old_row, new_row)
    plan = planned.get((new_row.id, party))
    retired_by_rule = item.status is Status.NOT_APPLICABLE and item.not_applicable_by_rule
    if item.is_open:
        if plan is None and (old_row.id, party) in previous:
            reason = rule_reason(new_row, party, project)
            return ItemAction(RETIRE, party, old_row.key, changes=changes, reason=reason, **base)
        due_after, flagged = item.due_date, False
        if plan is not None:
            computed = item.due_date == due_date_for(old_row, project)
            if computed:
                due_after = plan.due_date
            else:
                flagged = due_date_for(new_row, project) != due_date_for(old_row, project)
        return ItemAction(
            FOLLOW,
            party,
            old_row.key,
            planned=plan,
            changes=changes,
            due_after=due_after,
            due_flagged=flagged,
            **base,
        )
    if retired_by_rule:
        if plan is not None and applies_to(new_row, party, project):
            return ItemAction(
                REOPEN,
                party,
                old_row.key,
                planned=plan,
                changes=changes,
                due_after=plan.due_date,
                **base,
            )
        return ItemAction(
            FOLLOW, party, old_row.key, changes=changes, due_after=item.due_date, **base
        )
    # done, or marked not applicable by a person: it keeps what it was closed against
    return ItemAction(KEEP, party, old_row.key, changes=changes, due_after=item.due_date, **base)
