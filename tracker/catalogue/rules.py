"""The catalogue's rules: which rows apply to a project, which parties each row's items go
to, and when they fall due. Pure functions of a project's attributes and a row's marks: the
checklist (tracker.checklist.services) follows them when a project is created or changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from tracker.enums import Anchor, Condition, Deployment, Environment, Implementer, Party
from tracker.models import Project


class CatalogueRule(Protocol):
    """What the rules read of a catalogue row: a ``Responsibility``, or a row of
    ``tracker.catalogue.queries.RULE_COLUMNS``."""

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


@dataclass(frozen=True)
class PlannedItem:
    """An item a project should have: one party's share of one row, due on a day."""

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


def parties_for(row: CatalogueRule, project: Project, scope: set[str]) -> list[Party]:
    """The primary parties of ``row`` on ``project`` (``scope``: its IMS scope), one
    checklist item each."""
    parties: list[Party] = []
    if row.party_infor:
        parties.append(Party.INFOR)
    if row.party_implementer:
        parties.append(Party.PARTNER if project.implementer is Implementer.PARTNER else Party.INFOR)
    if row.party_client:
        ims_takes_over = project.ims_contract and row.ims_eligible and row.key in scope
        parties.append(Party.IMS if ims_takes_over else Party.CLIENT)
    if row.party_ims:
        parties.append(Party.IMS)
    return list(dict.fromkeys(parties))


def due_date_for(row: CatalogueRule, project: Project) -> date:
    anchor = project.kickoff_date if row.due_anchor is Anchor.KICKOFF else project.go_live_date
    return anchor + timedelta(days=row.due_offset_days)


def plan_items(
    project: Project, rows: Iterable[CatalogueRule]
) -> dict[tuple[int, Party], PlannedItem]:
    """The items ``project`` should have, by (row id, party), following the rules."""
    scope = ims_scope(project)
    planned: dict[tuple[int, Party], PlannedItem] = {}
    for row in rows:
        if not condition_holds(row.condition, project):
            continue
        due = due_date_for(row, project)
        for party in parties_for(row, project, scope):
            planned[(row.id, party)] = PlannedItem(row.id, party, due)
    return planned
