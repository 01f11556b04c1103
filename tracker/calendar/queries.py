"""What a calendar feed lists: the open items its owner may update."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.checklist.queries import is_dated, is_open
from tracker.dashboard.queries import item_rows
from tracker.models import ChecklistItem, User
from tracker.permissions import updatable_items_filter

# A feed lists at most this many items, the soonest due first (overdue ones lead): enough
# for anyone's work, and a bound on the response for administrators (an event takes about
# 700 bytes: 1.5 MB at most).
FEED_LIMIT = 2000


def feed_items_select(user: User) -> sa.Select:
    """The open items of active projects that ``user`` may update, the ``FEED_LIMIT``
    soonest due."""
    return (
        item_rows()
        .add_columns(ChecklistItem.updated_at, ChecklistItem.version)
        .where(is_open(), is_dated(), updatable_items_filter(user))
        .limit(FEED_LIMIT)
    )
