"""A project's health: on track, at risk or late. The rule lives here only.

- **Late**: the target go-live has passed and items due by then are still open; or at least
  ``LATE_MIN_OVERDUE`` items are overdue and they are at least ``LATE_OVERDUE_PERCENT`` % of
  the items due so far (one late item alone makes a project at risk, not late).
- **At risk**: any item is overdue; or the go-live is at most ``SOON_DAYS`` days away and more
  than ``SOON_OPEN_PERCENT`` % of the items due by go-live are still open.
- **On track**: everything else (a project with no items included).

"Open" and "overdue" are the checklist's own definitions (tracker.checklist.queries): an item
is overdue when it is open (to do, in progress, blocked) and its due date is before today.
Items a rule retired count nowhere (tracker.checklist.queries.is_work).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext

LATE_OVERDUE_PERCENT = 20
LATE_MIN_OVERDUE = 2
SOON_DAYS = 14
SOON_OPEN_PERCENT = 50


class Health(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"

    @property
    def label(self) -> str:
        return {
            Health.ON_TRACK: gettext("On track"),
            Health.AT_RISK: gettext("At risk"),
            Health.LATE: gettext("Late"),
        }[self]

    @property
    def symbol(self) -> str:
        """A shape that tells the marks apart without colour."""
        return {Health.ON_TRACK: "●", Health.AT_RISK: "▲", Health.LATE: "■"}[self]


@dataclass
class HealthCounts:
    """What the rule looks at, counted in SQL (tracker.insights.queries)."""

    total: int = 0
    open: int = 0
    due_so_far: int = 0  # due before today, whatever their status
    overdue: int = 0  # open and due before today
    by_go_live: int = 0  # due on or before the target go-live
    open_by_go_live: int = 0

    def add(
        self, total: int, open_: int, due_so_far: int, overdue: int, by_go_live: int,
        open_by_go_live: int,
    ) -> None:  # fmt: skip
        """Counts of one more group of items, in the fields' order: one call per row of
        ``progress_and_stats``, so plain sums (tests/test_insights.py checks that every
        field is summed)."""
        self.total += total
        self.open += open_
        self.due_so_far += due_so_far
        self.overdue += overdue
        self.by_go_live += by_go_live
        self.open_by_go_live += open_by_go_live


def health_of(counts: HealthCounts, go_live: date, today: date) -> Health:
    if today > go_live and counts.open_by_go_live:
        return Health.LATE
    if (
        counts.overdue >= LATE_MIN_OVERDUE
        and counts.overdue * 100 >= LATE_OVERDUE_PERCENT * counts.due_so_far
    ):
        return Health.LATE
    if counts.overdue:
        return Health.AT_RISK
    days_to_go_live = (go_live - today).days
    if (
        0 <= days_to_go_live <= SOON_DAYS
        and counts.open_by_go_live * 100 > SOON_OPEN_PERCENT * counts.by_go_live
    ):
        return Health.AT_RISK
    return Health.ON_TRACK


@dataclass(frozen=True)
class HealthRule:
    """The thresholds, for the help text that states the rule on the pages."""

    late_percent: int = LATE_OVERDUE_PERCENT
    late_min: int = LATE_MIN_OVERDUE
    soon_days: int = SOON_DAYS
    soon_percent: int = SOON_OPEN_PERCENT
    late: Health = Health.LATE
    at_risk: Health = Health.AT_RISK
    on_track: Health = Health.ON_TRACK
