"""The project page of two checkouts compared, at one data set, in interleaved rounds.

    .venv/bin/python -m bench.project_page --database sqlite:////tmp/bench-20000.sqlite3 \\
        --compare before=/tmp/before after=. [--rounds 12] [--requests 15]

Each round runs, in turn for each checkout, a process that imports that checkout's app,
signs in as ``csm-0@bench.test`` and times, in the Flask test client, the project page of
``bench.dashboards.subjects`` (the CSM's fullest active project), ``/healthz`` (the floor: a
request that reads no project) and the page's bare SQL (``bench.bare.project_page``), one
after the other, ``--requests`` times each after 2 warm-up requests. The machine's speed
drifts: alternating the checkouts round after round keeps that drift out of the comparison.
Prints, per checkout, the median over every request of every round, and the page's size.

The data set must be at a revision both checkouts can read (build it with the older one:
``bench.populate``, then ``flask db upgrade`` with the newer). ``--sample`` (one round of one
checkout, as JSON) is what each process runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def sample(database: str, requests: int) -> dict:
    """One round in this process: the page, the floor and the bare SQL, interleaved."""
    from bench import bare
    from bench.dashboards import signed_in, subjects
    from bench.datasets import bench_config
    from tracker import create_app
    from tracker.extensions import db

    app = create_app(bench_config(database))
    s = subjects(app)
    client = signed_in(app, "csm-0@bench.test")
    url = f"/projects/{s.project_id}"
    times: dict[str, list[float]] = {"page": [], "floor": [], "bare": []}
    size = 0

    def bare_sql() -> None:
        with app.app_context(), db.engine.connect() as connection:
            bare.project_page(connection, s)

    for run in range(requests + 2):
        for name, call in (
            ("page", lambda: client.get(url)),
            ("floor", lambda: client.get("/healthz")),
            ("bare", bare_sql),
        ):
            start = time.perf_counter()
            answer = call()
            elapsed = (time.perf_counter() - start) * 1000
            if name == "page":
                assert answer.status_code == 200, answer.status_code
                size = len(answer.data)
            if run >= 2:
                times[name].append(elapsed)
    return {"times": times, "bytes": size, "url": url}


def compare(database: str, checkouts: dict[str, Path], rounds: int, requests: int) -> dict:
    collected = {name: {"page": [], "floor": [], "bare": [], "bytes": 0} for name in checkouts}
    for number in range(rounds):
        for name, root in checkouts.items():
            output = subprocess.run(  # noqa: S603 - this script, run in another checkout
                [sys.executable, str(HERE), "--sample", "--database", database,
                 "--requests", str(requests)],
                cwd=root, capture_output=True, text=True, check=True,
                env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
            ).stdout  # fmt: skip
            result = json.loads(output.splitlines()[-1])
            for kind, values in result["times"].items():
                collected[name][kind].extend(values)
            collected[name]["bytes"] = result["bytes"]
        print(f"round {number + 1}/{rounds}", file=sys.stderr)
    return {
        name: {
            **{kind: round(statistics.median(values), 2)
               for kind, values in data.items() if kind != "bytes"},
            "bytes": data["bytes"],
        }
        for name, data in collected.items()
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of the data set")
    parser.add_argument("--compare", nargs="+", metavar="NAME=CHECKOUT", default=[])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--sample", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sample:
        print(json.dumps(sample(args.database, args.requests)))
        return 0
    checkouts = {
        name: Path(path).resolve() for name, path in (entry.split("=", 1) for entry in args.compare)
    }
    if not checkouts:
        parser.error("--compare NAME=CHECKOUT ... is required")
    results = compare(args.database, checkouts, args.rounds, args.requests)
    print(f"{'checkout':<12} {'page ms':>8} {'bare ms':>8} {'floor ms':>9} {'HTML bytes':>11}")
    for name, r in results.items():
        print(f"{name:<12} {r['page']:>8} {r['bare']:>8} {r['floor']:>9} {r['bytes']:>11,}")
    return 0


if __name__ == "__main__":
    if "--sample" in sys.argv:
        sys.path.insert(0, str(Path.cwd()))  # the checkout measured, not this file's
    sys.exit(main())
