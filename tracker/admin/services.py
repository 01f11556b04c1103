"""Keeping users and organisations: the administration's use cases.

Each takes the acting user (None, where a command or the demo data acts as the installation
itself: creating users and organisations), enforces the permissions and rules itself, and
raises a refusal (tracker.errors) when the change cannot be made. Services flush and never
commit.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.admin.queries import organisation_in_use, organisation_named
from tracker.auth.queries import user_by_email
from tracker.boundary import flush
from tracker.enums import OrganisationKind, Role
from tracker.errors import NotAllowed, RuleBroken
from tracker.extensions import db
from tracker.models import Organisation, User
from tracker.permissions import (
    can_edit_organisation,
    can_manage_organisations,
    can_manage_users,
    is_admin,
)

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
        raise RuleBroken("organisation_id", str(_BELONGS_TO[role]))
    return organisation.id


def _check_email(email: str, user_id: int | None = None) -> str:
    email = email.strip().lower()
    found = user_by_email(email)
    clash = found.id if found is not None else None
    if clash is not None and clash != user_id:
        raise RuleBroken("email", _("Another user has this email address."))
    return email


def _check_lead(role: Role, is_lead: bool) -> bool:
    if is_lead and role not in REQUIRED_KIND:
        raise RuleBroken("is_lead", _("Only client users and partner consultants can be leads."))
    return is_lead


def _require_user_manager(actor: User | None) -> None:
    if actor is not None and not can_manage_users(actor):
        raise NotAllowed(_("Only administrators manage users."))


def create_user(
    *,
    actor: User | None,
    email: str,
    name: str,
    role: Role,
    organisation_id: int | None,
    password: str,
    active: bool = True,
    is_lead: bool = False,
) -> User:
    """A new user, who signs in with ``password``."""
    _require_user_manager(actor)
    if not password:
        raise RuleBroken("password", _("Set a password for the new user."))
    user = User(
        email=_check_email(email),
        name=name.strip(),
        role=role,
        organisation_id=_check_organisation(role, organisation_id),
        active=active,
        is_lead=_check_lead(role, is_lead),
    )
    user.set_password(password)
    db.session.add(user)
    flush()
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
    is_lead: bool = False,
) -> None:
    """Change ``user``'s details, role, organisation, lead or not, password or whether they
    may sign in; administrators cannot demote or deactivate themselves."""
    _require_user_manager(actor)
    if user.id == actor.id and (not active or role is not Role.ADMIN):
        raise RuleBroken("role", _("You cannot demote or deactivate yourself."))
    user.email = _check_email(email, user.id)
    user.name = name.strip()
    user.role = role
    user.organisation_id = _check_organisation(role, organisation_id)
    user.is_lead = _check_lead(role, is_lead)
    if user.active and not active:
        user.end_sessions()  # signed out everywhere; reactivating does not revive them
    user.active = active
    if password:
        user.set_password(password)
    flush()


def save_organisation(
    organisation: Organisation | None,
    *,
    actor: User | None,
    name: str,
    kind: OrganisationKind,
) -> Organisation:
    """Create (``organisation`` None) or rename an organisation: administrators keep
    customers and partners, CSMs add and rename customers."""
    if actor is not None:
        allowed = (
            can_edit_organisation(actor, organisation)
            if organisation is not None
            else can_manage_organisations(actor)
        )
        if not allowed:
            raise NotAllowed(_("You do not have permission to do this."))
        if not is_admin(actor) and kind is not OrganisationKind.CUSTOMER:
            raise NotAllowed(_("Only administrators keep implementation partners."))
    name = name.strip()
    clash = organisation_named(name)
    if clash is not None and (organisation is None or clash != organisation.id):
        raise RuleBroken("name", _("Another organisation has this name."))
    if organisation is None:
        organisation = Organisation(name=name, kind=kind)
        db.session.add(organisation)
    else:
        if organisation.kind is not kind and _in_use(organisation):
            raise RuleBroken(
                "kind", _("This organisation has projects or users: its kind is fixed.")
            )
        organisation.name = name
        organisation.kind = kind
    flush()
    return organisation


def _in_use(organisation: Organisation) -> bool:
    return organisation_in_use(organisation.id)
