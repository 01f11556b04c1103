"""The catalogue's rules: which rows apply to a project, which parties each row's items go
to, and when they fall due. Pure functions of a project's attributes and a row's marks: the
checklist (tracker.checklist.services) follows them when a project is created or changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from tracker.enums import (
    Anchor,
    CatalogueParty,
    Condition,
    Deployment,
    Environment,
    Implementer,
    Party,
)
from tracker.models import Project
from tracker.wording import CONDITION_UNMET, REASSIGNED


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
    accountable: CatalogueParty | None
    contributors: list[str]
    follows_id: int | None
    follow_days: int | None


@dataclass(frozen=True)
class PlannedItem:
    """An item a project should have: one party's share of one row, due on a day; ``party``
    is responsible for it, ``accountable`` answers for it, ``contributors`` take part."""

    responsibility_id: int
    party: Party
    due_date: date
    accountable: Party
    contributors: tuple[Party, ...] = ()


@dataclass(frozen=True)
class ProjectShape:
    """What the rules read of a project, as it stood at one moment (``shape_of``): a
    project's change compares what the rules planned before it with what they plan after."""

    deployment: Deployment
    environment: Environment
    ims_contract: bool
    ims_scope_keys: frozenset[str]
    implementer: Implementer
    data_migration: bool
    vpn_required: bool
    kickoff_date: date
    go_live_date: date


def shape_of(project: Project) -> ProjectShape:
    return ProjectShape(
        deployment=project.deployment,
        environment=project.environment,
        ims_contract=project.ims_contract,
        ims_scope_keys=frozenset(project.ims_scope_keys),
        implementer=project.implementer,
        data_migration=project.data_migration,
        vpn_required=project.vpn_required,
        kickoff_date=project.kickoff_date,
        go_live_date=project.go_live_date,
    )


# Who a row passes from when it passes to a party: IMS takes a client row over under a
# contract (and gives it back without one); a partner takes the implementer's rows from
# Infor when it implements (and Infor from the partner). The item of the new party replaces
# the other's (tracker.checklist.services.reconcile_items).
TAKES_OVER_FROM = {
    Party.IMS: Party.CLIENT,
    Party.CLIENT: Party.IMS,
    Party.PARTNER: Party.INFOR,
    Party.INFOR: Party.PARTNER,
}


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


def _resolved(mark: CatalogueParty, project: Project) -> Party:
    """The party a catalogue mark stands for on ``project``."""
    if mark is CatalogueParty.IMPLEMENTER:
        return Party.PARTNER if project.implementer is Implementer.PARTNER else Party.INFOR
    return Party(mark.value)


def raci_for(row: CatalogueRule, party: Party, project: Project) -> tuple[Party, tuple[Party, ...]]:
    """Who answers for ``party``'s item of ``row`` on ``project``, and who contributes to it.

    The party the row names answers for the work, whoever does it: the client for a client
    row that IMS takes over under its contract, Infor for the implementation row that a
    partner runs; unless the row names another accountable party. The contributors are the
    row's, less the responsible and the accountable parties (each party has one role)."""
    if row.accountable is not None:
        accountable = _resolved(CatalogueParty(row.accountable), project)
    elif party is Party.IMS and not row.party_ims:
        accountable = Party.CLIENT  # IMS does a client row's work under its contract
    elif party is Party.PARTNER:
        accountable = Party.INFOR  # the implementation row, run by a partner
    else:
        accountable = party
    contributors = dict.fromkeys(
        _resolved(CatalogueParty(mark), project) for mark in row.contributors or ()
    )
    return accountable, tuple(p for p in contributors if p not in (party, accountable))


def applies_to(row: CatalogueRule, party: Party, project: Project) -> bool:
    """Whether the rules give ``party`` an item of ``row`` on ``project``."""
    return condition_holds(row.condition, project) and party in parties_for(
        row, project, ims_scope(project)
    )


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
            planned[(row.id, party)] = PlannedItem(
                row.id, party, due, *raci_for(row, party, project)
            )
    return planned


def rule_reason(row: CatalogueRule, party: Party, project: Project) -> tuple[str, dict]:
    """Why ``party``'s item of ``row`` no longer applies to ``project``, as a code of
    tracker.wording and its parameters: the row's condition no longer holds, or the row now
    goes to other parties."""
    if not condition_holds(row.condition, project):
        return CONDITION_UNMET, {"condition": row.condition.value}
    parties = [p for p in parties_for(row, project, ims_scope(project)) if p is not party]
    return REASSIGNED, {"parties": [p.value for p in parties]}
