"""Item lists across projects, as flat rows joined in SQL (one query per list)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.checklist.queries import is_due_soon, is_open, is_overdue
from tracker.enums import Party, Role
from tracker.models import Area, ChecklistItem, Organisation, Project, Responsibility, User
from tracker.permissions import answerable_party, is_infor_staff, visible_projects_filter

Customer = aliased(Organisation, name="customer")
Csm = aliased(User, name="csm")
Assignee = aliased(User, name="assignee")


def item_rows() -> sa.Select:
    """Items with what a list needs to show them: project, customer, CSM, row, assignee;
    each list adds its own WHERE."""
    return (
        sa.select(
            ChecklistItem.id,
            ChecklistItem.party,
            ChecklistItem.accountable,
            ChecklistItem.contributors,
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
            Area.title_fr.label("area_title_fr"),  # pages show the reader's language
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


def project_scope(
    user: User, *, csm_id: int | None = None, customer_id: int | None = None
) -> sa.ColumnElement[bool]:
    """A WHERE clause on ``ChecklistItem.project_id`` alone: items of the active projects
    ``user`` may see (of one CSM, of one customer).

    It needs no join to ``Project``, so counts read the items' indexes only. For Infor
    staff without a project filter it excludes the few archived projects (``NOT IN``, a
    small hashed set); otherwise it keeps the projects that qualify (``IN``), which the
    planner drives from (``ix_projects_csm_id``, ``ix_projects_customer_id``, then the open
    items of each project in ``ix_checklist_items_open_project``).
    """
    conditions = []
    if csm_id:
        conditions.append(Project.csm_id == csm_id)
    if customer_id:
        conditions.append(Project.customer_id == customer_id)
    if is_infor_staff(user) and not conditions:
        return ChecklistItem.project_id.not_in(
            sa.select(Project.id).where(Project.archived_at.is_not(None))
        )
    return ChecklistItem.project_id.in_(
        sa.select(Project.id).where(
            visible_projects_filter(user), Project.archived_at.is_(None), *conditions
        )
    )


def _filtered(
    query: sa.Select,
    user: User,
    *,
    party: Party | None,
    csm_id: int | None,
    customer_id: int | None,
    accountable: Party | None = None,
) -> sa.Select:
    """``query`` (on items joined to their ``Project``, as ``item_rows``) restricted to
    ``user``'s projects (one CSM's, one customer's), to one party's items and to the items
    one party answers for."""
    query = query.where(visible_projects_filter(user))
    if party:
        query = query.where(ChecklistItem.party == party)
    if accountable:
        query = query.where(ChecklistItem.accountable == accountable)
    if csm_id:
        query = query.where(Project.csm_id == csm_id)
    if customer_id:
        query = query.where(Project.customer_id == customer_id)
    return query


def _counted(
    condition: sa.ColumnElement[bool],
    user: User,
    *,
    party: Party | None = None,
    csm_id: int | None = None,
    customer_id: int | None = None,
    accountable: Party | None = None,
) -> sa.Select:
    """``SELECT count(*)`` of the items matching ``condition`` on ``user``'s active projects
    (one CSM's, one customer's), of one party (that one party answers for): the count of a
    ``_filtered`` list, on the items' indexes alone.

    For Infor staff without a project filter, it counts every matching item less those of
    the (few) archived projects: two index-only counts, about half the time of testing tens
    of thousands of items against the archived set one by one.
    """
    conditions = [condition]
    if party:
        conditions.append(ChecklistItem.party == party)
    if accountable:
        conditions.append(ChecklistItem.accountable == accountable)
    if is_infor_staff(user) and not csm_id and not customer_id:
        archived = sa.select(Project.id).where(Project.archived_at.is_not(None))
        everything = count_items(sa.and_(*conditions))
        in_archived = count_items(sa.and_(*conditions, ChecklistItem.project_id.in_(archived)))
        return sa.select(everything.scalar_subquery() - in_archived.scalar_subquery())
    conditions.append(project_scope(user, csm_id=csm_id, customer_id=customer_id))
    return count_items(sa.and_(*conditions))


def count_items(condition: sa.ColumnElement[bool]) -> sa.Select:
    """``SELECT count(*)`` of the items matching ``condition`` (a clause on items alone)."""
    return sa.select(sa.func.count()).select_from(ChecklistItem).where(condition)


def overdue_select(
    user: User,
    today: date,
    *,
    party: Party | None = None,
    csm_id: int | None = None,
    customer_id: int | None = None,
    accountable: Party | None = None,
) -> sa.Select:
    """Open items past due on the projects ``user`` may see, most overdue first."""
    return _filtered(
        item_rows().where(is_overdue(today)),
        user,
        party=party,
        csm_id=csm_id,
        customer_id=customer_id,
        accountable=accountable,
    )


def overdue_count(user: User, today: date, **filters) -> sa.Select:
    """How many rows ``overdue_select`` gives, counted on the items' indexes (no join)."""
    return _counted(is_overdue(today), user, **filters)


def due_soon_select(
    user: User,
    today: date,
    days: int,
    *,
    party: Party | None = None,
    csm_id: int | None = None,
    customer_id: int | None = None,
    accountable: Party | None = None,
) -> sa.Select:
    return _filtered(
        item_rows().where(is_due_soon(today, days)),
        user,
        party=party,
        csm_id=csm_id,
        customer_id=customer_id,
        accountable=accountable,
    )


def due_soon_count(user: User, today: date, days: int, **filters) -> sa.Select:
    """How many rows ``due_soon_select`` gives, counted on the items' indexes (no join)."""
    return _counted(is_due_soon(today, days), user, **filters)


def my_tasks_filter(user: User) -> sa.ColumnElement[bool]:
    """The items that are ``user``'s to do (a clause on items joined to their ``Project``,
    as in ``item_rows``).

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
            # Both sides of the OR on the items' own columns, each with an index (the
            # assignee's; the open items of the CSM's projects): SQLite then reads the two
            # index ranges (MULTI-INDEX OR) rather than every project.
            managed = sa.select(Project.id).where(Project.csm_id == user.id)
            return sa.or_(
                mine,
                sa.and_(
                    ChecklistItem.project_id.in_(managed),
                    ChecklistItem.party == Party.INFOR,
                    unassigned,
                ),
            )
    return mine


def answerable_filter(user: User) -> sa.ColumnElement[bool]:
    """The items ``user``'s side answers for, whoever does them (a clause on items joined to
    their ``Project``, as in ``item_rows``): clients, their company's (IMS's work for it
    included); IMS engineers and partner consultants, their party's on the projects they
    see; CSMs, Infor's on the projects they manage (a partner's implementation included).
    Administrators answer for no side: nothing."""
    party = answerable_party(user)
    if party is None:
        return sa.false()
    answerable = ChecklistItem.accountable == party
    match user.role:
        case Role.CLIENT:
            return sa.and_(answerable, Project.customer_id == user.organisation_id)
        case Role.CSM:
            managed = sa.select(Project.id).where(Project.csm_id == user.id)
            return sa.and_(answerable, ChecklistItem.project_id.in_(managed))
    return answerable


def my_tasks_select(user: User, *, answerable: bool = False) -> sa.Select:
    """``user``'s open tasks; ``answerable``: the open items their side answers for."""
    mine = answerable_filter(user) if answerable else my_tasks_filter(user)
    return item_rows().where(is_open(), visible_projects_filter(user), mine)


def answerable_count(user: User) -> sa.Select:
    """How many rows ``my_tasks_select(user, answerable=True)`` gives, counted on the items'
    indexes (no join)."""
    party = answerable_party(user)
    if party is None:
        return count_items(sa.false())
    if user.role is Role.CSM:
        managed = sa.select(Project.id).where(
            Project.csm_id == user.id, Project.archived_at.is_(None)
        )
        return count_items(
            sa.and_(
                is_open(),
                ChecklistItem.project_id.in_(managed),
                ChecklistItem.accountable == party,
            )
        )
    return _counted(is_open(), user, accountable=party)


def my_tasks_count(user: User) -> sa.Select:
    """How many rows ``my_tasks_select`` gives, counted on the items' indexes (no join).

    A CSM's tasks are two disjoint sets (assigned to them; unassigned Infor items of their
    projects), counted apart so that each uses an index of its own: one count with an OR
    between them reads every open item on PostgreSQL.
    """
    mine = ChecklistItem.assignee_id == user.id
    unassigned = ChecklistItem.assignee_id.is_(None)
    active = Project.archived_at.is_(None)
    match user.role:
        case Role.CLIENT:
            return _counted(is_open(), user, party=Party.CLIENT)
        case Role.IMS | Role.PARTNER:
            party = Party.IMS if user.role is Role.IMS else Party.PARTNER
            return count_items(
                sa.and_(
                    is_open(),
                    project_scope(user),
                    ChecklistItem.party == party,
                    sa.or_(mine, unassigned),
                )
            )
        case Role.CSM:
            assigned = count_items(sa.and_(is_open(), project_scope(user), mine))
            managed = sa.select(Project.id).where(Project.csm_id == user.id, active)
            waiting = count_items(
                sa.and_(
                    is_open(),
                    ChecklistItem.project_id.in_(managed),
                    ChecklistItem.party == Party.INFOR,
                    unassigned,
                )
            )
            return sa.select(assigned.scalar_subquery() + waiting.scalar_subquery())
    return count_items(sa.and_(is_open(), project_scope(user), mine))
