from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.enums import (
    Anchor,
    CatalogueParty,
    Condition,
    Confidence,
    Phase,
    ReviewRhythm,
    enum_column,
)
from tracker.extensions import db
from tracker.timeutil import utcnow


class CatalogueVersion(db.Model):
    """One loaded state of the catalogue. Projects keep the version they were created from."""

    __tablename__ = "catalogue_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    checksum: Mapped[str] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.String(255))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    areas: Mapped[list[Area]] = relationship(
        back_populates="version", order_by="Area.position", cascade="all, delete-orphan"
    )


class Area(db.Model):
    """A section of the catalogue (e.g. "Provisionnement")."""

    __tablename__ = "catalogue_areas"
    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_versions.id"))
    key: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int]
    title_fr: Mapped[str] = mapped_column(sa.Text)
    title_en: Mapped[str] = mapped_column(sa.Text)
    note_fr: Mapped[str | None] = mapped_column(sa.Text)
    note_en: Mapped[str | None] = mapped_column(sa.Text)

    version: Mapped[CatalogueVersion] = relationship(back_populates="areas")
    responsibilities: Mapped[list[Responsibility]] = relationship(
        back_populates="area", order_by="Responsibility.position", cascade="all, delete-orphan"
    )


class Responsibility(db.Model):
    """A row of the catalogue: one responsibility, its parties and when it applies."""

    __tablename__ = "responsibilities"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "key"),
        sa.CheckConstraint(
            "party_infor OR party_client OR party_ims OR party_implementer", name="has_party"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_versions.id"), index=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_areas.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int]
    seed_row: Mapped[int | None]
    text_fr: Mapped[str] = mapped_column(sa.Text)
    text_en: Mapped[str] = mapped_column(sa.Text)
    party_infor: Mapped[bool] = mapped_column(default=False)
    party_client: Mapped[bool] = mapped_column(default=False)
    party_ims: Mapped[bool] = mapped_column(default=False)
    party_implementer: Mapped[bool] = mapped_column(default=False)
    ims_eligible: Mapped[bool] = mapped_column(default=False)
    # False for a row whose items need not be closed before go-live (tracker.golive).
    blocks_go_live: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    condition: Mapped[Condition | None] = mapped_column(enum_column(Condition, "condition"))
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, "phase"))
    due_anchor: Mapped[Anchor] = mapped_column(enum_column(Anchor, "anchor"))
    due_offset_days: Mapped[int]
    marks_inferred: Mapped[bool] = mapped_column(default=True)
    confidence: Mapped[Confidence | None] = mapped_column(enum_column(Confidence, "confidence"))
    # Who answers for the row's items when it is not the party the row names (None: that
    # party), and who contributes to them: CatalogueParty values, resolved per project by
    # tracker.catalogue.rules.raci_for. raci_confidence and raci_rationale: how sure that
    # reading of the wording is, and why, as confidence and rationale for the parties.
    accountable: Mapped[CatalogueParty | None] = mapped_column(
        enum_column(CatalogueParty, "accountable_party")
    )
    contributors: Mapped[list[str]] = mapped_column(
        sa.JSON, default=list, server_default=sa.text("'[]'")
    )
    raci_confidence: Mapped[Confidence | None] = mapped_column(
        enum_column(Confidence, "raci_confidence")
    )
    raci_rationale: Mapped[str | None] = mapped_column(sa.Text)
    rationale: Mapped[str | None] = mapped_column(sa.Text)  # in English
    rationale_fr: Mapped[str | None] = mapped_column(sa.Text)
    # A row that follows another (its flow's next step): its items fall due ``follow_days``
    # after the followed row's item, and move with it (tracker.checklist.services). The
    # anchor and offset above are then the followed row's plus ``follow_days``.
    follows_id: Mapped[int | None] = mapped_column(sa.ForeignKey("responsibilities.id"))
    follow_days: Mapped[int | None]
    # How often an operations row's items are reviewed once their project has gone live
    # (None: never): a dated review comes round (tracker.reviews).
    review_every: Mapped[ReviewRhythm | None] = mapped_column(
        enum_column(ReviewRhythm, "review_every")
    )

    area: Mapped[Area] = relationship(back_populates="responsibilities")
    version: Mapped[CatalogueVersion] = relationship()
    follows: Mapped[Responsibility | None] = relationship(remote_side=[id])

    @property
    def rationale_en(self) -> str | None:
        """The rationale in English, for ``localized(row, "rationale")``."""
        return self.rationale

    @property
    def parties(self) -> list[CatalogueParty]:
        marks = (
            (CatalogueParty.INFOR, self.party_infor),
            (CatalogueParty.CLIENT, self.party_client),
            (CatalogueParty.IMS, self.party_ims),
            (CatalogueParty.IMPLEMENTER, self.party_implementer),
        )
        return [party for party, marked in marks if marked]

    @property
    def contributor_marks(self) -> list[CatalogueParty]:
        return [CatalogueParty(value) for value in self.contributors]

    @property
    def due_label(self) -> str:
        letter = "K" if self.due_anchor is Anchor.KICKOFF else "G"
        return f"{letter}{self.due_offset_days:+d}"
