"""Reads for the API and its tokens: what a token opens, and the lists the API pages through,
each restricted to what the token's user may see."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.checklist.queries import is_overdue
from tracker.dashboard.queries import overdue_select
from tracker.enums import OrganisationKind
from tracker.extensions import db
from tracker.models import (
    ApiToken,
    Area,
    ChecklistItem,
    Organisation,
    Project,
    Responsibility,
    User,
    hash_api_token,
)
from tracker.permissions import is_infor_staff, visible_projects_filter


def token_with_value(value: str) -> ApiToken | None:
    """The token whose value is ``value`` (only its hash is stored)."""
    return db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_api_token(value))
    )


def token_of(user: User, token_id: int) -> ApiToken | None:
    """``user``'s token ``token_id``: None for another user's, as for none."""
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None


def tokens_select(user: User) -> sa.Select[tuple[ApiToken]]:
    """``user``'s tokens, active ones first, newest first."""
    return (
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    )


def active_token_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )


def visible_customers(user: User) -> sa.Select[tuple[Organisation]]:
    """The customers ``user`` may see: all of them for Infor staff, else those of the
    projects they see."""
    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.CUSTOMER)
    if not is_infor_staff(user):
        query = query.where(
            Organisation.id.in_(sa.select(Project.customer_id).where(visible_projects_filter(user)))
        )
    return query


def customers_page(user: User, *, after: int | None, limit: int) -> sa.Select[tuple[Organisation]]:
    """A page of ``visible_customers`` by id, after the id ``after``; one more than ``limit``
    tells whether there is a next page."""
    query = visible_customers(user).order_by(Organisation.id).limit(limit + 1)
    return query.where(Organisation.id > after) if after else query


def projects_page(
    user: User,
    *,
    archived: bool,
    customer: int | None,
    csm: int | None,
    after: int | None,
    limit: int,
) -> sa.Select[tuple[Project]]:
    """A page of the projects ``user`` may see (archived ones, or the others), by id."""
    query = (
        sa.select(Project)
        .options(
            joinedload(Project.customer),
            joinedload(Project.csm),
            joinedload(Project.partner),
            joinedload(Project.catalogue_version),
        )
        .where(visible_projects_filter(user))
        .where(Project.archived_at.is_not(None) if archived else Project.archived_at.is_(None))
        .order_by(Project.id)
        .limit(limit + 1)
    )
    if after:
        query = query.where(Project.id > after)
    if customer:
        query = query.where(Project.customer_id == customer)
    if csm:
        query = query.where(Project.csm_id == csm)
    return query


def items_select(user: User) -> sa.Select[tuple[ChecklistItem, Responsibility, Area, Project]]:
    """Items of the projects ``user`` may see, each with its row, area and project."""
    return (
        sa.select(ChecklistItem, Responsibility, Area, Project)
        .join(Project, ChecklistItem.project_id == Project.id)
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .join(Area, Responsibility.area_id == Area.id)
        .options(joinedload(ChecklistItem.assignee), joinedload(ChecklistItem.completed_by))
        .where(visible_projects_filter(user))
    )


def items_page(user: User, on: date, query) -> sa.Select:
    """A page of the items of active projects ``user`` may see, by id, as ``query``
    (tracker.api.params.ItemQuery) filters them."""
    select = items_select(user).where(Project.archived_at.is_(None)).order_by(ChecklistItem.id)
    if query.after:
        select = select.where(ChecklistItem.id > query.after)
    if query.project:
        select = select.where(ChecklistItem.project_id == query.project)
    if query.party:
        select = select.where(ChecklistItem.party == query.party)
    if query.accountable:
        select = select.where(ChecklistItem.accountable == query.accountable)
    if query.status:
        select = select.where(ChecklistItem.status == query.status)
    if query.overdue is not None:
        select = select.where(is_overdue(on) if query.overdue else sa.not_(is_overdue(on)))
    if query.due_before:
        select = select.where(ChecklistItem.due_date <= query.due_before)
    if query.due_after:
        select = select.where(ChecklistItem.due_date >= query.due_after)
    if query.assignee is not None:
        select = select.where(
            ChecklistItem.assignee_id == query.assignee
            if query.assignee
            else ChecklistItem.assignee_id.is_(None)
        )
    return select.limit(query.limit + 1)


def overdue_page(user: User, on: date, query) -> sa.Select:
    """The ids of a page of overdue items ``user`` may see, most overdue first, after the
    cursor (due date, id) of ``query`` (tracker.api.params.OverdueQuery)."""
    select = overdue_select(
        user,
        on,
        party=query.party,
        accountable=query.accountable,
        csm_id=query.csm,
        customer_id=query.customer,
    )
    if query.after is not None:
        select = select.where(
            sa.tuple_(ChecklistItem.due_date, ChecklistItem.id)
            > sa.tuple_(sa.literal(query.after.due_date), sa.literal(query.after.id))
        )
    return select.limit(query.limit + 1)
