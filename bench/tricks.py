"""What each of the app's speed tricks saves on the pages, measured with it and without it in
the same interleaved rounds (this machine's speed drifts by up to 1.5x within minutes).

    python -m bench.tricks [--size 2000] [--rounds 40]

A trick stays only where it saves at least 0.5 ms on some page (the median of the paired
differences, the page rendered without the trick minus with it). The results are written to
``bench/tricks.json`` and printed as a table. Tricks measured and dropped for saving less
(100 rounds at 2,000 projects, 2026-12-05): the templates' gettext calling the catalogue
directly (0.35 ms at most), remembered day labels (0.42 and 0.17 ms), WTForms' messages
read once per language (0.16 ms), the item lists' statement built once (0.53 then 0.49 ms on
the overdue dashboard: not shown to pay). The page cache is measured under load (bench.dashboards).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask_babel import Domain

from bench.dashboards import PAGES, signed_in, subjects
from bench.datasets import dataset
from tracker import extensions
from tracker.insights import queries as insights_queries

HERE = Path(__file__).resolve().parent
CSM_EMAIL, CLIENT_EMAIL = "csm-0@bench.test", "client-0@bench.test"  # bench.populate's
THRESHOLD_MS = 0.5
MEASURED = [page for page in PAGES if not page.export and not page.post]


@contextmanager
def _patched(target, name: str, value) -> Iterator[None]:
    saved = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, saved)


@contextmanager
def without_request_domain(app) -> Iterator[None]:
    """Flask-Babel's own lookup of the catalogue for every string translated."""
    babel = extensions.babel
    with app.app_context():
        plain = Domain(domain=babel.domain)
    saved = babel.__dict__.get("domain_instance")
    babel.__dict__["domain_instance"] = plain
    try:
        yield
    finally:
        babel.__dict__["domain_instance"] = saved


@contextmanager
def without_progress_select_cache(app) -> Iterator[None]:
    built = insights_queries.progress_and_stats_select.__wrapped__
    with _patched(insights_queries, "progress_and_stats_select", built):
        yield


TRICKS: dict[str, Callable] = {
    "Babel catalogue kept per request (extensions.RequestDomain)": without_request_domain,
    "progress statement built once (insights.queries.progress_and_stats_select)": (
        without_progress_select_cache
    ),
}


def _time(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def measure(app, clients, s, trick: Callable, rounds: int) -> dict[str, float]:
    """Per page, the median of (without - with), over ``rounds`` paired renders."""
    savings: dict[str, list[float]] = {page.name: [] for page in MEASURED}
    for round_ in range(rounds + 2):  # two rounds to warm up
        for page in MEASURED:
            client, url = clients[page.who], page.url(s)
            order = (True, False) if round_ % 2 else (False, True)
            times = {}
            for with_trick in order:
                if with_trick:
                    times[True] = _time(client, url)
                else:
                    with trick(app):
                        times[False] = _time(client, url)
            if round_ >= 2:
                savings[page.name].append(times[False] - times[True])
    return {name: round(statistics.median(values), 3) for name, values in savings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--json", default=str(HERE / "tricks.json"))
    parser.add_argument("--only", default="", help="the tricks whose name holds this text")
    args = parser.parse_args()
    app, _ = dataset("sqlite", args.size)
    s = subjects(app)
    clients = {"csm": signed_in(app, CSM_EMAIL), "client": signed_in(app, CLIENT_EMAIL)}
    report = {}
    for name, trick in TRICKS.items():
        if args.only not in name:
            continue
        savings = measure(app, clients, s, trick, args.rounds)
        best = max(savings.values())
        report[name] = {"saves_ms": savings, "best_ms": best, "pays": best >= THRESHOLD_MS}
        print(f"{name}\n  best {best:.2f} ms ({'keep' if best >= THRESHOLD_MS else 'drop'}):")
        for page, value in savings.items():
            print(f"    {page:<28} {value:6.2f} ms")
    Path(args.json).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
