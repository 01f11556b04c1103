"""Clock helpers, in one place so that 'today' means the same thing everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Naive UTC timestamp (stored without zone on every database)."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()


# The dates of a believable project plan: any date a person types or sends is within them.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
