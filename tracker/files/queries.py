"""Reads of attached files: an item's list, a project's counts per item."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import Attachment, ChecklistItem


def _shown(internal: bool, hidden: bool) -> sa.ColumnElement[bool]:
    conditions = []
    if not internal:
        conditions.append(Attachment.internal.is_(False))
    if not hidden:
        conditions.append(Attachment.hidden_at.is_(None))
    return sa.and_(sa.true(), *conditions)


def item_attachments(item_id: int, *, internal: bool, hidden: bool = False) -> list[Attachment]:
    """An item's files as the reader may see them, oldest first: internal ones only for
    readers of internal comments, removed ones only for whoever may restore them."""
    return list(
        db.session.scalars(
            sa.select(Attachment)
            .options(joinedload(Attachment.uploader))
            .where(Attachment.item_id == item_id, _shown(internal, hidden))
            .order_by(Attachment.created_at, Attachment.id)
        )
    )


def attachment_counts(project_id: int, *, internal: bool) -> dict[int, int]:
    """How many files each item of a project shows to the reader (one statement): item id
    -> count, items without any left out."""
    return dict(
        db.session.execute(
            sa.select(Attachment.item_id, sa.func.count())
            .join(ChecklistItem, Attachment.item_id == ChecklistItem.id)
            .where(ChecklistItem.project_id == project_id, _shown(internal, False))
            .group_by(Attachment.item_id)
        ).all()
    )


def attachment_count(item_id: int, *, internal: bool) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Attachment)
        .where(Attachment.item_id == item_id, _shown(internal, False))
    )


def every_attachment():
    """Every attached file, removed ones too, in id order (the companion archive)."""
    return sa.select(Attachment).order_by(Attachment.id)
