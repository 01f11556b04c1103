"""The heatmap: the portfolio's projects, area by area, coloured by what is late."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from tracker.i18n import localized
from tracker.insights.health import HealthRule
from tracker.insights.queries import CellState, heatmap, project_stats
from tracker.pagecache import cached_page
from tracker.pagination import paginate
from tracker.portfolio.filters import customer_arg, customer_filter
from tracker.portfolio.queries import portfolio_count, portfolio_select, visible_csms
from tracker.queryargs import int_arg, page_arg
from tracker.timeutil import today

bp = Blueprint("insights", __name__)


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
