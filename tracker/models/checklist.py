from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.enums import OPEN_STATUSES, Party, Phase, Status, enum_column
from tracker.extensions import db
from tracker.models.catalogue import Responsibility
from tracker.models.project import Project
from tracker.models.user import User
from tracker.timeutil import utcnow

OPEN_STATUS_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in OPEN_STATUSES))


class ChecklistItem(db.Model):
    """One party's share of one catalogue row on one project."""

    __tablename__ = "checklist_items"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "responsibility_id", "party"),
        sa.Index("ix_checklist_items_project_id_status", "project_id", "status"),
        # Open items by due date: the overdue and due-soon lists walk this index in order,
        # and their counts read it alone (project_id for the project filters, party; status,
        # which SQLite needs in the index to count from it alone).
        sa.Index(
            "ix_checklist_items_open_due",
            "due_date",
            "id",
            "project_id",
            "party",
            "status",
            sqlite_where=sa.text(OPEN_STATUS_SQL),
            postgresql_where=sa.text(OPEN_STATUS_SQL),
        ),
        # Open items by project: the counts and lists of some projects' items (one CSM's, one
        # customer's, a CSM's unassigned Infor items) read this index alone.
        sa.Index(
            "ix_checklist_items_open_project",
            "project_id",
            "party",
            "assignee_id",
            "due_date",
            "status",
            sqlite_where=sa.text(OPEN_STATUS_SQL),
            postgresql_where=sa.text(OPEN_STATUS_SQL),
        ),
        # Assigned items only: "assignee_id IS NULL" (half the items) cannot pick this index,
        # which SQLite did for "unassigned" conditions; "assignee_id = ?" can, and counts
        # someone's open items on active projects from the index alone.
        sa.Index(
            "ix_checklist_items_assigned",
            "assignee_id",
            "status",
            "project_id",
            sqlite_where=sa.text("assignee_id IS NOT NULL"),
            postgresql_where=sa.text("assignee_id IS NOT NULL"),
        ),
        # Open items by accountable party, by due date: what one side answers for (the
        # accountable filters, "answerable for" on my tasks), listed and counted from it.
        sa.Index(
            "ix_checklist_items_open_accountable",
            "accountable",
            "due_date",
            "id",
            "project_id",
            "status",
            sqlite_where=sa.text(OPEN_STATUS_SQL),
            postgresql_where=sa.text(OPEN_STATUS_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"))
    responsibility_id: Mapped[int] = mapped_column(sa.ForeignKey("responsibilities.id"), index=True)
    # The responsible party: the one that does the work (and whose people may update it).
    party: Mapped[Party] = mapped_column(enum_column(Party, "party"))
    # The party that answers for it, and the parties that contribute to it (Party values),
    # as the catalogue's rules plan them (tracker.catalogue.rules.raci_for).
    accountable: Mapped[Party] = mapped_column(enum_column(Party, "accountable_party"))
    contributors: Mapped[list[str]] = mapped_column(
        sa.JSON, default=list, server_default=sa.text("'[]'")
    )
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[Status] = mapped_column(enum_column(Status, "status"), default=Status.TODO)
    due_date: Mapped[date]
    # The reason a person typed (blocked, not applicable).
    reason: Mapped[str | None] = mapped_column(sa.Text)
    # The reason the tracker gave itself when a rule closed the item, as data: a code of
    # tracker.wording (CONDITION_UNMET, REASSIGNED) and its parameters, written out in each
    # reader's language.
    reason_code: Mapped[str | None] = mapped_column(sa.String(40))
    reason_params: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    # True when the tracker itself set "not applicable" because the project no longer meets
    # the row's condition; such an item is reopened if the condition holds again.
    not_applicable_by_rule: Mapped[bool] = mapped_column(default=False)
    # The item this one took over from when its row passed to another party (IMS took a
    # client row over, the implementer changed): its page shows that item's comments and
    # history (tracker.checklist.services.reconcile_items).
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("checklist_items.id"), index=True)
    # True when the project's CSM decided to keep the item open although its row no longer
    # applies to the project: it is no longer among the items to decide (until it is closed).
    kept_open: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    project: Mapped[Project] = relationship()
    responsibility: Mapped[Responsibility] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    replaces: Mapped[ChecklistItem | None] = relationship(
        remote_side=[id], foreign_keys=[replaces_id]
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="item", order_by="Comment.created_at"
    )

    @property
    def contributor_parties(self) -> list[Party]:
        return [Party(value) for value in self.contributors]

    @property
    def has_reason(self) -> bool:
        """Whether a person or a rule said why the item is as it is."""
        return bool(self.reason or self.reason_code)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_standing(self) -> bool:
        """A standing responsibility: an operations row's item once the project went live,
        an ongoing duty whose due date never makes it late (the SQL twin:
        tracker.checklist.queries.is_standing)."""
        return (
            self.project.went_live_on is not None and self.responsibility.phase is Phase.OPERATIONS
        )

    def is_overdue(self, on: date) -> bool:
        return self.is_open and self.due_date < on and not self.is_standing

    def __repr__(self) -> str:
        return f"<ChecklistItem {self.id} {self.party.value} {self.status.value}>"


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_items.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # For the vendor's people, IMS and partners only: never shown to the customer's users
    # (tracker.permissions.sees_internal_comments).
    internal: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    item: Mapped[ChecklistItem] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()
