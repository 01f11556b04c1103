"""A project's move to a newer catalogue version: the preview, then applying it."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.boundary import refusals_shown_by
from tracker.catalogue.queries import current_version, version_numbered, versions_select
from tracker.enums import OrganisationKind, Phase
from tracker.errors import Conflict, InvalidInput, NotFound, Refusal
from tracker.extensions import db
from tracker.loaders import load_project, require
from tracker.models import CatalogueVersion, Project, RolloutRun
from tracker.models.rollout_run import FAILED, PENDING
from tracker.pagination import paginate_list
from tracker.permissions import (
    can_edit_project,
    can_follow_rollout_run,
    can_roll_out,
    is_admin,
    rollout_runs_filter,
)
from tracker.projects.queries import active_csms, organisations_of_kind
from tracker.queryargs import MAX_INT, enum_arg, flag_arg, int_arg, page_arg
from tracker.rollout.forms import ApplyRolloutForm, ContinueRunForm, StartRolloutForm
from tracker.rollout.plan import plan_rollout
from tracker.rollout.queries import run_counts, run_entries, unfinished_runs
from tracker.rollout.runs import (
    RolloutFilters,
    chosen_projects,
    load_run,
    preview_bulk,
    run_batch,
    start_run,
)
from tracker.rollout.services import apply_rollout, check_rollout
from tracker.wording import reason_text, row_changes_text

bp = Blueprint("rollout", __name__)


def _target(number: int | None) -> CatalogueVersion:
    version = (
        db.session.scalar(version_numbered(number))
        if number is not None and 0 < number <= MAX_INT
        else (current_version() if number is None else None)
    )
    if version is None:
        raise NotFound(_("There is no such catalogue version."))
    return version


def _preview(project: Project, target: CatalogueVersion, form: ApplyRolloutForm, status=200):
    check_rollout(project, target, actor=current_user)
    plan = plan_rollout(project, target)
    form.to.data = target.number
    form.version.data = project.version
    return (
        render_template(
            "rollout/preview.html",
            project=project,
            plan=plan,
            form=form,
            reason_text=reason_text,
            row_changes_text=row_changes_text,
        ),
        status,
    )


@bp.get("/projects/<int:project_id>/catalogue-upgrade")
@login_required
def preview(project_id: int):
    """What moving the project to a newer catalogue version (?to=N, default the newest)
    would do to each of its items, before anything is written."""
    project = load_project(project_id, may=can_edit_project)
    target = _target(request.args.get("to", type=int))
    if "to" in request.args and request.args.get("to", type=int) is None:
        raise NotFound(_("There is no such catalogue version."))
    return _preview(project, target, ApplyRolloutForm(formdata=None))


@bp.post("/projects/<int:project_id>/catalogue-upgrade")
@login_required
def apply(project_id: int):
    project = load_project(project_id, may=can_edit_project)
    form = ApplyRolloutForm()

    def refused(refusal: Refusal):
        flash(refusal.message, "error")
        if isinstance(refusal, Conflict) and form.to.data:  # the preview as it is now
            return redirect(url_for("rollout.preview", project_id=project_id, to=form.to.data))
        return redirect(url_for("projects.detail", project_id=project_id))

    refusals_shown_by(refused)
    form.check()
    target = _target(form.to.data)
    plan = apply_rollout(project, target, actor=current_user, version=form.version.data)
    counts = plan.counts()
    flash(
        _(
            "The project now follows catalogue version %(number)s: %(added)s items added, "
            "%(retired)s retired, %(changed)s changed.",
            number=target.number,
            added=counts["add"],
            retired=counts["retire"],
            changed=counts["changed"],
        ),
        "success",
    )
    return redirect(url_for("projects.detail", project_id=project.id))


# --- bulk: from the catalogue, a version rolled out to a chosen set of projects -------------

PER_PAGE = 50
SUM_LIMIT = 500  # projects whose plans the preview sums in one request


def _filters_from(args) -> RolloutFilters:
    return RolloutFilters(
        from_number=args["from_version"],
        csm_id=args["csm"],
        customer_id=args["customer"],
        phase=args["phase"],
        behind_only=args["behind"],
    )


@bp.get("/catalogue/rollout")
@login_required
def bulk_preview():
    """Choose a version and the projects (by filters) to move to it, and see what it would
    do, summed and project by project; nothing is written."""
    require(can_roll_out(current_user))
    versions = db.session.scalars(versions_select()).all()  # newest first
    number = int_arg("to")  # a number naming no version is not found; no number: the newest
    target = next((v for v in versions if v.number == number), None) if number else None
    if target is None and number is None and versions:
        target = versions[0]
    if target is None:
        raise NotFound(_("There is no such catalogue version."))
    chosen = {
        "from_version": int_arg("from"),
        "csm": int_arg("csm") if is_admin(current_user) else None,
        "customer": int_arg("customer"),
        "phase": enum_arg("phase", Phase),
        "behind": not flag_arg("all"),
    }
    filters = _filters_from(chosen)
    ids = chosen_projects(current_user, target, filters)
    page = paginate_list(ids, page=page_arg(), per_page=PER_PAGE)
    # Planning takes some 16 ms a project (bench/rollout.py): past SUM_LIMIT projects the
    # sums are the shown page's, so that the page answers in a few seconds.
    whole = len(ids) <= SUM_LIMIT
    preview = preview_bulk(ids if whole else page.items, target)
    shown = set(page.items)
    return render_template(
        "rollout/bulk.html",
        versions=versions,
        target=target,
        chosen=chosen,
        preview=preview,
        count=len(ids),
        whole=whole,
        rows=[row for row in preview.projects if row.project.id in shown],
        page=page,
        csms=db.session.execute(active_csms()).all() if is_admin(current_user) else [],
        customers=db.session.execute(organisations_of_kind(OrganisationKind.CUSTOMER)).all(),
        phases=list(Phase),
        runs=db.session.scalars(unfinished_runs(rollout_runs_filter(current_user))).all(),
    )


@bp.post("/catalogue/rollout")
@login_required
def bulk_start():
    """Record a run moving the projects the filters choose (chosen again now, among those
    the user may move) and go to its progress page, which moves them a batch at a time."""
    require(can_roll_out(current_user))
    form = StartRolloutForm()

    def refused(refusal: Refusal):
        flash(refusal.message if not isinstance(refusal, InvalidInput) else _invalid(form), "error")
        return redirect(url_for("rollout.bulk_preview"))

    refusals_shown_by(refused)
    form.check()
    target = _target(form.to.data)
    chosen = {
        "from_version": form.from_version.data,
        "csm": form.csm.data if is_admin(current_user) else None,
        "customer": form.customer.data,
        "phase": Phase(form.phase.data) if form.phase.data else None,
        "behind": bool(form.behind.data),
    }
    filters = _filters_from(chosen)
    run = start_run(
        target, chosen_projects(current_user, target, filters), filters, actor=current_user
    )
    return redirect(url_for("rollout.run_progress", run_id=run.id))


def _invalid(form: StartRolloutForm) -> str:
    fields = ", ".join(sorted(name for name, field in form._fields.items() if field.errors))
    return _("The rollout could not be started: check %(fields)s.", fields=fields)


def _load_run(run_id: int) -> RolloutRun:
    require(can_roll_out(current_user))
    return load_run(run_id, lambda run: can_follow_rollout_run(current_user, run))


@bp.get("/catalogue/rollouts/<int:run_id>")
@login_required
def run_progress(run_id: int):
    """Where a run stands: a progress bar, the failed projects with their error, and a
    button moving the next batch (the page's script presses it until the run is done)."""
    run = _load_run(run_id)
    counts = run_counts(run.id)
    failed = db.session.execute(run_entries(run.id, state=FAILED)).all()
    return render_template(
        "rollout/run.html",
        run=run,
        counts=counts,
        total=sum(counts.values()),
        failed=failed,
        form=ContinueRunForm(formdata=None),
    )


@bp.post("/catalogue/rollouts/<int:run_id>/next")
@login_required
def run_next(run_id: int):
    """Move the run's next batch of projects; JSON counts for the page's script (asked with
    ``Accept: application/json``), else back to the progress page."""
    run = _load_run(run_id)
    ContinueRunForm().check()
    counts = run_batch(run, actor=current_user)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(counts=counts, total=sum(counts.values()), finished=not counts[PENDING])
    return redirect(url_for("rollout.run_progress", run_id=run_id))
