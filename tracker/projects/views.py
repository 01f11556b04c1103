from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.account.language import localized
from tracker.auth.models import User
from tracker.catalogue.loader import KEY_PATTERN, current_version
from tracker.checklist.controls import ItemControls
from tracker.enums import (
    Deployment,
    Environment,
    Implementer,
    Labelled,
    OrganisationKind,
    Party,
    Phase,
    Role,
    Status,
)
from tracker.errors import RuleError
from tracker.extensions import db
from tracker.insights.health import HealthRule
from tracker.insights.queries import progress_and_stats, project_areas
from tracker.insights.views import PortfolioInsights, project_insights
from tracker.loaders import get_project_or_404
from tracker.organisations.models import Organisation
from tracker.pagecache import cached_page
from tracker.pagination import paginate
from tracker.permissions import (
    can_archive_project,
    can_create_project,
    can_edit_project,
    can_restore_project,
)
from tracker.projects.filters import customer_arg, customer_filter
from tracker.projects.forms import ProjectForm
from tracker.projects.models import Project
from tracker.projects.queries import (
    portfolio_count,
    portfolio_select,
    project_assignees,
    project_events,
    project_items,
    visible_csms,
)
from tracker.projects.services import (
    ProjectData,
    archive_project,
    create_project,
    ims_eligible_rows,
    project_changes,
    project_data_from,
    restore_project,
    update_project,
)
from tracker.queryargs import enum_arg, flag_arg, int_arg, page_arg, pattern_arg
from tracker.templating import format_date
from tracker.timeutil import today

bp = Blueprint("projects", __name__)


@bp.route("/")
@login_required
def index():
    return redirect(url_for("projects.portfolio"))


def portfolio_filters() -> dict:
    """The portfolio's filters from the query string (shared with its exports)."""
    return {
        "csm_id": int_arg("csm"),
        "customer_id": customer_arg(),
        "archived": flag_arg("archived"),
    }


AREA_KEY = re.compile(KEY_PATTERN)


def checklist_filters() -> dict:
    """The project page's item filters from the query string (shared with its exports)."""
    return {
        "party": enum_arg("party", Party),
        "status": enum_arg("status", Status),
        "assignee_id": int_arg("assignee", minimum=-1),
        "area": pattern_arg("area", AREA_KEY),
    }


@bp.route("/projects")
@cached_page
@login_required
def portfolio():
    filters = portfolio_filters()
    pagination = paginate(
        portfolio_select(current_user, **filters),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        count=portfolio_count(current_user, **filters),
    )
    projects = list(pagination.items)
    progress, stats = progress_and_stats(projects, today())
    return render_template(
        "projects/portfolio.html",
        projects=projects,
        pagination=pagination,
        progress=progress,
        insights=PortfolioInsights(stats, HealthRule()),
        customer_options=customer_filter(filters["customer_id"]),
        csm_options=visible_csms(current_user),
        filters={
            "csm": filters["csm_id"],
            "customer": filters["customer_id"],
            "archived": filters["archived"],
        },
        # The heatmap of the same projects: a typed customer name goes along as typed.
        heatmap_url=url_for(
            "insights.heatmap_page",
            csm=filters["csm_id"],
            customer=request.args.get("customer", type=int),
            customer_name=request.args.get("customer_name") or None,
        ),
        phases=list(Phase),
        phase_names={phase: str(phase.label) for phase in Phase},  # once for the 125 bars
        today=today(),
    )


def _fill_choices(
    form: ProjectForm, version_id: int | None, project: Project | None = None
) -> None:
    customers = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.kind == OrganisationKind.CUSTOMER)
        .order_by(Organisation.name)
    )
    partners = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.kind == OrganisationKind.PARTNER)
        .order_by(Organisation.name)
    )
    csms = db.session.scalars(
        sa.select(User).where(User.role == Role.CSM, User.active.is_(True)).order_by(User.name)
    )
    form.customer_id.choices = [(0, _l("Choose a customer"))] + [(o.id, o.name) for o in customers]
    form.partner_id.choices = [(0, _l("None"))] + [(o.id, o.name) for o in partners]
    csm_choices = [(u.id, u.name) for u in csms]
    if project is not None and project.csm_id not in dict(csm_choices):
        csm_choices.append((project.csm_id, project.csm.name))  # keep the current CSM valid
    form.csm_id.choices = [(0, _l("Choose a CSM")), *csm_choices]
    rows = ims_eligible_rows(version_id) if version_id else []
    form.ims_scope.choices = [
        (
            row.key,
            _("%(area)s: %(text)s", area=localized(row.area, "title"), text=localized(row, "text")),
        )
        for row in rows
    ]


def _data_from(form: ProjectForm) -> ProjectData:
    return ProjectData(
        name=form.name.data,
        customer_id=form.customer_id.data,
        csm_id=form.csm_id.data,
        deployment=Deployment(form.deployment.data),
        environment=Environment(form.environment.data),
        ims_contract=form.ims_contract.data,
        implementer=Implementer(form.implementer.data),
        partner_id=form.partner_id.data or None,
        data_migration=form.data_migration.data,
        vpn_required=form.vpn_required.data,
        kickoff_date=form.kickoff_date.data,
        go_live_date=form.go_live_date.data,
        ims_scope=set(form.ims_scope.data or []),
    )


def _shown(value):
    """A project value as the conflict table shows it, in the page's language."""
    if isinstance(value, Labelled):
        return str(value.label)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return format_date(value)
    return value


def _show_rule_error(form: ProjectForm, error: RuleError) -> None:
    getattr(form, error.field, form.name).errors.append(error.message)


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new_project():
    if not can_create_project(current_user):
        abort(403)
    version = current_version()
    form = ProjectForm()
    _fill_choices(form, version.id if version else None)
    if request.method == "GET":
        if current_user.role is Role.CSM:
            form.csm_id.data = current_user.id
        form.ims_scope.data = [key for key, _ in form.ims_scope.choices]  # default: all rows
    if form.validate_on_submit():
        try:
            project = create_project(_data_from(form), actor=current_user)
        except RuleError as error:
            db.session.rollback()
            _show_rule_error(form, error)
        else:
            db.session.commit()
            flash(_("Project “%(name)s” created.", name=project.name), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    status = 422 if form.is_submitted() else 200
    return render_template("projects/form.html", form=form, project=None), status


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit_project(project_id: int):
    project = get_project_or_404(project_id)
    if not can_edit_project(current_user, project):
        abort(403)
    form = ProjectForm(obj=project)
    _fill_choices(form, project.catalogue_version_id, project)
    # A project stays with its customer (see update_project).
    form.customer_id.choices = [(project.customer_id, project.customer.name)]
    form.customer_id.description = _l("A project stays with its customer.")
    if request.method == "GET":
        data = project_data_from(project)
        # Without a contract, offer the default scope (every eligible row) if one is added.
        eligible = [key for key, _ in form.ims_scope.choices]
        form.ims_scope.data = sorted(data.ims_scope) if data.ims_scope is not None else eligible
        form.partner_id.data = project.partner_id or 0
        form.version.data = str(project.version)
    conflicts = []
    if form.validate_on_submit():
        data = _data_from(form)
        changes = project_changes(project, data)
        if changes and form.version.data != str(project.version):
            # Someone saved the project after this form was loaded: show what the save
            # would overwrite, keep the input, and let the user save again on purpose.
            conflicts = [
                (getattr(form, name).label.text, _shown(saved), _shown(yours))
                for name, saved, yours in changes
            ]
            form.version.data = str(project.version)
            return render_template(
                "projects/form.html", form=form, project=project, conflicts=conflicts
            ), 409
        try:
            changed = update_project(project, data, actor=current_user)
            db.session.commit()
        except RuleError as error:
            db.session.rollback()
            _show_rule_error(form, error)
        except StaleDataError:
            db.session.rollback()
            form.form_errors.append(
                _(
                    "Someone else saved this project at the same moment. Reload the page and "
                    "try again."
                )
            )
            return render_template("projects/form.html", form=form, project=project), 409
        else:
            flash(_("Project saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    status = 422 if form.is_submitted() else 200
    return render_template("projects/form.html", form=form, project=project), status


@bp.route("/projects/<int:project_id>/archive", methods=["POST"])
@login_required
def archive(project_id: int):
    project = get_project_or_404(project_id)
    if not can_archive_project(current_user, project):
        abort(403)
    archive_project(project, actor=current_user)
    db.session.commit()
    flash(
        _(
            "“%(name)s” archived. It no longer shows in the portfolio and dashboards; restore "
            "it from its page.",
            name=project.name,
        ),
        "success",
    )
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.route("/projects/<int:project_id>/restore", methods=["POST"])
@login_required
def restore(project_id: int):
    project = get_project_or_404(project_id)
    if not can_restore_project(current_user, project):
        abort(403)
    restore_project(project, actor=current_user)
    db.session.commit()
    flash(_("“%(name)s” restored.", name=project.name), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


# The project page's "Recent changes": the latest few, under the checklist; "Full history"
# pages through every change.
RECENT_CHANGES = 10


@bp.route("/projects/<int:project_id>")
@cached_page
@login_required
def detail(project_id: int):
    # The IMS scope's size shows for a project with a contract: read for every project.
    project = get_project_or_404(project_id, options=[selectinload(Project.ims_scope)])
    filters = checklist_filters()
    rows = project_items(project, **filters)
    controls = ItemControls(current_user, project)
    # phase -> area -> rows, keeping catalogue order (rows come sorted by position)
    grouped: dict[Phase, dict[int, tuple]] = {}
    for item, row, area in rows:
        areas = grouped.setdefault(row.phase, {})
        areas.setdefault(area.id, (area, []))[1].append((item, row))
    assignees = project_assignees(project)
    progress, stats = (by_id[project.id] for by_id in progress_and_stats([project], today()))
    return render_template(
        "projects/detail.html",
        project=project,
        grouped={phase: list(grouped[phase].values()) for phase in Phase if phase in grouped},
        controls=controls,
        progress=progress,
        insights=project_insights(project, progress, stats, today()),
        area_options=project_areas(project),
        assignee_options=[(-1, _("Unassigned"))] + [(u.id, u.name) for u in assignees],
        events=db.session.scalars(project_events(project, limit=RECENT_CHANGES)).all(),
        filters={
            "party": filters["party"],
            "status": filters["status"],
            "assignee": filters["assignee_id"],
            "area": filters["area"],
        },
        shown=len(rows),
        today=today(),
    )


@bp.route("/projects/<int:project_id>/history")
@login_required
def history(project_id: int):
    project = get_project_or_404(project_id)
    pagination = db.paginate(
        project_events(project, limit=None),
        page=page_arg(),
        per_page=100,
        error_out=False,
    )
    return render_template("projects/history.html", project=project, pagination=pagination)
