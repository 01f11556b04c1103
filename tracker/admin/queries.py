"""Reads for the administration pages: users, organisations, and the checks of their
uniqueness."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Organisation, Project, User


def users_select() -> sa.Select[tuple[User]]:
    """Every user with their organisation, active ones first, by name."""
    return (
        sa.select(User)
        .options(joinedload(User.organisation))
        .order_by(User.active.desc(), User.name)
    )


def organisations_select() -> sa.Select[tuple[Organisation]]:
    """Every organisation, customers then partners, by name."""
    return sa.select(Organisation).order_by(Organisation.kind, Organisation.name)


def organisations_by_name() -> sa.Select[tuple[Organisation]]:
    return sa.select(Organisation).order_by(Organisation.name)


def organisation_named(name: str) -> int | None:
    """The id of the organisation called ``name``, if any."""
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name))


def organisation_in_use(organisation_id: int) -> bool:
    """Whether some user belongs to the organisation, or some project is its customer's or
    its partner's."""
    users = sa.exists().where(User.organisation_id == organisation_id)
    projects = sa.exists().where(
        sa.or_(Project.customer_id == organisation_id, Project.partner_id == organisation_id)
    )
    return bool(db.session.scalar(sa.select(sa.or_(users, projects))))


def users_exist() -> sa.Select[tuple[bool]]:
    """Whether the installation has any user yet."""
    return sa.select(sa.exists().where(User.id.is_not(None)))
