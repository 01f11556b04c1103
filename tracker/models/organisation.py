from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.enums import OrganisationKind, enum_column
from tracker.extensions import db
from tracker.timeutil import utcnow


class Organisation(db.Model):
    """A customer company, or an implementation partner."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "organisation_kind")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The projects of which it is the customer or the implementation partner (read only):
    # a few per organisation; their CSMs are whom its people page is for
    # (tracker.permissions.can_manage_people).
    # (Named by string: tracker.models.project imports this module.)
    projects: Mapped[list[Project]] = relationship(  # noqa: F821
        primaryjoin="or_(Organisation.id == foreign(Project.customer_id), "
        "Organisation.id == foreign(Project.partner_id))",
        viewonly=True,
        lazy="select",
    )

    @property
    def is_customer(self) -> bool:
        return self.kind is OrganisationKind.CUSTOMER

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r} {self.kind.value}>"
