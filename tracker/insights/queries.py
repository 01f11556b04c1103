"""The numbers behind the pictures, aggregated in SQL.

Each function issues a fixed number of grouped queries restricted to the projects it is
given (a page of them at most), whatever the number of items, events or projects stored.
"Open", "overdue" and "due soon" are tracker.checklist.queries' definitions.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import sqlalchemy as sa

from tracker.checklist.queries import (
    Progress,
    count_where,
    is_dated,
    is_due_soon,
    is_open,
    is_overdue,
    is_work,
    progress_columns,
)
from tracker.enums import CLOSED_STATUSES, OPEN_STATUSES, Party, Phase
from tracker.extensions import db
from tracker.i18n import localized
from tracker.insights.health import Health, HealthCounts, health_of
from tracker.insights.sql import day_of, days_late
from tracker.models import Area, CatalogueVersion, ChecklistItem, Event, Project, Responsibility

# --- waiting on, and the health counts: one query per page ------------------------------


@dataclass
class Waiting:
    """The open items that sit with one party, and how late they are."""

    open: int = 0
    overdue: int = 0
    days_late: int = 0  # the sum, over its overdue items, of the days each is overdue
    max_days_late: int = 0


@dataclass
class ProjectStats:
    health: Health = Health.ON_TRACK
    counts: HealthCounts = field(default_factory=HealthCounts)
    waiting: dict[Party, Waiting] = field(default_factory=dict)  # in Party order

    @property
    def slipping(self) -> list[tuple[Party, Waiting]]:
        """The parties with overdue items, most days of delay first."""
        late = [(party, w) for party, w in self.waiting.items() if w.overdue]
        return sorted(late, key=lambda pw: (-pw[1].days_late, -pw[1].overdue))


def project_stats(projects: Sequence[Project], today: date) -> dict[int, ProjectStats]:
    """Health and "waiting on" of each project, for the heatmap: ``progress_and_stats``'s
    statement, its progress left unused (the same grouped read of a page of projects' items,
    and one definition of the counts)."""
    return progress_and_stats(projects, today)[1]


@cache
def progress_and_stats_select() -> sa.Select:
    """``progress_and_stats``'s statement, built once (some fifty clauses: 1.1 to 1.5 ms on
    the project page and the portfolio, python -m bench.tricks): the day and the projects
    are bound at execution (``today``, ``ids``)."""
    today = sa.bindparam("today", type_=sa.Date())
    ids = sa.bindparam("ids", expanding=True)
    overdue = is_overdue(today)
    by_go_live = ChecklistItem.due_date <= Project.go_live_date
    late_days = days_late(ChecklistItem.due_date, today)
    return (
        sa.select(
            ChecklistItem.project_id,
            Responsibility.phase,
            ChecklistItem.party,
            *progress_columns(today),
            count_where(is_open()),
            count_where(sa.and_(ChecklistItem.due_date < today, is_dated())),
            count_where(by_go_live),
            count_where(sa.and_(is_open(), by_go_live)),
            sa.func.coalesce(sa.func.sum(sa.case((overdue, late_days), else_=0)), 0),
            sa.func.coalesce(sa.func.max(sa.case((overdue, late_days), else_=0)), 0),
        )
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .join(Project, ChecklistItem.project_id == Project.id)
        # The projects by their ids, their items by the join: PostgreSQL then reads the 25
        # projects by key and their items by project. With the ids on the items' side it
        # hashed all 20,000 projects to join them (11 ms at 20,000 projects; 1 ms now).
        .where(Project.id.in_(ids), is_work())
        .group_by(ChecklistItem.project_id, Responsibility.phase, ChecklistItem.party)
    )


def progress_and_stats(
    projects: Sequence[Project], today: date
) -> tuple[dict[int, Progress], dict[int, ProjectStats]]:
    """The progress (as ``progress_by_project`` counts it) and the health and "waiting on"
    of each project, from one query grouped by project, phase and party: the portfolio and
    the project page show both."""
    progress = {project.id: Progress() for project in projects}
    stats = {project.id: ProjectStats() for project in projects}
    if not projects:
        return progress, stats
    rows = db.session.execute(progress_and_stats_select(), {"today": today, "ids": list(progress)})
    for pid, phase, party, total, closed, late, first, last, *health in rows:
        progress[pid].add(phase, party, total, closed, late, first, last)
        open_, due, by_gl, open_by_gl, days, longest = health
        project_stats = stats[pid]
        project_stats.counts.add(total, open_, due, late, by_gl, open_by_gl)
        if open_:
            waiting = project_stats.waiting.setdefault(party, Waiting())
            waiting.open += open_
            waiting.overdue += late
            waiting.days_late += int(days)
            waiting.max_days_late = max(waiting.max_days_late, int(longest))
    for project in projects:
        project_stats = stats[project.id]
        project_stats.waiting = {
            p: project_stats.waiting[p] for p in Party if p in project_stats.waiting
        }
        project_stats.health = health_of(project_stats.counts, project.go_live_date, today)
    return progress, stats


# --- the phase timeline: from the project's progress ----------------------------------------


@dataclass
class PhaseSpan:
    phase: Phase
    first_due: date | None = None
    last_due: date | None = None
    total: int = 0
    closed: int = 0
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0


def phase_spans(progress: Progress) -> list[PhaseSpan]:
    """Each phase's span (its items' earliest and latest due dates) and progress, from the
    project's progress (tracker.checklist.queries.progress_by_project: no query of its own)."""
    return [
        PhaseSpan(phase, t.first_due, t.last_due, t.total, t.closed, t.overdue)
        for phase, t in progress.phases.items()
    ]


# --- the burn-down: three queries --------------------------------------------------------


@dataclass(frozen=True)
class BurndownPoint:
    day: date
    plan: int  # items due after this day: still open if each closed on its due date
    actual: int | None  # items open at the end of this day (None after today)


@dataclass
class Burndown:
    start: date
    end: date
    today: date
    total: int
    points: list[BurndownPoint]  # the days either line changes, and start, today and end

    def at(self, day: date) -> BurndownPoint:
        """The lines' values at the end of ``day`` (steps between the points)."""
        found = self.points[0]
        for point in self.points:
            if point.day > day:
                break
            found = point
        return BurndownPoint(day, found.plan, found.actual if day <= self.today else None)


def _status_changes(project: Project) -> dict[date, tuple[int, int]]:
    """Per day, how many items were closed and how many reopened (status events), of the
    items that count (``is_work``)."""
    open_values = [s.value for s in OPEN_STATUSES]
    closed_values = [s.value for s in CLOSED_STATUSES]
    closes = sa.and_(Event.old_value.in_(open_values), Event.new_value.in_(closed_values))
    reopens = sa.and_(Event.old_value.in_(closed_values), Event.new_value.in_(open_values))
    day = day_of(Event.created_at)
    rows = db.session.execute(
        sa.select(day, count_where(closes), count_where(reopens))
        .join(ChecklistItem, Event.item_id == ChecklistItem.id)
        .where(
            Event.project_id == project.id,
            Event.field == "status",
            is_work(),
        )
        .group_by(day)
    )
    return {d: (int(c), int(r)) for d, c, r in rows if c or r}


def burndown(project: Project, today: date) -> Burndown:
    """Open items per day: the actual line from the history, the plan line from due dates.

    Items created with the project's checklist count from the chart's start (the kickoff,
    or the project's creation if earlier); items added later count from the day they were
    added. Items are created open ("to do"); every status change is an event, so the open
    count of a day is the items existing then, less those closed, plus those reopened. Items
    a rule retired are left out, with their history (``is_work``).
    """
    created_day = day_of(ChecklistItem.created_at)
    created = dict(
        db.session.execute(
            sa.select(created_day, sa.func.count())
            .where(ChecklistItem.project_id == project.id, is_work())
            .group_by(created_day)
        ).all()
    )
    due = dict(
        db.session.execute(
            sa.select(ChecklistItem.due_date, sa.func.count())
            .where(ChecklistItem.project_id == project.id, is_work())
            .group_by(ChecklistItem.due_date)
        ).all()
    )
    changes = _status_changes(project)
    total = sum(due.values())
    created_on = project.created_at.date()
    start = min([project.kickoff_date, created_on, *changes])
    end = max([project.go_live_date, today, *due])
    baseline = sum(n for d, n in created.items() if d <= created_on)
    added = {d: n for d, n in created.items() if d > created_on}
    days = sorted(
        {start, today, end}
        | {d for d in due if start <= d <= end}
        | {d for d in [*added, *changes] if start <= d <= today}
    )
    plan = total - sum(n for d, n in due.items() if d <= start)
    actual = baseline
    points = []
    for day in days:
        if day > start:
            plan -= due.get(day, 0)
        if day <= today:
            closed, reopened = changes.get(day, (0, 0))
            actual += added.get(day, 0) - closed + reopened
        points.append(BurndownPoint(day, plan, actual if day <= today else None))
    return Burndown(start, end, today, total, points)


# --- the heatmap: one query for the columns, one for the grid ----------------------------


class CellState(enum.StrEnum):
    LATE = "late"  # an item is overdue
    AT_RISK = "at_risk"  # an open item is due within the due-soon days
    OPEN = "open"  # open items, none of them late or due soon
    DONE = "done"  # every item done or not applicable
    NONE = "none"  # the area has no item on this project


@dataclass(frozen=True)
class Cell:
    total: int = 0
    open: int = 0
    overdue: int = 0
    due_soon: int = 0

    @property
    def state(self) -> CellState:
        if not self.total:
            return CellState.NONE
        if self.overdue:
            return CellState.LATE
        if self.due_soon:
            return CellState.AT_RISK
        if self.open:
            return CellState.OPEN
        return CellState.DONE


@dataclass(frozen=True)
class Column:
    key: str
    title_en: str
    title_fr: str


@dataclass
class Heatmap:
    columns: list[Column]
    cells: dict[tuple[int, str], Cell]  # (project id, area key) -> counts

    def cell(self, project_id: int, area_key: str) -> Cell:
        return self.cells.get((project_id, area_key), Cell())


def heatmap(projects: Iterable[Project], today: date, soon_days: int) -> Heatmap:
    """Per project and catalogue area, its items' counts; columns are the areas of the
    projects' catalogue versions (by key, titled and ordered as in the newest of them)."""
    projects = list(projects)
    if not projects:
        return Heatmap([], {})
    versions = {project.catalogue_version_id for project in projects}
    columns: dict[str, tuple[int, int, Column]] = {}
    for key, title_en, title_fr, position, number in db.session.execute(
        sa.select(Area.key, Area.title_en, Area.title_fr, Area.position, CatalogueVersion.number)
        .join(CatalogueVersion, Area.version_id == CatalogueVersion.id)
        .where(Area.version_id.in_(versions))
        .order_by(CatalogueVersion.number.desc(), Area.position)
    ):
        columns.setdefault(key, (position, -number, Column(key, title_en, title_fr)))
    rows = db.session.execute(
        sa.select(
            ChecklistItem.project_id,
            Area.key,
            sa.func.count(),
            count_where(is_open()),
            count_where(is_overdue(today)),
            count_where(is_due_soon(today, soon_days)),
        )
        .join(Responsibility, ChecklistItem.responsibility_id == Responsibility.id)
        .join(Area, Responsibility.area_id == Area.id)
        .where(ChecklistItem.project_id.in_([project.id for project in projects]), is_work())
        .group_by(ChecklistItem.project_id, Area.key)
    )
    cells = {(pid, key): Cell(total, o, late, soon) for pid, key, total, o, late, soon in rows}
    ordered = sorted(columns.values(), key=lambda entry: (entry[1], entry[0]))
    return Heatmap([column for _, _, column in ordered], cells)


def project_areas(project: Project) -> list[tuple[str, str]]:
    """(key, title) of the catalogue areas that have items on ``project``: the options of
    the project page's area filter."""
    return [
        (row.key, localized(row, "title"))
        for row in db.session.execute(
            sa.select(Area.key, Area.title_en, Area.title_fr)
            .where(
                Area.id.in_(
                    sa.select(Responsibility.area_id)
                    .join(ChecklistItem, ChecklistItem.responsibility_id == Responsibility.id)
                    .where(ChecklistItem.project_id == project.id)
                )
            )
            .order_by(Area.position)
        )
    ]
