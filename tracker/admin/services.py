"""Keeping users and organisations. Services flush and never commit."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.auth.models import User
from tracker.enums import OrganisationKind, Role
from tracker.errors import RuleError
from tracker.extensions import db
from tracker.organisations.models import Organisation

REQUIRED_KIND = {Role.CLIENT: OrganisationKind.CUSTOMER, Role.PARTNER: OrganisationKind.PARTNER}
_BELONGS_TO = {
    Role.CLIENT: _l("A client user belongs to a customer."),
    Role.PARTNER: _l("A partner consultant belongs to an implementation partner."),
}


def _check_organisation(role: Role, organisation_id: int | None) -> int | None:
    kind = REQUIRED_KIND.get(role)
    if kind is None:
        return None  # Infor staff and IMS engineers belong to no customer or partner
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or organisation.kind is not kind:
        raise RuleError("organisation_id", str(_BELONGS_TO[role]))
    return organisation.id


def _check_email(email: str, user_id: int | None = None) -> str:
    email = email.strip().lower()
    clash = db.session.scalar(sa.select(User.id).where(User.email == email))
    if clash is not None and clash != user_id:
        raise RuleError("email", _("Another user has this email address."))
    return email


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    organisation_id: int | None,
    password: str,
    active: bool = True,
) -> User:
    if not password:
        raise RuleError("password", _("Set a password for the new user."))
    user = User(
        email=_check_email(email),
        name=name.strip(),
        role=role,
        organisation_id=_check_organisation(role, organisation_id),
        active=active,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(
    user: User,
    *,
    actor: User,
    email: str,
    name: str,
    role: Role,
    organisation_id: int | None,
    password: str | None,
    active: bool,
) -> None:
    if user.id == actor.id and (not active or role is not Role.ADMIN):
        raise RuleError("role", _("You cannot demote or deactivate yourself."))
    user.email = _check_email(email, user.id)
    user.name = name.strip()
    user.role = role
    user.organisation_id = _check_organisation(role, organisation_id)
    user.active = active
    if password:
        user.set_password(password)
    db.session.flush()


def save_organisation(
    organisation: Organisation | None, *, name: str, kind: OrganisationKind
) -> Organisation:
    name = name.strip()
    clash = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == name))
    if clash is not None and (organisation is None or clash != organisation.id):
        raise RuleError("name", _("Another organisation has this name."))
    if organisation is None:
        organisation = Organisation(name=name, kind=kind)
        db.session.add(organisation)
    else:
        if organisation.kind is not kind and _in_use(organisation):
            raise RuleError(
                "kind", _("This organisation has projects or users: its kind is fixed.")
            )
        organisation.name = name
        organisation.kind = kind
    db.session.flush()
    return organisation


def _in_use(organisation: Organisation) -> bool:
    from tracker.projects.models import Project

    users = db.session.scalar(
        sa.select(sa.func.count()).where(User.organisation_id == organisation.id)
    )
    projects = db.session.scalar(
        sa.select(sa.func.count()).where(
            sa.or_(Project.customer_id == organisation.id, Project.partner_id == organisation.id)
        )
    )
    return bool(users or projects)
