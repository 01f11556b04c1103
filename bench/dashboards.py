"""Benchmark of the main pages at 200 and 2,000 projects on SQLite (a script, not a test).

    python -m bench.dashboards [--sizes 200 2000] [--repeat 30]

For each data size it builds a fresh SQLite database in bench/, fills it with
bench.populate, then requests each page through the test client as the CSM (who sees every
project) and prints the median server time and the number of SQL queries per request.
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.populate import populate
from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.projects.models import Project

HERE = Path(__file__).resolve().parent


@contextmanager
def count_queries(engine):
    counter = {"n": 0}

    def before(*_args, **_kwargs):
        counter["n"] += 1

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def build(size: int):
    path = HERE / f"bench-{size}.sqlite3"
    path.unlink(missing_ok=True)
    app = create_app(TestConfig(f"sqlite:///{path}", PASSWORD_HASH_METHOD="pbkdf2:sha256:1000"))
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        populate(size)
        print(f"  built {size} projects in {time.perf_counter() - started:.1f} s ({path.name})")
    return app


def measure(app, repeat: int) -> list[tuple[str, float, int]]:
    client = app.test_client()
    response = client.post("/login", data={"email": "csm@demo.test", "password": "demo-password"})
    assert response.status_code == 302, "demo CSM cannot sign in"
    with app.app_context():
        busiest = db.session.scalar(
            sa.select(Project.id).order_by(Project.go_live_date, Project.id).limit(1)
        )
    pages = [
        ("portfolio", "/projects"),
        ("project page", f"/projects/{busiest}"),
        ("overdue dashboard", "/overdue"),
        ("my tasks", "/my-tasks"),
    ]
    results = []
    for name, url in pages:
        times, queries = [], set()
        for _ in range(repeat):
            with app.app_context(), count_queries(db.engine) as counter:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries.add(counter["n"])
        results.append((name, statistics.median(times), max(queries)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the tracker's main pages.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    table = {}
    for size in args.sizes:
        print(f"Data set: {size} projects")
        table[size] = measure(build(size), args.repeat)
    print()
    header = f"{'page':<20}" + "".join(
        f"{f'{s} projects: ms':>20}{'queries':>9}" for s in args.sizes
    )
    print(header)
    print("-" * len(header))
    for index, (name, _, _) in enumerate(table[args.sizes[0]]):
        cells = "".join(f"{table[s][index][1]:>20.1f}{table[s][index][2]:>9}" for s in args.sizes)
        print(f"{name:<20}{cells}")
    print("\nms: median server time over", args.repeat, "requests through the test client, SQLite.")


if __name__ == "__main__":
    main()
