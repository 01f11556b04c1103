"""Reads of a project's go-live readiness: its blocking items (with their waivers), its
approvers and its sign-off, in a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager

from tracker.checklist.queries import is_work
from tracker.enums import OPEN_STATUSES, Party, Phase, Role
from tracker.extensions import db
from tracker.models import (
    ChecklistItem,
    GoLiveApprover,
    GoLiveSignOff,
    GoLiveWaiver,
    Project,
    Responsibility,
    User,
)


def blocking_items_select(project: Project) -> sa.Select:
    """The items that must be closed before go-live: the go-live phase's, and those of the
    phases before it due on or before the target go-live date, of rows that block go-live;
    each with its row and its waiver (or None), in catalogue order."""
    before_operations = Responsibility.phase != Phase.OPERATIONS
    return (
        sa.select(ChecklistItem, Responsibility, GoLiveWaiver)
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .outerjoin(GoLiveWaiver, GoLiveWaiver.item_id == ChecklistItem.id)
        .where(
            ChecklistItem.project_id == project.id,
            is_work(),  # an item a rule retired is neither closed nor due
            Responsibility.blocks_go_live.is_(True),
            sa.or_(
                Responsibility.phase == Phase.GO_LIVE,
                sa.and_(before_operations, ChecklistItem.due_date <= project.go_live_date),
            ),
        )
        .order_by(Responsibility.position, ChecklistItem.party)
    )


@dataclass(frozen=True)
class BlockingItem:
    item: ChecklistItem
    row: Responsibility
    waiver: GoLiveWaiver | None

    @property
    def is_open(self) -> bool:
        return self.item.status in OPEN_STATUSES

    @property
    def holds_go_live_back(self) -> bool:
        """Open and not waived: go-live cannot be signed off while it is."""
        return self.is_open and self.waiver is None


@dataclass(frozen=True)
class Readiness:
    """What stands between a project and its go-live, and who signed it off."""

    project: Project
    items: list[BlockingItem]
    approvers: list[User]
    sign_off: GoLiveSignOff | None

    @property
    def outstanding(self) -> list[BlockingItem]:
        return [entry for entry in self.items if entry.holds_go_live_back]

    @property
    def waived(self) -> list[BlockingItem]:
        return [entry for entry in self.items if entry.waiver is not None]

    @property
    def closed_count(self) -> int:
        return sum(1 for entry in self.items if not entry.is_open)

    @property
    def open_by_party(self) -> dict[Party, int]:
        """Outstanding items per responsible party, in the parties' order (none left out)."""
        counts = Counter(entry.item.party for entry in self.outstanding)
        return {party: counts[party] for party in Party if counts[party]}

    @property
    def state(self) -> str:
        """ "live", "signed_off" or "waiting"."""
        if self.project.went_live_on is not None:
            return "live"
        return "signed_off" if self.sign_off is not None else "waiting"


def readiness_of(project: Project) -> Readiness:
    """The project's readiness: three queries whatever its size."""
    assignee = aliased(User)
    rows = db.session.execute(
        blocking_items_select(project)
        .outerjoin(assignee, ChecklistItem.assignee_id == assignee.id)
        .options(contains_eager(ChecklistItem.assignee.of_type(assignee)))
    ).all()
    approvers = db.session.scalars(
        sa.select(User)
        .join(GoLiveApprover, GoLiveApprover.user_id == User.id)
        .where(GoLiveApprover.project_id == project.id)
        .order_by(User.name, User.id)
    ).all()
    sign_off = db.session.scalar(
        sa.select(GoLiveSignOff)
        .where(GoLiveSignOff.project_id == project.id)
        .options(sa.orm.joinedload(GoLiveSignOff.signed_by))
    )
    return Readiness(
        project=project,
        items=[BlockingItem(item, row, waiver) for item, row, waiver in rows],
        approvers=list(approvers),
        sign_off=sign_off,
    )


def is_approver(project_id: int, user_id: int) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                GoLiveApprover.project_id == project_id, GoLiveApprover.user_id == user_id
            )
        )
    )


def approver_candidates(project: Project) -> list[User]:
    """The customer's active client users who are not leads (leads sign off anyway) and not
    yet approvers of the project."""
    designated = sa.select(GoLiveApprover.user_id).where(GoLiveApprover.project_id == project.id)
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.organisation_id == project.customer_id,
                User.role == Role.CLIENT,
                User.active.is_(True),
                User.is_lead.is_(False),
                User.id.not_in(designated),
            )
            .order_by(User.name, User.id)
        )
    )


def project_people(project: Project) -> list[User]:
    """Who the handover summary is e-mailed to: the project's CSM, the customer's active
    users, the partner's (when it implements) and the IMS engineers (with an IMS contract)."""
    who = [User.id == project.csm_id, User.organisation_id == project.customer_id]
    if project.partner_id is not None:
        who.append(User.organisation_id == project.partner_id)
    if project.ims_contract:
        who.append(User.role == Role.IMS)
    return list(
        db.session.scalars(
            sa.select(User).where(User.active.is_(True), sa.or_(*who)).order_by(User.id)
        )
    )


def operations_items(project: Project) -> list[tuple[ChecklistItem, Responsibility]]:
    """The project's operations items, by party then catalogue order: who owns what once
    live."""
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(ChecklistItem, Responsibility)
            .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
            .where(
                ChecklistItem.project_id == project.id,
                Responsibility.phase == Phase.OPERATIONS,
            )
            .order_by(ChecklistItem.party, Responsibility.position)
            .options(sa.orm.joinedload(ChecklistItem.assignee))
        )
    ]
