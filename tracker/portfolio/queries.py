"""The portfolio: which projects a user sees, with the filters every list of projects and
items shares (CSM, customer). A fixed number of queries per page, whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import CatalogueVersion, GoLiveSignOff, Organisation, Project, User
from tracker.permissions import visible_projects_filter


def portfolio_filter(
    user: User,
    *,
    csm_id: int | None = None,
    customer_id: int | None = None,
    archived: bool = False,
    catalogue_version: int | None = None,
    behind: bool = False,
    go_live: str | None = None,
) -> sa.ColumnElement[bool]:
    """The portfolio's WHERE clause: the projects ``user`` may see, active or archived ones,
    of one CSM, of one customer, on one catalogue version (its number), or behind the
    newest version, or in one go-live state (``GO_LIVE_STATES``)."""
    conditions = [
        visible_projects_filter(user),
        Project.archived_at.is_not(None) if archived else Project.archived_at.is_(None),
    ]
    if csm_id:
        conditions.append(Project.csm_id == csm_id)
    if customer_id:
        conditions.append(Project.customer_id == customer_id)
    if catalogue_version:
        conditions.append(
            Project.catalogue_version_id.in_(
                sa.select(CatalogueVersion.id).where(CatalogueVersion.number == catalogue_version)
            )
        )
    if behind:
        newest = sa.select(CatalogueVersion.id).order_by(CatalogueVersion.number.desc()).limit(1)
        conditions.append(Project.catalogue_version_id != newest.scalar_subquery())
    if go_live in GO_LIVE_STATES:
        conditions.append(go_live_state_filter(go_live))
    return sa.and_(*conditions)


# The portfolio's go-live filter: waiting for the client's sign-off, signed off (and not yet
# live), live.
GO_LIVE_STATES = ("waiting", "signed_off", "live")


def go_live_state_filter(state: str) -> sa.ColumnElement[bool]:
    """A WHERE clause on ``Project``: the projects in go-live ``state``."""
    if state == "live":
        return Project.went_live_on.is_not(None)
    signed = sa.exists().where(GoLiveSignOff.project_id == Project.id).correlate(Project)
    return sa.and_(Project.went_live_on.is_(None), signed if state == "signed_off" else ~signed)


def sign_offs_of(project_ids) -> dict[int, GoLiveSignOff]:
    """The sign-offs of the projects ``project_ids`` (ids, or a SELECT of them), by project:
    one query."""
    return {
        sign_off.project_id: sign_off
        for sign_off in db.session.scalars(
            sa.select(GoLiveSignOff)
            .where(GoLiveSignOff.project_id.in_(project_ids))
            .options(joinedload(GoLiveSignOff.signed_by))
        )
    }


@dataclass(frozen=True)
class CsmRating:
    csm: str
    ratings: int
    average: float


def ratings_by_csm(user: User) -> list[CsmRating]:
    """The clients' ratings of their onboarding at sign-off, per CSM, over the projects
    ``user`` sees (archived ones too): how many and their average, best first. One query."""
    rows = db.session.execute(
        sa.select(User.name, sa.func.count(GoLiveSignOff.rating), sa.func.avg(GoLiveSignOff.rating))
        .select_from(GoLiveSignOff)
        .join(Project, GoLiveSignOff.project_id == Project.id)
        .join(User, Project.csm_id == User.id)
        .where(GoLiveSignOff.rating.is_not(None), visible_projects_filter(user))
        .group_by(User.id, User.name)
        .order_by(sa.func.avg(GoLiveSignOff.rating).desc(), User.name)
    )
    return [CsmRating(name, count, float(average)) for name, count, average in rows]


def catalogue_version_numbers() -> sa.Select[tuple[int]]:
    """The catalogue versions' numbers, newest first: the portfolio's version filter."""
    return sa.select(CatalogueVersion.number).order_by(CatalogueVersion.number.desc())


def portfolio_select(user: User, **filters) -> sa.Select:
    """The projects ``user`` may see, soonest go-live first: active ones, or archived ones
    (``ix_projects_active_go_live`` gives the active ones in this order)."""
    return (
        sa.select(Project)
        .options(
            joinedload(Project.customer),
            joinedload(Project.csm),
            joinedload(Project.catalogue_version),
        )
        .where(portfolio_filter(user, **filters))
        .order_by(Project.go_live_date, Project.id)
    )


def portfolio_ids(user: User, **filters) -> sa.Select[tuple[int]]:
    """The ids of the projects ``portfolio_select`` gives, as a subquery's SELECT."""
    return sa.select(Project.id).where(portfolio_filter(user, **filters))


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
