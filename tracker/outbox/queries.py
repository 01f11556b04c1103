"""The outbox's statements (tracker/outbox)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from tracker.models import OutboxMessage
from tracker.models.outbox import PENDING, SENDING


def due_ids(now: datetime, batch: int) -> sa.Select:
    """The ids of up to ``batch`` pending messages due at ``now``, oldest first; on
    PostgreSQL, rows another deliverer holds locked are skipped, not waited for."""
    return (
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.state == PENDING, OutboxMessage.available_at <= now)
        .order_by(OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )


def claimed_by(name: str) -> sa.Select:
    return (
        sa.select(OutboxMessage)
        .where(OutboxMessage.claimed_by == name, OutboxMessage.state == SENDING)
        .order_by(OutboxMessage.id)
    )


def stale_ids(claimed_before: datetime) -> sa.Select:
    return sa.select(OutboxMessage.id).where(
        OutboxMessage.state == SENDING, OutboxMessage.claimed_at < claimed_before
    )


def state_counts() -> sa.Select:
    return sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state)
