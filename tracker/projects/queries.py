"""Reads for a project's pages and forms: a fixed number of queries per page."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.enums import OrganisationKind, Party, Role, Status
from tracker.extensions import db
from tracker.models import Area, ChecklistItem, Organisation, Project, Responsibility, User


def project_items(
    project: Project,
    *,
    party: Party | None = None,
    accountable: Party | None = None,
    status: Status | None = None,
    assignee_id: int | None = None,
    area: str | None = None,
    with_completer: bool = False,
) -> list[tuple[ChecklistItem, Responsibility, Area]]:
    """The project's items with their catalogue row and area, in phase then catalogue order
    (and, ``with_completer``, who completed each, in the same query)."""
    assignee = aliased(User)
    query = (
        sa.select(ChecklistItem, Responsibility, Area)
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .join(Area, Responsibility.area_id == Area.id)
        .outerjoin(assignee, ChecklistItem.assignee_id == assignee.id)
        .options(sa.orm.contains_eager(ChecklistItem.assignee.of_type(assignee)))
        .where(ChecklistItem.project_id == project.id)
        .order_by(Responsibility.position, ChecklistItem.party)
    )
    if with_completer:
        completer = aliased(User)
        query = query.outerjoin(completer, ChecklistItem.completed_by_id == completer.id).options(
            sa.orm.contains_eager(ChecklistItem.completed_by.of_type(completer))
        )
    if party:
        query = query.where(ChecklistItem.party == party)
    if accountable:
        query = query.where(ChecklistItem.accountable == accountable)
    if status:
        query = query.where(ChecklistItem.status == status)
    if assignee_id == -1:
        query = query.where(ChecklistItem.assignee_id.is_(None))
    elif assignee_id:
        query = query.where(ChecklistItem.assignee_id == assignee_id)
    if area:
        query = query.where(Area.key == area)
    return [tuple(row) for row in db.session.execute(query)]


def project_assignees(project: Project) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.id.in_(
                    sa.select(ChecklistItem.assignee_id).where(
                        ChecklistItem.project_id == project.id
                    )
                )
            )
            .order_by(User.name)
        )
    )


def organisations_of_kind(kind: OrganisationKind) -> sa.Select[tuple[int, str]]:
    """(id, name) of every customer, or every partner, by name: a form's options."""
    return (
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.kind == kind)
        .order_by(Organisation.name)
    )


def active_csms() -> sa.Select[tuple[int, str]]:
    """(id, name) of the active CSMs, by name: whom a project can be given to."""
    return (
        sa.select(User.id, User.name)
        .where(User.role == Role.CSM, User.active.is_(True))
        .order_by(User.name)
    )


def project_named(customer_id: int, name: str, *, besides: int | None = None) -> sa.Select:
    """The id of ``customer_id``'s project called ``name`` (case and outer spaces aside),
    other than project ``besides``."""
    query = sa.select(Project.id).where(
        Project.customer_id == customer_id,
        sa.func.lower(Project.name) == name.strip().lower(),
    )
    if besides is not None:
        query = query.where(Project.id != besides)
    return query.limit(1)


def project_created_by(creation_token: str) -> sa.Select:
    """The project that the new-project form holding ``creation_token`` created, if any."""
    return sa.select(Project).where(Project.creation_token == creation_token)
