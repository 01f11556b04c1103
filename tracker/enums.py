"""The tracker's vocabulary: parties, statuses, phases, roles and project attributes."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice


class Labelled(enum.StrEnum):
    """A string enum whose members carry a human label.

    The label is translated lazily (``lazy_gettext``): it reads in the current request's
    language wherever it is shown, and ``str(member.label)`` gives that text. The stored
    value never changes with the language."""

    label: LazyString
    english: str  # the label in English whatever the language (text the tracker stores)

    def __new__(cls, value: str, label: LazyString):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.english = label._args[0]  # lazy_gettext's message
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
    INFOR = "infor", _l("Infor")
    CLIENT = "client", _l("Client")
    IMS = "ims", _l("IMS")
    PARTNER = "partner", _l("Partner")


class Status(Labelled):
    TODO = "todo", _l("To do")
    IN_PROGRESS = "in_progress", _l("In progress")
    BLOCKED = "blocked", _l("Blocked")
    DONE = "done", _l("Done")
    NOT_APPLICABLE = "not_applicable", _l("Not applicable")

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES

    @property
    def needs_reason(self) -> bool:
        return self in (Status.BLOCKED, Status.NOT_APPLICABLE)


OPEN_STATUSES = (Status.TODO, Status.IN_PROGRESS, Status.BLOCKED)
CLOSED_STATUSES = (Status.DONE, Status.NOT_APPLICABLE)


class Phase(Labelled):
    ONBOARDING = "onboarding", _l("Onboarding")
    PROVISIONING = "provisioning", _l("Provisioning")
    IMPLEMENTATION = "implementation", _l("Implementation")
    GO_LIVE = "go_live", _l("Go-live")
    OPERATIONS = "operations", _l("Operations")


PHASE_ORDER = {phase: index for index, phase in enumerate(Phase)}


class ReviewRhythm(Labelled):
    """How often a standing responsibility (an operations row, after go-live) is reviewed."""

    MONTHLY = "monthly", _l("Monthly")
    QUARTERLY = "quarterly", _l("Quarterly")
    YEARLY = "yearly", _l("Yearly")

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "yearly": 12}[self.value]


class Role(Labelled):
    ADMIN = "admin", _l("Administrator")
    CSM = "csm", _l("Customer Success Manager")
    IMS = "ims", _l("IMS engineer")
    PARTNER = "partner", _l("Partner consultant")
    CLIENT = "client", _l("Client user")


class OrganisationKind(Labelled):
    CUSTOMER = "customer", _l("Customer")
    PARTNER = "partner", _l("Implementation partner")


class Deployment(Labelled):
    MULTI_TENANT = "multi_tenant", _l("Multi-tenant (MT)")
    SINGLE_TENANT = "single_tenant", _l("Single-tenant")


class Environment(Labelled):
    PROD = "prod", _l("PROD")
    PRE_PROD = "pre_prod", _l("PRE-PROD")


class Implementer(Labelled):
    INFOR = "infor", _l("Infor professional services")
    PARTNER = "partner", _l("Implementation partner")


class Condition(Labelled):
    """When a catalogue row applies to a project."""

    MULTI_TENANT = "multi_tenant", _l("Multi-tenant deployments only")
    NOT_PRE_PROD = "not_pre_prod", _l("Not for PRE-PROD environments")
    IMS_CONTRACT = "ims_contract", _l("Only with an IMS contract")
    DATA_MIGRATION = "data_migration", _l("Only with a data migration (DMF)")
    VPN_REQUIRED = "vpn_required", _l("Only when a VPN is required")


class Anchor(Labelled):
    """The project milestone a due date is counted from."""

    KICKOFF = "kickoff", _l("Kickoff")
    GO_LIVE = "go_live", _l("Go-live")


class CatalogueParty(Labelled):
    """A party mark on a catalogue row; ``implementer`` resolves to Infor or the partner."""

    INFOR = "infor", _l("Infor")
    CLIENT = "client", _l("Client")
    IMS = "ims", _l("IMS")
    IMPLEMENTER = "implementer", _l("Implementer (Infor or partner)")


class Confidence(Labelled):
    HIGH = "high", _l("High")
    MEDIUM = "medium", _l("Medium")
    LOW = "low", _l("Low")


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
