"""Clock helpers, in one place so that 'today' means the same thing everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime

_recorded_at: ContextVar[datetime | None] = ContextVar("recorded_at", default=None)


def utcnow() -> datetime:
    """Naive UTC timestamp (stored without zone on every database)."""
    return _recorded_at.get() or datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def recorded_at(moment: datetime) -> Iterator[None]:
    """Write as if at ``moment`` (naive UTC): for the demo data, whose history happened
    before it is loaded. Events are append-only, so their time is set as they are made."""
    token = _recorded_at.set(moment)
    try:
        yield
    finally:
        _recorded_at.reset(token)


def today() -> date:
    """The reader's date: in their time zone (``tracker.timezones.current_zone``), so that an
    item falls overdue at the reader's midnight. Under /api/, UTC; outside a request, the
    default zone's (UTC unless DEFAULT_TIME_ZONE is set); while an e-mail or feed is written,
    its recipient's."""
    from tracker.timezones import current_zone, local_date

    return local_date(utcnow(), current_zone())


# The dates of a believable project plan: any date a person types or sends is within them.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
