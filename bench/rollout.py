"""Rolling a catalogue version out to every project: the preview (``plan_rollout``) and the
move (``apply_rollout``, one transaction per project, as ``flask catalogue upgrade --all``),
timed on a fresh SQLite data set of ``--projects`` projects (bench.populate) to which a
second catalogue version is loaded with a few rows changed (one removed, one added, a text,
a phase, an offset and a condition changed).

    .venv/bin/python -m bench.rollout [--projects 2000] [--database sqlite:///path] [--run]

Prints the total time, the time per project and the SQL statements per project of each.
With --run the move goes through a recorded rollout run (tracker.rollout.runs), a batch at
a time as the progress page drives it, and the longest batch (one request) is printed too.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from flask_migrate import upgrade

from bench.dashboards import count_queries
from bench.datasets import bench_config
from bench.populate import populate
from tracker import create_app
from tracker.boundary import unit_of_work
from tracker.catalogue.loader import CatalogueSpec, load_catalogue, spec_of
from tracker.catalogue.queries import current_version
from tracker.extensions import db
from tracker.models import Project
from tracker.rollout.plan import RowCache, plan_rollout
from tracker.rollout.queries import projects_to_upgrade
from tracker.rollout.runs import BATCH, RolloutFilters, run_batch, start_run
from tracker.rollout.services import apply_rollout


def _second_version():
    data = spec_of(current_version()).model_dump(mode="json")
    rows = [row for area in data["areas"] for row in area["rows"]]
    keys = {row["key"]: row for row in rows}
    data["areas"][-1]["rows"] = [
        r for r in data["areas"][-1]["rows"] if r["key"] != "deploy_application_updates"
    ]
    keys["protect_and_remediate_security"]["text_en"] += " (revised)"
    keys["monitor_critical_applications"]["phase"] = "go_live"
    keys["monitor_underlying_technologies"]["due"] = "G-10"
    keys["track_adoption"]["condition"] = "data_migration"
    added = dict(keys["welcome_customer"], key="review_catalogue_changes", due="K+10")
    data["areas"][0]["rows"].append(added)
    with unit_of_work():
        version = load_catalogue(CatalogueSpec.model_validate(data)).version
    return version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--database", help="default: a new SQLite file in TMPDIR")
    parser.add_argument("--run", action="store_true", help="move through a rollout run")
    args = parser.parse_args()
    url = args.database or "sqlite:///" + os.path.join(
        tempfile.mkdtemp(prefix="bench-rollout-"), "rollout.sqlite3"
    )
    app = create_app(bench_config(url))
    with app.app_context():
        upgrade()
        made = populate(args.projects, seed=7, log=lambda *a: None)
        print(f"{made['projects']} projects, {made['items']} items on {url}")
        target = _second_version()
        ids = projects_to_upgrade(target, None)
        cache = RowCache()
        with count_queries(db.engine) as counter:
            started = time.perf_counter()
            for project_id in ids:
                plan_rollout(db.session.get(Project, project_id), target, cache=cache)
                db.session.expunge_all()
            preview = time.perf_counter() - started
        _report("preview", len(ids), preview, counter["n"])
        if args.run:
            _through_a_run(target, ids)
            return
        with count_queries(db.engine) as counter:
            started = time.perf_counter()
            for project_id in ids:
                with unit_of_work():
                    project = db.session.get(Project, project_id)
                    apply_rollout(project, target, actor=None, version=project.version, cache=cache)
            applied = time.perf_counter() - started
        _report("apply", len(ids), applied, counter["n"])


def _through_a_run(target, ids: list[int]) -> None:
    with unit_of_work():
        run = start_run(target, ids, RolloutFilters(), actor=None)
    longest = 0.0
    with count_queries(db.engine) as counter:
        started = time.perf_counter()
        while True:
            batch = time.perf_counter()
            counts = run_batch(run, actor=None)
            longest = max(longest, time.perf_counter() - batch)
            if not counts["pending"]:
                break
        applied = time.perf_counter() - started
    _report("run", len(ids), applied, counter["n"])
    print(f"longest batch of {BATCH}: {longest:.2f} s; {counts}")


def _report(what: str, projects: int, seconds: float, statements: int) -> None:
    print(
        f"{what}: {projects} projects in {seconds:.1f} s, {seconds / projects * 1000:.1f} ms "
        f"and {statements / projects:.1f} SQL statements per project"
    )


if __name__ == "__main__":
    main()
