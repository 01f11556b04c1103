from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.checklist import ChecklistItem, Comment
from tracker.models.user import User
from tracker.timeutil import utcnow


class Attachment(db.Model):
    """A file attached to an item, or to one of its comments: evidence that a task is done.

    The bytes are in the file store (tracker.files.storage) under ``storage_key``, a random
    name; ``filename`` is what the uploader called it, shown and offered on download, never
    used as a path. Removing a file only hides it (``hidden_at``): the store keeps it, and the
    project's CSM can restore it.
    """

    __tablename__ = "attachments"
    __table_args__ = (sa.Index("ix_attachments_item_id_hidden_at", "item_id", "hidden_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_items.id"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    uploader_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    # The file of an internal comment: for the vendor's people, IMS and partners only.
    internal: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    item: Mapped[ChecklistItem] = relationship()
    comment: Mapped[Comment | None] = relationship()
    uploader: Mapped[User] = relationship(foreign_keys=[uploader_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
