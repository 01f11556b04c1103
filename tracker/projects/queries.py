"""Reads for the portfolio and the project page: a fixed number of queries per page."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from tracker.audit.models import Event
from tracker.auth.models import User
from tracker.catalogue.models import Area, Responsibility
from tracker.checklist.models import ChecklistItem
from tracker.enums import Party, Role, Status
from tracker.extensions import db
from tracker.organisations.models import Organisation
from tracker.permissions import assignable_parties, visible_projects_filter
from tracker.projects.models import Project


def portfolio_select(
    user: User,
    *,
    csm_id: int | None = None,
    customer_id: int | None = None,
    archived: bool = False,
) -> sa.Select:
    """The projects ``user`` may see, soonest go-live first: active ones, or archived ones."""
    query = (
        sa.select(Project)
        .options(joinedload(Project.customer), joinedload(Project.csm))
        .where(visible_projects_filter(user))
        .order_by(Project.go_live_date, Project.id)
    )
    if archived:
        query = query.where(Project.archived_at.is_not(None))
    else:
        query = query.where(Project.archived_at.is_(None))
    if csm_id:
        query = query.where(Project.csm_id == csm_id)
    if customer_id:
        query = query.where(Project.customer_id == customer_id)
    return query


def visible_customers(user: User) -> list[tuple[int, str]]:
    """(id, name) of the customers of the projects ``user`` may see: a filter's options."""
    return [
        (row.id, row.name)
        for row in db.session.execute(
            sa.select(Organisation.id, Organisation.name)
            .where(
                Organisation.id.in_(
                    sa.select(Project.customer_id).where(visible_projects_filter(user))
                )
            )
            .order_by(Organisation.name)
        )
    ]


def visible_csms(user: User) -> list[tuple[int, str]]:
    """(id, name) of the CSMs of the projects ``user`` may see: a filter's options."""
    return [
        (row.id, row.name)
        for row in db.session.execute(
            sa.select(User.id, User.name)
            .where(User.id.in_(sa.select(Project.csm_id).where(visible_projects_filter(user))))
            .order_by(User.name)
        )
    ]


def project_items(
    project: Project,
    *,
    party: Party | None = None,
    status: Status | None = None,
    assignee_id: int | None = None,
) -> list[tuple[ChecklistItem, Responsibility, Area]]:
    """The project's items with their catalogue row and area, in phase then catalogue order."""
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
    if party:
        query = query.where(ChecklistItem.party == party)
    if status:
        query = query.where(ChecklistItem.status == status)
    if assignee_id == -1:
        query = query.where(ChecklistItem.assignee_id.is_(None))
    elif assignee_id:
        query = query.where(ChecklistItem.assignee_id == assignee_id)
    return [tuple(row) for row in db.session.execute(query)]


def assignable_users(project: Project) -> dict[Party, list[User]]:
    """Active users who could work each party's items on ``project``, by party."""
    candidates = db.session.scalars(
        sa.select(User)
        .where(
            User.active.is_(True),
            sa.or_(
                User.role.in_((Role.ADMIN, Role.CSM, Role.IMS)),
                sa.and_(User.role == Role.CLIENT, User.organisation_id == project.customer_id),
                sa.and_(User.role == Role.PARTNER, User.organisation_id == project.partner_id),
            ),
        )
        .order_by(User.name)
    )
    by_party: dict[Party, list[User]] = {party: [] for party in Party}
    for user in candidates:
        for party in assignable_parties(user, project):
            by_party[party].append(user)
    return by_party


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


def project_events(project: Project, *, limit: int | None = 50, item_id: int | None = None):
    query = (
        sa.select(Event)
        .options(joinedload(Event.actor))
        .where(Event.project_id == project.id)
        .order_by(Event.id.desc())
    )
    if item_id is not None:
        query = query.where(Event.item_id == item_id)
    if limit:
        query = query.limit(limit)
    return query
