"""Builders for test data, through the same services the application uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

import sqlalchemy as sa

from tracker.admin.services import create_user, save_organisation
from tracker.catalogue.loader import DEFAULT_CATALOGUE, load_catalogue_file
from tracker.catalogue.queries import current_version
from tracker.checklist.services import ItemChange, change_item
from tracker.enums import Deployment, Environment, Implementer, OrganisationKind, Party, Role
from tracker.extensions import db
from tracker.models import ChecklistItem, User
from tracker.projects.services import ProjectData, create_project
from tracker.timeutil import today

PASSWORD = "correct-horse-battery"

# Catalogue rows with an item of the named party on the world's projects (see World).
INFOR_ROW = "welcome_customer"  # Infor on both projects
CLIENT_ROW = "register_for_onboarding_webinar"  # client on both projects
IMS_ROW = "configure_identity_and_access"  # IMS on project_b (client on project_a)
PARTNER_ROW = "lead_implementation"  # partner on project_b (Infor on project_a)


def catalogue():
    """The default catalogue, loaded once per test database."""
    version = current_version() or load_catalogue_file(DEFAULT_CATALOGUE).version
    db.session.commit()
    return version


def organisation(name: str, kind: OrganisationKind = OrganisationKind.CUSTOMER):
    org = save_organisation(None, actor=None, name=name, kind=kind)
    db.session.commit()
    return org


def user(email: str, role: Role, organisation_id: int | None = None, name: str | None = None):
    created = create_user(
        actor=None,
        email=email,
        name=name or email.split("@")[0].replace(".", " ").title(),
        role=role,
        organisation_id=organisation_id,
        password=PASSWORD,
    )
    db.session.commit()
    return created


def project_data(customer_id: int, csm_id: int, **overrides) -> ProjectData:
    start = today()
    values = dict(
        name="Project",
        customer_id=customer_id,
        csm_id=csm_id,
        deployment=Deployment.MULTI_TENANT,
        environment=Environment.PROD,
        ims_contract=False,
        implementer=Implementer.INFOR,
        partner_id=None,
        data_migration=False,
        vpn_required=False,
        kickoff_date=start - timedelta(days=30),
        go_live_date=start + timedelta(days=60),
        ims_scope=None,
    )
    values.update(overrides)
    return ProjectData(**values)


def project(customer_id: int, csm_id: int, **overrides):
    catalogue()
    actor = db.session.get(User, csm_id)
    created = create_project(project_data(customer_id, csm_id, **overrides), actor=actor)
    db.session.commit()
    return created


def change(item: ChecklistItem, *, actor: User, **fields) -> list[str]:
    """``actor`` changes ``item`` through the checklist's use case, based on its current
    version: ``change(item, actor=csm, status=Status.DONE)``."""
    return change_item(item, ItemChange(**fields), actor=actor, version=item.version)


def items_of(project_id: int) -> list[ChecklistItem]:
    return list(
        db.session.scalars(
            sa.select(ChecklistItem)
            .where(ChecklistItem.project_id == project_id)
            .order_by(ChecklistItem.id)
        )
    )


def item_of(project_id: int, row_key: str, party: Party | None = None) -> ChecklistItem:
    """The item of ``project_id`` for catalogue row ``row_key`` (and ``party`` if given)."""
    from tracker.models import Responsibility

    query = (
        sa.select(ChecklistItem)
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .where(ChecklistItem.project_id == project_id, Responsibility.key == row_key)
    )
    if party is not None:
        query = query.where(ChecklistItem.party == party)
    return db.session.scalars(query).one()


@dataclass(frozen=True)
class World:
    """Ids of a small portfolio, one user per role, shared by many tests.

    - customer_a ("Acme Test") has project_a: MT PROD, Infor implements, no IMS, CSM ``csm``.
    - customer_b ("Globex Test") has project_b: MT PROD, IMS contract, partner implements,
      CSM ``csm``.
    - ``other_csm`` manages nothing.
    """

    customer_a: int
    customer_b: int
    partner: int
    other_partner: int
    admin: int
    csm: int
    other_csm: int
    ims: int
    partner_user: int
    other_partner_user: int
    client_a: int
    client_b: int
    project_a: int
    project_b: int

    # Each role's e-mail and the attribute holding its user's id, by role name.
    EMAILS: ClassVar[dict[str, str]] = {}
    USER_IDS: ClassVar[dict[str, str]] = {
        "admin": "admin",
        "csm": "csm",
        "other_csm": "other_csm",
        "ims": "ims",
        "partner": "partner_user",
        "other_partner": "other_partner_user",
        "client_a": "client_a",
        "client_b": "client_b",
    }

    ADMIN = "admin@t.test"
    CSM = "csm@t.test"
    OTHER_CSM = "csm2@t.test"
    IMS = "ims@t.test"
    PARTNER = "partner@northwind.test"
    OTHER_PARTNER = "partner@contoso.test"
    CLIENT_A = "client@acme.test"
    CLIENT_B = "client@globex.test"

    def user_id(self, role: str) -> int:
        return getattr(self, self.USER_IDS[role])


World.EMAILS.update(
    admin=World.ADMIN,
    csm=World.CSM,
    other_csm=World.OTHER_CSM,
    ims=World.IMS,
    partner=World.PARTNER,
    other_partner=World.OTHER_PARTNER,
    client_a=World.CLIENT_A,
    client_b=World.CLIENT_B,
)


def build_world() -> World:
    catalogue()
    customer_a = organisation("Acme Test")
    customer_b = organisation("Globex Test")
    partner = organisation("Northwind Partners", OrganisationKind.PARTNER)
    other_partner = organisation("Contoso Partners", OrganisationKind.PARTNER)
    admin = user(World.ADMIN, Role.ADMIN)
    csm = user(World.CSM, Role.CSM)
    other_csm = user(World.OTHER_CSM, Role.CSM)
    ims = user(World.IMS, Role.IMS)
    partner_user = user(World.PARTNER, Role.PARTNER, partner.id)
    other_partner_user = user(World.OTHER_PARTNER, Role.PARTNER, other_partner.id)
    client_a = user(World.CLIENT_A, Role.CLIENT, customer_a.id)
    client_b = user(World.CLIENT_B, Role.CLIENT, customer_b.id)
    project_a = project(customer_a.id, csm.id, name="Acme rollout")
    project_b = project(
        customer_b.id,
        csm.id,
        name="Globex rollout",
        ims_contract=True,
        implementer=Implementer.PARTNER,
        partner_id=partner.id,
    )
    return World(
        customer_a=customer_a.id,
        customer_b=customer_b.id,
        partner=partner.id,
        other_partner=other_partner.id,
        admin=admin.id,
        csm=csm.id,
        other_csm=other_csm.id,
        ims=ims.id,
        partner_user=partner_user.id,
        other_partner_user=other_partner_user.id,
        client_a=client_a.id,
        client_b=client_b.id,
        project_a=project_a.id,
        project_b=project_b.id,
    )


def edit_form(project, **changes) -> dict[str, str]:
    """The edit form as the browser would post it for ``project``, with ``changes``."""
    data = {
        "name": project.name,
        "customer_id": str(project.customer_id),
        "csm_id": str(project.csm_id),
        "deployment": project.deployment.value,
        "environment": project.environment.value,
        "implementer": project.implementer.value,
        "partner_id": str(project.partner_id or 0),
        "kickoff_date": project.kickoff_date.isoformat(),
        "go_live_date": project.go_live_date.isoformat(),
        "version": str(project.version),
    }
    for flag in ("ims_contract", "data_migration", "vpn_required"):
        if getattr(project, flag):
            data[flag] = "y"
    data.update(changes)
    return data
