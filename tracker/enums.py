"""The tracker's vocabulary: parties, statuses, phases, roles and project attributes."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from wtforms import SelectChoice


class Labelled(enum.StrEnum):
    """A string enum whose members carry a human label."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """Choices for a WTForms select or radio field."""
        return [SelectChoice(m.value, m.label) for m in cls]

    @classmethod
    def options(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for hand-written selects in templates."""
        return [(m.value, m.label) for m in cls]


class Party(Labelled):
    INFOR = "infor", "Infor"
    CLIENT = "client", "Client"
    IMS = "ims", "IMS"
    PARTNER = "partner", "Partner"


class Status(Labelled):
    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"
    NOT_APPLICABLE = "not_applicable", "Not applicable"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES

    @property
    def needs_reason(self) -> bool:
        return self in (Status.BLOCKED, Status.NOT_APPLICABLE)


OPEN_STATUSES = (Status.TODO, Status.IN_PROGRESS, Status.BLOCKED)
CLOSED_STATUSES = (Status.DONE, Status.NOT_APPLICABLE)


class Phase(Labelled):
    ONBOARDING = "onboarding", "Onboarding"
    PROVISIONING = "provisioning", "Provisioning"
    IMPLEMENTATION = "implementation", "Implementation"
    GO_LIVE = "go_live", "Go-live"
    OPERATIONS = "operations", "Operations"


PHASE_ORDER = {phase: index for index, phase in enumerate(Phase)}


class Role(Labelled):
    ADMIN = "admin", "Administrator"
    CSM = "csm", "Customer Success Manager"
    IMS = "ims", "IMS engineer"
    PARTNER = "partner", "Partner consultant"
    CLIENT = "client", "Client user"


class OrganisationKind(Labelled):
    CUSTOMER = "customer", "Customer"
    PARTNER = "partner", "Implementation partner"


class Deployment(Labelled):
    MULTI_TENANT = "multi_tenant", "Multi-tenant (MT)"
    SINGLE_TENANT = "single_tenant", "Single-tenant"


class Environment(Labelled):
    PROD = "prod", "PROD"
    PRE_PROD = "pre_prod", "PRE-PROD"


class Implementer(Labelled):
    INFOR = "infor", "Infor professional services"
    PARTNER = "partner", "Implementation partner"


class Condition(Labelled):
    """When a catalogue row applies to a project."""

    MULTI_TENANT = "multi_tenant", "Multi-tenant deployments only"
    NOT_PRE_PROD = "not_pre_prod", "Not for PRE-PROD environments"
    IMS_CONTRACT = "ims_contract", "Only with an IMS contract"
    DATA_MIGRATION = "data_migration", "Only with a data migration (DMF)"
    VPN_REQUIRED = "vpn_required", "Only when a VPN is required"


class Anchor(Labelled):
    """The project milestone a due date is counted from."""

    KICKOFF = "kickoff", "Kickoff"
    GO_LIVE = "go_live", "Go-live"


class CatalogueParty(Labelled):
    """A party mark on a catalogue row; ``implementer`` resolves to Infor or the partner."""

    INFOR = "infor", "Infor"
    CLIENT = "client", "Client"
    IMS = "ims", "IMS"
    IMPLEMENTER = "implementer", "Implementer (Infor or partner)"


class Confidence(Labelled):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enum column: a VARCHAR with a CHECK constraint holding the values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
