"""``flask catalogue upgrade``: move running projects to a newer catalogue version."""

from __future__ import annotations

import click

from tracker.boundary import unit_of_work
from tracker.catalogue.cli import catalogue_cli
from tracker.catalogue.queries import version_numbered
from tracker.extensions import db
from tracker.models import Project
from tracker.rollout.plan import RowCache, plan_rollout
from tracker.rollout.queries import projects_to_upgrade
from tracker.rollout.services import apply_rollout


def _summary(counts: dict[str, int]) -> str:
    return (
        f"{counts['add']} added, {counts['retire']} retired, {counts['changed']} changed, "
        f"{counts['reopen']} reopened, {counts['flagged']} dates set by hand kept"
    )


@catalogue_cli.command("upgrade")
@click.option("--to", "number", required=True, type=click.IntRange(min=1), help="The version.")
@click.option("--project", "project_ids", multiple=True, type=click.IntRange(min=1))
@click.option("--all", "every", is_flag=True, help="Every active project on an older version.")
@click.option("--dry-run", is_flag=True, help="Say what would be done; write nothing.")
def upgrade_command(number: int, project_ids: tuple[int, ...], every: bool, dry_run: bool) -> None:
    """Move projects to catalogue version N (--to N): the projects named by --project, or
    --all. Each project in a transaction of its own: one that fails is reported and keeps
    its version, the others go on. Projects already on version N are skipped, so a run that
    stopped can simply be run again.
    """
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
