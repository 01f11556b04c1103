"""Reads for the portfolio and the project page: a fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, load_only

from tracker.audit.models import Event
from tracker.auth.models import User
from tracker.catalogue.models import Area, Responsibility
from tracker.checklist.models import ChecklistItem
from tracker.enums import Party, Role, Status
from tracker.extensions import db
from tracker.organisations.models import Organisation
from tracker.permissions import assignable_parties, visible_projects_filter
from tracker.projects.models import Project


def portfolio_filter(
    user: User,
    *,
    csm_id: int | None = None,
    customer_id: int | None = None,
    archived: bool = False,
) -> sa.ColumnElement[bool]:
    """The portfolio's WHERE clause: the projects ``user`` may see, active or archived ones,
    of one CSM, of one customer."""
    conditions = [
        visible_projects_filter(user),
        Project.archived_at.is_not(None) if archived else Project.archived_at.is_(None),
    ]
    if csm_id:
        conditions.append(Project.csm_id == csm_id)
    if customer_id:
        conditions.append(Project.customer_id == customer_id)
    return sa.and_(*conditions)


def portfolio_select(user: User, **filters) -> sa.Select:
    """The projects ``user`` may see, soonest go-live first: active ones, or archived ones
    (``ix_projects_active_go_live`` gives the active ones in this order)."""
    return (
        sa.select(Project)
        .options(joinedload(Project.customer), joinedload(Project.csm))
        .where(portfolio_filter(user, **filters))
        .order_by(Project.go_live_date, Project.id)
    )


def portfolio_count(user: User, **filters) -> sa.Select:
    """How many projects ``portfolio_select`` gives, counted without its joins (on
    ``ix_projects_active_go_live`` alone for the active projects)."""
    return sa.select(sa.func.count()).select_from(Project).where(portfolio_filter(user, **filters))


def _visible_customer(user: User) -> sa.ColumnElement[bool]:
    """An organisation that is the customer of a project ``user`` may see. EXISTS, so that
    the first customers by name are found by walking the names' index (a probe of
    ``ix_projects_customer_id`` each), not by listing every project's customer first."""
    return (
        sa.exists()
        .where(Project.customer_id == Organisation.id, visible_projects_filter(user))
        .correlate(Organisation)
    )


# A <select> of customers is offered up to this many; beyond, a text field (with the first
# ones as suggestions), so that a page never lists thousands of customers.
CUSTOMER_OPTIONS_LIMIT = 100
MAX_CUSTOMER_NAME = 120


@dataclass
class CustomerChoice:
    """The customer filter of a page: a <select> of ``options`` when they are all of them
    (``complete``), else a text field with the first ``options`` as suggestions."""

    options: list[tuple[int, str]]
    complete: bool
    selected: int | None = None
    selected_name: str | None = None
    typed: str = ""  # what was typed in the text field, shown again

    def __iter__(self):
        """The options, so that a <select> macro can take the choice as it is."""
        return iter(self.options)

    @property
    def text(self) -> str:
        return self.selected_name or self.typed


def customer_choice(
    user: User, selected: int | None, *, limit: int | None = None
) -> CustomerChoice:
    """The customer filter's options, at most ``limit`` (``CUSTOMER_OPTIONS_LIMIT``; one
    query, whatever the data size): the first customers by name and the selected one."""
    limit = CUSTOMER_OPTIONS_LIMIT if limit is None else limit
    first = (
        sa.select(Organisation.id, Organisation.name, sa.literal(0).label("chosen"))
        .where(_visible_customer(user))
        .order_by(Organisation.name)
        .limit(limit + 1)
    )
    if selected:
        chosen = sa.select(Organisation.id, Organisation.name, sa.literal(1).label("chosen")).where(
            Organisation.id == selected, _visible_customer(user)
        )
        query = sa.union_all(sa.select(first.subquery()), chosen)
    else:
        query = first
    rows = db.session.execute(query).all()
    options = [(row.id, row.name) for row in rows if not row.chosen]
    names = {row.id: row.name for row in rows}
    return CustomerChoice(
        options=options[:limit],
        complete=len(options) <= limit,
        selected=selected,
        selected_name=names.get(selected) if selected else None,
    )


def customer_named(user: User, name: str) -> int | None:
    """The id of the visible customer called ``name`` (any case; or the only one whose name
    starts so), for the customer filter's text field; None when there is none or several."""
    name = name.strip()[:MAX_CUSTOMER_NAME]
    if not name:
        return None
    exact = db.session.scalar(
        sa.select(Organisation.id).where(
            sa.func.lower(Organisation.name) == name.lower(), _visible_customer(user)
        )
    )
    if exact is not None:
        return exact
    pattern = name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = db.session.scalars(
        sa.select(Organisation.id)
        .where(
            sa.func.lower(Organisation.name).like(pattern, escape="\\"),
            _visible_customer(user),
        )
        .limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


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
    if status:
        query = query.where(ChecklistItem.status == status)
    if assignee_id == -1:
        query = query.where(ChecklistItem.assignee_id.is_(None))
    elif assignee_id:
        query = query.where(ChecklistItem.assignee_id == assignee_id)
    if area:
        query = query.where(Area.key == area)
    return [tuple(row) for row in db.session.execute(query)]


def assignable_users_select(project: Project) -> sa.Select[tuple[User]]:
    """The active users who could be assigned some of ``project``'s items: every Infor user
    (admins, CSMs, IMS engineers) and the project's client and partner users. Only what the
    menus and the permissions read of them is loaded: reading another attribute of one of
    them (their e-mail) in the same session costs a statement for each."""
    return (
        sa.select(User)
        .options(load_only(User.name, User.role, User.organisation_id, User.active))
        .where(
            # Not "active IS 1": SQLite takes that equality for a selective term and scans
            # the whole table instead of searching the three indexes of the OR (0.04 ms
            # against 2 ms at 11,000 users).
            User.active.is_not(False),
            sa.or_(
                User.role.in_((Role.ADMIN, Role.CSM, Role.IMS)),
                sa.and_(User.role == Role.CLIENT, User.organisation_id == project.customer_id),
                sa.and_(User.role == Role.PARTNER, User.organisation_id == project.partner_id),
            ),
        )
        .order_by(User.name)
    )


def assignable_users(project: Project) -> dict[Party, list[User]]:
    """Active users who could work each party's items on ``project``, by party."""
    by_party: dict[Party, list[User]] = {party: [] for party in Party}
    for user in db.session.scalars(assignable_users_select(project)):
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
