"""The pictures the project page and the portfolio include: a project's timeline,
burn-down and health, the portfolio's health per project."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.checklist.queries import Progress
from tracker.enums import Party
from tracker.insights.charts import BurndownChart, Timeline, burndown_chart, timeline
from tracker.insights.health import HealthRule
from tracker.insights.queries import ProjectStats, burndown, phase_spans
from tracker.models import Project


@dataclass
class ProjectInsights:
    stats: ProjectStats
    timeline: Timeline
    burndown: BurndownChart
    rule: HealthRule
    parties: list[Party]


def project_insights(
    project: Project, progress: Progress, stats: ProjectStats, on: date
) -> ProjectInsights:
    """The project page's pictures, with the project's ``progress`` and ``stats`` on ``on``
    (tracker.insights.queries.progress_and_stats): the burn-down's queries more, whatever
    the project's size."""
    return ProjectInsights(
        stats=stats,
        timeline=timeline(project, phase_spans(progress), on),
        burndown=burndown_chart(burndown(project, on)),
        rule=HealthRule(),
        parties=list(Party),
    )


@dataclass
class PortfolioInsights:
    stats: dict[int, ProjectStats]
    rule: HealthRule
