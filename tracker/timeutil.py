"""Clock helpers, in one place so that 'today' means the same thing everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Naive UTC timestamp (stored without zone on every database)."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()
