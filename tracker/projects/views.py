"""The portfolio, a project's page and history, and the forms that create and change a
project: adapters between the web and the projects' use cases (tracker.projects.services)."""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from tracker.audit.names import event_names
from tracker.audit.queries import project_events
from tracker.boundary import refusals_shown_by
from tracker.catalogue.queries import current_version, ims_eligible_rows
from tracker.checklist.controls import ItemControls
from tracker.checklist.queries import comment_counts, items_to_decide
from tracker.enums import OrganisationKind, Phase, Role
from tracker.errors import Conflict, Refusal
from tracker.extensions import db
from tracker.files.queries import attachment_counts
from tracker.formatting import display_value
from tracker.golive.queries import approver_candidates, readiness_of
from tracker.i18n import localized
from tracker.insights.health import HealthRule
from tracker.insights.pictures import PortfolioInsights, project_insights
from tracker.insights.queries import progress_and_stats, project_areas
from tracker.loaders import load_project, require
from tracker.models import Project
from tracker.pagecache import cached_page
from tracker.pagination import paginate
from tracker.permissions import (
    can_archive_project,
    can_create_project,
    can_edit_project,
    can_manage_go_live,
    can_restore_project,
    can_sign_off,
    is_infor_staff,
    own_party,
    sees_internal_comments,
)
from tracker.portfolio.filters import customer_filter, portfolio_filters
from tracker.portfolio.queries import (
    catalogue_version_numbers,
    portfolio_count,
    portfolio_select,
    ratings_by_csm,
    sign_offs_of,
    visible_csms,
)
from tracker.projects.filters import checklist_filters
from tracker.projects.forms import ProjectForm
from tracker.projects.queries import (
    active_csms,
    organisations_of_kind,
    project_assignees,
    project_items,
)
from tracker.projects.services import (
    archive_project,
    create_project,
    project_data_from,
    restore_project,
    update_project,
)
from tracker.queryargs import page_arg
from tracker.reviews.queries import standing_responsibilities
from tracker.timeutil import today

bp = Blueprint("projects", __name__)


@bp.route("/")
@login_required
def index():
    return redirect(url_for("projects.portfolio"))


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
        version_options=[
            (number, _("version %(number)s", number=number))
            for number in db.session.scalars(catalogue_version_numbers())
        ],
        filters={
            "csm": filters["csm_id"],
            "customer": filters["customer_id"],
            "archived": filters["archived"],
            "version": filters["catalogue_version"],
            "behind": filters["behind"],
            "go_live": filters["go_live"],
        },
        sign_offs=sign_offs_of([project.id for project in projects]),
        csm_ratings=ratings_by_csm(current_user) if is_infor_staff(current_user) else [],
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


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new_project():
    require(can_create_project(current_user))
    version = current_version()
    form = _project_form(version.id if version else None)
    if request.method == "GET":
        if current_user.role is Role.CSM:
            form.csm_id.data = current_user.id
        form.ims_scope.data = [key for key, _ in form.ims_scope.choices]  # default: all rows
        form.creation_token.data = secrets.token_hex(16)
    if not form.is_submitted():
        return _form_page(form)
    refusals_shown_by(lambda refusal: _form_page(form, refusal=refusal))
    form.check()
    project = create_project(
        form.project_data(), actor=current_user, creation_token=form.creation_token.data or None
    )
    flash(_("Project “%(name)s” created.", name=project.name), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit_project(project_id: int):
    project = load_project(project_id, may=can_edit_project)
    form = _project_form(project.catalogue_version_id, project)
    if not form.is_submitted():
        form.fill(project_data_from(project), project.version)
        return _form_page(form, project)
    refusals_shown_by(lambda refusal: _form_page(form, project, refusal=refusal))
    form.check()
    changed = update_project(
        project, form.project_data(), actor=current_user, version=form.read_version()
    )
    flash(_("Project saved.") if changed else _("Nothing changed."), "success")
    if undecided := len(items_to_decide(project)):
        flash(
            ngettext(
                "%(num)s item is open although its row no longer applies: decide on it on "
                "the project page.",
                "%(num)s items are open although their row no longer applies: decide on "
                "them on the project page.",
                undecided,
            ),
            "warning",
        )
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.route("/projects/<int:project_id>/archive", methods=["POST"])
@login_required
def archive(project_id: int):
    project = load_project(project_id, may=can_archive_project)
    archive_project(project, actor=current_user)
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
    project = load_project(project_id, may=can_restore_project)
    restore_project(project, actor=current_user)
    flash(_("“%(name)s” restored.", name=project.name), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


def _project_form(version_id: int | None, project: Project | None = None) -> ProjectForm:
    """The project form with its options: customers, partners, active CSMs (and the
    project's own CSM, even if no longer active) and the version's IMS-eligible rows."""
    form = ProjectForm()
    customers = db.session.execute(organisations_of_kind(OrganisationKind.CUSTOMER)).all()
    partners = db.session.execute(organisations_of_kind(OrganisationKind.PARTNER)).all()
    csms = [tuple(row) for row in db.session.execute(active_csms())]
    if project is not None and project.csm_id not in dict(csms):
        csms.append((project.csm_id, project.csm.name))  # keep the current CSM valid
    form.customer_id.choices = [(0, _l("Choose a customer"))] + [tuple(c) for c in customers]
    form.partner_id.choices = [(0, _l("None"))] + [tuple(p) for p in partners]
    form.csm_id.choices = [(0, _l("Choose a CSM")), *csms]
    rows = ims_eligible_rows(version_id) if version_id else []
    form.ims_scope.choices = [
        (
            row.key,
            _("%(area)s: %(text)s", area=localized(row.area, "title"), text=localized(row, "text")),
        )
        for row in rows
    ]
    if project is not None:
        # A project stays with its customer (see update_project).
        form.customer_id.choices = [(project.customer_id, project.customer.name)]
        form.customer_id.description = _l("A project stays with its customer.")
    return form


def _form_page(
    form: ProjectForm, project: Project | None = None, *, refusal: Refusal | None = None
):
    """The project form (new or edit), showing ``refusal``: a conflict as the table of what
    saving would overwrite (the input is kept; saving again applies it), anything else on
    the field it names."""
    conflicts = []
    if isinstance(refusal, Conflict) and refusal.changes:
        conflicts = [
            (form[change.field].label.text, display_value(change.saved), display_value(change.sent))
            for change in refusal.changes
        ]
        form.version.data = str(project.version)
    elif refusal is not None:
        form.show(refusal)
    return render_template("projects/form.html", form=form, project=project, conflicts=conflicts)


# The project page's "Recent changes": the latest few, under the checklist; "Full history"
# pages through every change.
RECENT_CHANGES = 6


@bp.route("/projects/<int:project_id>")
@cached_page
@login_required
def detail(project_id: int):
    # The IMS scope's size shows for a project with a contract: read for every project.
    project = load_project(project_id, options=[selectinload(Project.ims_scope)])
    filters = checklist_filters()
    rows = project_items(project, **filters)
    # phase -> area -> rows, keeping catalogue order (rows come sorted by position)
    grouped: dict[Phase, list[tuple]] = {}
    for item, row, area in rows:
        grouped.setdefault(row.phase, []).append((item, row, area))
    assignees = project_assignees(project)
    readiness = readiness_of(project)
    return render_template(
        "projects/detail.html",
        project=project,
        grouped={phase: grouped[phase] for phase in _phase_order(project) if phase in grouped},
        controls=ItemControls(current_user, project),
        comment_counts=comment_counts(project.id, internal=sees_internal_comments(current_user)),
        file_counts=attachment_counts(project.id, internal=sees_internal_comments(current_user)),
        area_options=project_areas(project),
        assignee_options=[(-1, _("Unassigned"))] + [(u.id, u.name) for u in assignees],
        filters={
            "party": filters["party"],
            "accountable": filters["accountable"],
            "status": filters["status"],
            "assignee": filters["assignee_id"],
            "area": filters["area"],
        },
        shown=len(rows),
        own_party=own_party(current_user),
        # Open items whose row no longer applies: for whoever manages the project to decide.
        to_decide=items_to_decide(project) if can_edit_project(current_user, project) else [],
        # A newer catalogue version to move to (tracker.rollout): for whoever manages it.
        newest_version=current_version() if can_edit_project(current_user, project) else None,
        # After go-live: the operations rows as ongoing duties, per party (tracker.reviews).
        standing=standing_responsibilities(project),
        readiness=readiness,
        approver_candidates=(
            approver_candidates(project) if can_manage_go_live(current_user, project) else []
        ),
        may_sign_off=can_sign_off(
            current_user,
            project,
            approver=any(user.id == current_user.id for user in readiness.approvers),
        ),
        **_summary(project),
    )


def _phase_order(project: Project) -> list[Phase]:
    """The checklist's phases in catalogue order; once live, operations first: the handover
    makes them the project's work."""
    phases = list(Phase)
    if project.went_live_on is not None:
        phases.remove(Phase.OPERATIONS)
        phases.insert(0, Phase.OPERATIONS)
    return phases


@bp.get("/projects/<int:project_id>/summary")
@login_required
def summary(project_id: int):
    """What the project page shows of the whole project (health, progress, waiting on, the
    charts, the recent changes), alone: the page's script asks for it after saving an item
    in place, and swaps each part (``data-live``) for its new version."""
    project = load_project(project_id)
    html = render_template("projects/_summary.html", project=project, **_summary(project))
    return html, {"Cache-Control": "no-store"}


def _summary(project: Project) -> dict:
    on = today()
    progress, stats = (by_id[project.id] for by_id in progress_and_stats([project], on))
    internal = sees_internal_comments(current_user)
    events = db.session.scalars(
        project_events(project.id, internal=internal, limit=RECENT_CHANGES)
    ).all()
    return {
        "progress": progress,
        "insights": project_insights(project, progress, stats, on),
        "events": events,
        "event_names": event_names(project, events),
        "today": on,
    }


@bp.route("/projects/<int:project_id>/history")
@login_required
def history(project_id: int):
    project = load_project(project_id)
    events = project_events(project.id, internal=sees_internal_comments(current_user), limit=None)
    pagination = paginate(events, page=page_arg(), per_page=100)
    return render_template(
        "projects/history.html",
        project=project,
        pagination=pagination,
        event_names=event_names(project, pagination.items),
    )
