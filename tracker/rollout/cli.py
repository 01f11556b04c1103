"""``flask catalogue upgrade``: move running projects to a newer catalogue version."""

from __future__ import annotations

import click

from tracker.boundary import unit_of_work
from tracker.catalogue.cli import catalogue_cli
from tracker.catalogue.queries import version_numbered
from tracker.extensions import db
from tracker.models import Project, RolloutRun
from tracker.models.rollout_run import DONE, FAILED, PENDING, SKIPPED
from tracker.rollout.plan import RowCache, plan_rollout
from tracker.rollout.queries import projects_to_upgrade, run_counts, run_entries
from tracker.rollout.runs import run_batch
from tracker.rollout.services import apply_rollout


def _summary(counts: dict[str, int]) -> str:
    return (
        f"{counts['add']} added, {counts['retire']} retired, {counts['changed']} changed, "
        f"{counts['reopen']} reopened, {counts['flagged']} dates set by hand kept"
    )


@catalogue_cli.command("upgrade")
@click.option("--to", "number", type=click.IntRange(min=1), help="The version.")
@click.option("--project", "project_ids", multiple=True, type=click.IntRange(min=1))
@click.option("--all", "every", is_flag=True, help="Every active project on an older version.")
@click.option("--dry-run", is_flag=True, help="Say what would be done; write nothing.")
@click.option(
    "--resume",
    "run_id",
    type=click.IntRange(min=1),
    help="Go on with a rollout run started on the web.",
)
def upgrade_command(
    number: int | None,
    project_ids: tuple[int, ...],
    every: bool,
    dry_run: bool,
    run_id: int | None,
) -> None:
    """Move projects to catalogue version N (--to N): the projects named by --project, or
    --all. Each project in a transaction of its own: one that fails is reported and keeps
    its version, the others go on. Projects already on version N are skipped, so a run that
    stopped can simply be run again. --resume RUN moves the projects a rollout run started
    on the catalogue's rollout page has still to do.
    """
    if run_id is not None:
        if number is not None or project_ids or every or dry_run:
            raise click.UsageError("--resume takes no other option.")
        _resume(run_id)
        return
    if number is None:
        raise click.UsageError("Give the version: --to N.")
    if bool(project_ids) == every:
        raise click.UsageError("Name projects with --project, or give --all (not both).")
    target = db.session.scalar(version_numbered(number))
    if target is None:
        raise click.ClickException(f"There is no catalogue version {number}.")
    ids = projects_to_upgrade(target, list(project_ids) if project_ids else None)
    skipped = sorted(set(project_ids) - set(ids))
    for project_id in skipped:
        click.echo(f"Project {project_id}: skipped (not found, archived, or already on {number}).")
    cache = RowCache()
    failed: list[int] = []
    lines: list[str] = []
    totals: dict[str, int] = {}
    with click.progressbar(ids, label=f"Upgrading to version {number}", file=None) as bar:
        for project_id in bar:
            try:
                project = db.session.get(Project, project_id)
                if dry_run:
                    plan = plan_rollout(project, target, cache=cache)
                else:
                    with unit_of_work():
                        plan = apply_rollout(
                            project, target, actor=None, version=project.version, cache=cache
                        )
                source, counts = plan.source.number, plan.counts()
            except Exception as error:  # one project's failure leaves the others going
                failed.append(project_id)
                lines.append(f"Project {project_id}: FAILED, stays on its version ({error}).")
                continue
            for kind, count in counts.items():
                totals[kind] = totals.get(kind, 0) + count
            verb = "would move" if dry_run else "moved"
            lines.append(
                f"Project {project_id}: {verb} from version {source} to {number}: "
                f"{_summary(counts)}."
            )
    for line in lines:
        click.echo(line)
    done = len(ids) - len(failed)
    what = "would be upgraded" if dry_run else "upgraded"
    summary = f"{done} project(s) {what} to version {number}"
    if totals:
        summary += f" ({_summary(totals)})"
    click.echo(summary + (f"; {len(failed)} failed: run again to retry." if failed else "."))
    if failed:
        raise SystemExit(1)


def _resume(run_id: int) -> None:
    run = db.session.get(RolloutRun, run_id)
    if run is None:
        raise click.ClickException(f"There is no rollout run {run_id}.")
    counts = run_counts(run_id)
    while counts[PENDING]:
        counts = run_batch(run, actor=None)
    click.echo(
        f"Rollout run {run_id} to version {run.target.number}: {counts[DONE]} moved, "
        f"{counts[FAILED]} failed, {counts[SKIPPED]} skipped."
    )
    for entry, name in db.session.execute(run_entries(run_id, state=FAILED)):
        click.echo(
            f"Project {entry.project_id} ({name}): FAILED, stays on its version ({entry.error})."
        )
    if counts[FAILED]:
        raise SystemExit(1)
