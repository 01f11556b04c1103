"""The heatmap page, and the pictures that the project page and the portfolio include."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from tracker.account.language import localized
from tracker.checklist.queries import Progress
from tracker.enums import Party
from tracker.insights.charts import BurndownChart, Timeline, burndown_chart, timeline
from tracker.insights.health import HealthRule
from tracker.insights.queries import (
    CellState,
    ProjectStats,
    burndown,
    heatmap,
    phase_spans,
    project_stats,
)
from tracker.pagecache import cached_page
from tracker.pagination import paginate
from tracker.projects.filters import customer_arg, customer_filter
from tracker.projects.models import Project
from tracker.projects.queries import portfolio_count, portfolio_select, visible_csms
from tracker.queryargs import int_arg, page_arg
from tracker.timeutil import today

bp = Blueprint("insights", __name__)


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


@bp.route("/insights/heatmap")
@cached_page
@login_required
def heatmap_page():
    on = today()
    filters = {"csm_id": int_arg("csm"), "customer_id": customer_arg()}
    pagination = paginate(
        portfolio_select(current_user, **filters),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        count=portfolio_count(current_user, **filters),
    )
    projects = list(pagination.items)
    soon_days = current_app.config["DUE_SOON_DAYS"]
    grid = heatmap(projects, on, soon_days)
    return render_template(
        "insights/heatmap.html",
        projects=projects,
        pagination=pagination,
        grid=grid,
        titles={column.key: localized(column, "title") for column in grid.columns},
        stats=project_stats(projects, on),
        states=list(CellState),
        soon_days=soon_days,
        customer_options=customer_filter(filters["customer_id"]),
        csm_options=visible_csms(current_user),
        filters={"csm": filters["csm_id"], "customer": filters["customer_id"]},
        rule=HealthRule(),
        today=on,
    )
