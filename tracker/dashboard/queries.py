"""Item lists across projects, as flat rows joined in SQL (one query per list)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.catalogue.models import Area, Responsibility
from tracker.checklist.models import ChecklistItem
from tracker.checklist.queries import is_due_soon, is_open, is_overdue
from tracker.enums import Party, Role
from tracker.organisations.models import Organisation
from tracker.permissions import visible_projects_filter
from tracker.projects.models import Project

Customer = aliased(Organisation, name="customer")
Csm = aliased(User, name="csm")
Assignee = aliased(User, name="assignee")


def item_rows() -> sa.Select:
    """Items with what a list needs to show them: project, customer, CSM, row, assignee."""
    return (
        sa.select(
            ChecklistItem.id,
            ChecklistItem.party,
            ChecklistItem.status,
            ChecklistItem.due_date,
            ChecklistItem.reason,
            Project.id.label("project_id"),
            Project.name.label("project_name"),
            Customer.name.label("customer_name"),
            Csm.name.label("csm_name"),
            Assignee.name.label("assignee_name"),
            Responsibility.text_en,
            Responsibility.text_fr,
            Responsibility.phase,
            Area.title_en.label("area_title_en"),
        )
        .join(Project, ChecklistItem.project_id == Project.id)
        .join(Customer, Project.customer_id == Customer.id)
        .join(Csm, Project.csm_id == Csm.id)
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .join(Area, Responsibility.area_id == Area.id)
        .outerjoin(Assignee, ChecklistItem.assignee_id == Assignee.id)
        .where(Project.archived_at.is_(None))
        .order_by(ChecklistItem.due_date, ChecklistItem.id)
    )


def _filtered(
    query: sa.Select,
    user: User,
    *,
    party: Party | None,
    csm_id: int | None,
    customer_id: int | None,
) -> sa.Select:
    query = query.where(visible_projects_filter(user))
    if party:
        query = query.where(ChecklistItem.party == party)
    if csm_id:
        query = query.where(Project.csm_id == csm_id)
    if customer_id:
        query = query.where(Project.customer_id == customer_id)
    return query


def overdue_select(
    user: User,
    today: date,
    *,
    party: Party | None = None,
    csm_id: int | None = None,
    customer_id: int | None = None,
) -> sa.Select:
    """Open items past due on the projects ``user`` may see, most overdue first."""
    return _filtered(
        item_rows().where(is_overdue(today)),
        user,
        party=party,
        csm_id=csm_id,
        customer_id=customer_id,
    )


def due_soon_select(
    user: User,
    today: date,
    days: int,
    *,
    party: Party | None = None,
    csm_id: int | None = None,
    customer_id: int | None = None,
) -> sa.Select:
    return _filtered(
        item_rows().where(is_due_soon(today, days)),
        user,
        party=party,
        csm_id=csm_id,
        customer_id=customer_id,
    )


def my_tasks_filter(user: User) -> sa.ColumnElement[bool]:
    """The items that are ``user``'s to do.

    Clients: their company's client items. IMS engineers and partner consultants: their
    party's items on projects they see, assigned to them or to nobody yet. CSMs: items
    assigned to them, and unassigned Infor items of the projects they manage. Admins: items
    assigned to them.
    """
    mine = ChecklistItem.assignee_id == user.id
    unassigned = ChecklistItem.assignee_id.is_(None)
    match user.role:
        case Role.CLIENT:
            return sa.and_(
                ChecklistItem.party == Party.CLIENT, Project.customer_id == user.organisation_id
            )
        case Role.IMS:
            return sa.and_(ChecklistItem.party == Party.IMS, sa.or_(mine, unassigned))
        case Role.PARTNER:
            return sa.and_(ChecklistItem.party == Party.PARTNER, sa.or_(mine, unassigned))
        case Role.CSM:
            return sa.or_(
                mine,
                sa.and_(ChecklistItem.party == Party.INFOR, Project.csm_id == user.id, unassigned),
            )
    return mine


def my_tasks_select(user: User) -> sa.Select:
    return item_rows().where(is_open(), visible_projects_filter(user), my_tasks_filter(user))
