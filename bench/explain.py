"""The query plans of the dashboard, my-tasks and portfolio queries (with the progress and
health of the portfolio's first page), and of the project page's assignee menus, on a
benchmark data set.

    python -m bench.explain [--size 20000] [--dbs sqlite,postgresql] > plans.md

Prints, as Markdown, ``EXPLAIN QUERY PLAN`` (SQLite) and ``EXPLAIN (ANALYZE, COSTS OFF,
TIMING OFF)`` (PostgreSQL) of the SQL the app sends for each list and count, as the CSM (who
sees every project) or the client user of the benchmark (bench/README.md). The data set
must exist (``make bench`` builds it).
"""

from __future__ import annotations

import argparse
import logging

import sqlalchemy as sa

from bench.dashboards import subjects
from bench.datasets import dataset
from tracker.dashboard import queries as lists
from tracker.enums import Party
from tracker.extensions import db
from tracker.insights.queries import progress_and_stats_select
from tracker.models import Project, User
from tracker.projects import queries as projects

NOISE = ("Cache Key:", "Cache Mode:", "Hits:", "Memory Usage:", "Buckets:")


def statements(app) -> list[tuple[str, sa.Select]]:
    s = subjects(app)
    with app.app_context():
        csm = db.session.get(User, s.csm_id)
        client = db.session.get(User, s.client_id)
        day = s.today
        page = s.page_size
        customer = {"customer_id": s.customer_id}
        return [
            ("overdue, first page", lists.overdue_select(csm, day).limit(page)),
            ("overdue, count", lists.overdue_count(csm, day)),
            ("due soon, first page", lists.due_soon_select(csm, day, s.days).limit(page)),
            ("due soon, count", lists.due_soon_count(csm, day, s.days)),
            (
                "overdue, party filter, first page",
                lists.overdue_select(csm, day, party=Party.CLIENT).limit(page),
            ),
            ("overdue, party filter, count", lists.overdue_count(csm, day, party=Party.CLIENT)),
            (
                "overdue, CSM filter, first page",
                lists.overdue_select(csm, day, csm_id=csm.id).limit(page),
            ),
            ("overdue, CSM filter, count", lists.overdue_count(csm, day, csm_id=csm.id)),
            (
                "overdue, customer filter, first page",
                lists.overdue_select(csm, day, **customer).limit(page),
            ),
            ("overdue, customer filter, count", lists.overdue_count(csm, day, **customer)),
            ("my tasks (CSM), first page", lists.my_tasks_select(csm).limit(page)),
            ("my tasks (CSM), count", lists.my_tasks_count(csm)),
            ("my tasks (client), first page", lists.my_tasks_select(client).limit(page)),
            ("my tasks (client), count", lists.my_tasks_count(client)),
            ("portfolio, first page", projects.portfolio_select(csm).limit(page)),
            ("portfolio, count", projects.portfolio_count(csm)),
            (
                "portfolio, progress and health of the first page",
                progress_and_stats_select().params(
                    today=day,
                    ids=db.session.scalars(
                        projects.portfolio_select(csm).with_only_columns(Project.id).limit(page)
                    ).all(),
                ),
            ),
            (
                "project page, the assignee menus",
                projects.assignable_users_select(db.session.get(Project, s.project_id)),
            ),
        ]


def explain(app, kind: str) -> str:
    out = []
    with app.app_context():
        connection = db.session.connection()
        for title, select in statements(app):
            sql = str(
                select.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
            )
            connection.exec_driver_sql(sql).fetchall()  # warm
            if kind == "sqlite":
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
                depth = {0: ""}
                lines = []
                for node, parent, _, detail in rows:
                    depth[node] = depth.get(parent, "") + "  "
                    lines.append(f"{depth[node]}{detail}")
            else:
                rows = connection.exec_driver_sql(
                    f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}"
                ).all()
                lines = [r[0] for r in rows if not r[0].strip().startswith(NOISE)]
            out.append(f"#### {title}\n\n```\n" + "\n".join(lines) + "\n```\n")
        db.session.rollback()
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description="Query plans of the dashboard queries.")
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--dbs", default="sqlite,postgresql")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    for kind in args.dbs.split(","):
        app, _ = dataset(kind, args.size, log=lambda *a: None)
        print(f"### {kind}, {args.size:,} projects\n")
        print(explain(app, kind))


if __name__ == "__main__":
    main()
