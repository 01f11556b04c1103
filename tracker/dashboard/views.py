from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from tracker.dashboard.filters import dashboard_filters
from tracker.dashboard.queries import (
    answerable_count,
    due_soon_count,
    due_soon_select,
    my_tasks_count,
    my_tasks_select,
    overdue_count,
    overdue_select,
)
from tracker.enums import Party
from tracker.pagecache import cached_page
from tracker.pagination import paginate
from tracker.permissions import answerable_party
from tracker.portfolio.filters import customer_filter
from tracker.portfolio.queries import visible_csms
from tracker.queryargs import flag_arg, page_arg
from tracker.timeutil import today

bp = Blueprint("dashboard", __name__)


@bp.route("/overdue")
@cached_page
@login_required
def overdue():
    filters = dashboard_filters()
    now = today()
    days = current_app.config["DUE_SOON_DAYS"]
    overdue_page = paginate(
        overdue_select(current_user, now, **filters),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        count=overdue_count(current_user, now, **filters),
    )
    soon_page = paginate(
        due_soon_select(current_user, now, days, **filters),
        page=page_arg("soon_page"),
        per_page=current_app.config["PAGE_SIZE"],
        count=due_soon_count(current_user, now, days, **filters),
    )
    return render_template(
        "dashboard/overdue.html",
        overdue=overdue_page,
        soon=soon_page,
        days=days,
        customer_options=customer_filter(filters["customer_id"]),
        csm_options=visible_csms(current_user),
        party_options=[(p.value, p.label) for p in Party],
        filters=filters,
        today=now,
    )


@bp.route("/my-tasks")
@cached_page
@login_required
def my_tasks():
    """The user's open tasks, or (``answerable=1``) the open items their side answers for,
    whoever does them: a client whose IMS does some of the work sees that work there."""
    party = answerable_party(current_user)
    answerable = party is not None and flag_arg("answerable")
    pagination = paginate(
        my_tasks_select(current_user, answerable=answerable),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        count=answerable_count(current_user) if answerable else my_tasks_count(current_user),
    )
    return render_template(
        "dashboard/my_tasks.html",
        pagination=pagination,
        answerable_party=party,
        answerable=answerable,
        today=today(),
    )
