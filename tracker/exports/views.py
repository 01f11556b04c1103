from __future__ import annotations

import re

from flask import Blueprint, Response, current_app
from flask_login import current_user, login_required

from tracker.dashboard.filters import dashboard_filters
from tracker.exports.tables import checklist_sheets, dashboard_sheets, portfolio_sheets
from tracker.exports.writers import Sheet, to_csv, to_xlsx
from tracker.loaders import load_project
from tracker.portfolio.filters import portfolio_filters
from tracker.projects.filters import checklist_filters
from tracker.timeutil import today

bp = Blueprint("exports", __name__)

FORMATS = {
    "csv": (to_csv, "text/csv"),  # Werkzeug adds "; charset=utf-8" to a text type
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _download(sheets: list[Sheet], name: str, fmt: str, *, label_sheets: bool = True) -> Response:
    write, mimetype = FORMATS[fmt]
    content = to_csv(sheets, label_sheets=label_sheets) if fmt == "csv" else write(sheets)
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "export"
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}-{today()}.{fmt}"'},
    )


@bp.route("/projects/export.<any(csv, xlsx):fmt>")
@login_required
def portfolio(fmt: str):
    return _download(
        portfolio_sheets(current_user, today(), **portfolio_filters()), "portfolio", fmt
    )


@bp.route("/projects/<int:project_id>/export.<any(csv, xlsx):fmt>")
@login_required
def checklist(project_id: int, fmt: str):
    project = load_project(project_id)
    # The rows name their phase, so the CSV needs no column for the sheet.
    return _download(
        checklist_sheets(project, **checklist_filters()), project.name, fmt, label_sheets=False
    )


@bp.route("/overdue/export.<any(csv, xlsx):fmt>")
@login_required
def overdue(fmt: str):
    days = current_app.config["DUE_SOON_DAYS"]
    return _download(
        dashboard_sheets(current_user, today(), days, **dashboard_filters()), "overdue", fmt
    )
