"""The tracker's benchmark: pages, exports and writes at 200, 2,000 and 20,000 projects, on
SQLite and PostgreSQL, through the test client and under gunicorn (a script, not a test).

    python -m bench.dashboards [--sizes 200,2000,20000] [--dbs sqlite,postgresql]
                               [--repeat 30] [--load-seconds 5] [--no-load] [--two-servers]
                               [--no-cache] [--json bench/results.json]
    make bench [SIZES=200,2000] [DBS=sqlite] [TWO_SERVERS=1] [LOAD_SECONDS=5]

For each database and size it takes the data set (built once by bench.populate and kept:
bench/datasets.py), then

1. requests each page ``--repeat`` times through the Flask test client, signed in as a CSM
   (who sees every project) or a client user, after two warm-up requests, and records the
   median and 95th percentile server time and the SQL statements per request (exports, which
   grow with the data, are repeated until 10 s have passed, 3 times at least);
2. runs the page's bare SQL (bench/bare.py: the same data by hand-written SQL on the same
   connection) as many times: page/bare is the ratio of the medians;
3. times the catalogue instantiation of one project (``instantiate_catalogue`` and its
   flush, then rolled back) against the bare INSERT of the same rows;
4. unless ``--no-load``: starts gunicorn (gunicorn.conf.py, 2 workers, production settings)
   on the data set and runs wrk (1 thread, 4 connections, ``--load-seconds`` each, after 1 s
   of warm-up) on /healthz, the overdue dashboard and a project page, signed in with a real
   session cookie: requests per second, p99 latency, and every answer that is not 2xx
   counted as an error (bench/wrk_report.lua). With ``--two-servers`` (PostgreSQL only) two
   gunicorn servers on two ports serve the same database, the same cookie signs in on both,
   and two wrk processes load them at once: req/s summed, p99 the worse of the two. Each
   load run is made twice: without a shared cache (every page rendered), then with the
   page cache (tracker/pagecache.py) in the Redis of BENCH_REDIS_URL (redis://127.0.0.1:6379/0
   by default); ``--no-cache``, or no Redis answering, leaves the second out.

It prints one table (bench/README.md says how to read it) and writes it all as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.cookiejar import CookieJar
from pathlib import Path

import redis
import sqlalchemy as sa
from flask import before_render_template, template_rendered

from bench import bare
from bench.datasets import dataset, pg_available, url_for_dataset
from tracker.catalogue.queries import rules_of
from tracker.catalogue.rules import plan_items
from tracker.checklist.services import instantiate_catalogue
from tracker.enums import Deployment, Environment, Implementer, Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Project, User
from tracker.timeutil import today

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PASSWORD = "bench-password-123"  # noqa: S105 - bench.populate's documented bench credential
EXPORT_BUDGET_SECONDS = 10.0


# Savepoints are not the page's statements: the test suite runs each test in a transaction
# of its own, where the application's commits are savepoints (tests/database.py).
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def count_queries(engine, app=None):
    """Counts the SQL statements run on ``engine`` (``n``) and the time spent in them, from
    sending each to having its result (``ms``; rows are fetched after that, by the caller).

    With ``app``, also the time in its templates (``template_ms``): from Flask's
    ``before_render_template`` signal to its ``template_rendered``, less the time inside the
    statements run meanwhile (a value a template reads lazily; the ORM's work on their rows
    stays in). A render within a render counts once, in the outer one. A render that raises
    never sends ``template_rendered`` and is not counted (the benchmark fails such a page).
    """
    counter = {"n": 0, "ms": 0.0, "template_ms": 0.0}
    started: list[float] = []
    rendering: list[tuple[float, float]] = []  # (started, SQL ms so far) of open renders

    def before(_connection, _cursor, statement, *_args):
        if statement.startswith(TRANSACTION_CONTROL):
            return
        counter["n"] += 1
        started.append(time.perf_counter())

    def after(_connection, _cursor, statement, *_args):
        if started and not statement.startswith(TRANSACTION_CONTROL):
            counter["ms"] += (time.perf_counter() - started.pop()) * 1000

    def render_started(*_args, **_kwargs):
        rendering.append((time.perf_counter(), counter["ms"]))

    def render_ended(*_args, **_kwargs):
        if not rendering:
            return
        began, sql_before = rendering.pop()
        if not rendering:  # the outermost render: it holds any within it
            elapsed = (time.perf_counter() - began) * 1000
            counter["template_ms"] += elapsed - (counter["ms"] - sql_before)

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    if app is not None:
        before_render_template.connect(render_started, app)
        template_rendered.connect(render_ended, app)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
        if app is not None:
            before_render_template.disconnect(render_started, app)
            template_rendered.disconnect(render_ended, app)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (the value below which ``share`` of the values fall)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Page:
    name: str
    who: str  # "csm" or "client"
    url: Callable[[bare.Subjects], str]
    bare: Callable | None
    export: bool = False
    post: bool = False


PAGES = [
    Page("portfolio (first page)", "csm", lambda s: "/projects", bare.portfolio),
    Page("project page", "csm", lambda s: f"/projects/{s.project_id}", bare.project_page),
    Page("my tasks (CSM)", "csm", lambda s: "/my-tasks", bare.my_tasks_csm),
    Page("my tasks (client)", "client", lambda s: "/my-tasks", bare.my_tasks_client),
    Page("overdue dashboard", "csm", lambda s: "/overdue", bare.overdue),
    Page(
        "overdue, party filter",
        "csm",
        lambda s: "/overdue?party=client",
        lambda c, s: bare.overdue(c, s, party="client"),
    ),
    Page(
        "overdue, CSM filter",
        "csm",
        lambda s: f"/overdue?csm={s.csm_id}",
        lambda c, s: bare.overdue(c, s, csm=s.csm_id),
    ),
    Page(
        "overdue, customer filter",
        "csm",
        lambda s: f"/overdue?customer={s.customer_id}",
        lambda c, s: bare.overdue(c, s, customer=s.customer_id),
    ),
    Page(
        "item status change (POST)",
        "csm",
        lambda s: f"/projects/{s.project_id}/items/{s.item_id}",
        bare.status_change,
        post=True,
    ),
    Page("export portfolio CSV", "csm", lambda s: "/projects/export.csv",
         bare.export_portfolio, True),
    Page("export portfolio XLSX", "csm", lambda s: "/projects/export.xlsx",
         bare.export_portfolio, True),
    Page(
        "export checklist CSV",
        "csm",
        lambda s: f"/projects/{s.project_id}/export.csv",
        bare.export_checklist,
        True,
    ),
    Page(
        "export checklist XLSX",
        "csm",
        lambda s: f"/projects/{s.project_id}/export.xlsx",
        bare.export_checklist,
        True,
    ),
    Page("export overdue CSV", "csm", lambda s: "/overdue/export.csv", bare.export_overdue, True),
    Page("export overdue XLSX", "csm", lambda s: "/overdue/export.xlsx", bare.export_overdue, True),
]  # fmt: skip
INSTANTIATION = "catalogue instantiation"


@dataclass
class Result:
    name: str
    url: str
    samples_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    template_ms: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)
    bare_ms: list[float] = field(default_factory=list)
    bytes: int = 0
    error: str | None = None

    def as_dict(self) -> dict:
        if self.error or not self.samples_ms:
            return {
                "name": self.name,
                "url": self.url,
                "error": self.error or "no samples",
                "n": 0,
                "median_ms": None,
                "p95_ms": None,
                "sql_ms": None,
                "template_ms": None,
                "queries": [],
                "bare_ms": None,
                "ratio": None,
                "bytes": 0,
            }
        median = statistics.median(self.samples_ms)
        bare_median = statistics.median(self.bare_ms) if self.bare_ms else None
        return {
            "name": self.name,
            "url": self.url,
            "n": len(self.samples_ms),
            "median_ms": round(median, 2),
            "p95_ms": round(percentile(self.samples_ms, 0.95), 2),
            "sql_ms": round(statistics.median(self.sql_ms), 2) if self.sql_ms else None,
            "template_ms": (
                round(statistics.median(self.template_ms), 2) if self.template_ms else None
            ),
            "queries": sorted(self.queries),
            "bare_ms": round(bare_median, 2) if bare_median is not None else None,
            "ratio": round(median / bare_median, 2) if bare_median else None,
            "bytes": self.bytes,
        }


# --- subjects ----------------------------------------------------------------------------


def subjects(app) -> bare.Subjects:
    with app.app_context():
        csm = db.session.scalar(sa.select(User).where(User.email == "csm-0@bench.test"))
        client = db.session.scalar(sa.select(User).where(User.email == "client-0@bench.test"))
        # The CSM's first active project with every party (an IMS contract and a partner:
        # the fullest page; any of theirs in a data set too small to have one) and an open
        # Infor item; and that item.
        candidates = (
            sa.select(ChecklistItem)
            .join(Project, ChecklistItem.project_id == Project.id)
            .where(
                Project.csm_id == csm.id,
                Project.archived_at.is_(None),
                ChecklistItem.party == Party.INFOR,
                ChecklistItem.status.in_((Status.TODO, Status.IN_PROGRESS)),
            )
            .order_by(Project.id, ChecklistItem.id)
            .limit(1)
        )
        item = db.session.scalar(
            candidates.where(
                Project.ims_contract.is_(True), Project.implementer == Implementer.PARTNER
            )
        ) or db.session.scalar(candidates)
        project = db.session.get(Project, item.project_id)
        return bare.Subjects(
            today=today(),
            days=app.config["DUE_SOON_DAYS"],
            csm_id=csm.id,
            client_id=client.id,
            customer_id=client.organisation_id,
            project_id=project.id,
            partner_id=project.partner_id,
            item_id=item.id,
            page_size=app.config["PAGE_SIZE"],
        )


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, f"{email} cannot sign in ({response.status_code})"
    return client


def _status_form(app, s: bare.Subjects) -> dict:
    """The item's update form as the page would post it, with the other status."""
    with app.app_context():
        item = db.session.get(ChecklistItem, s.item_id)
        new = Status.IN_PROGRESS if item.status is Status.TODO else Status.TODO
        prefix = f"item{item.id}-"
        data = {
            f"{prefix}status": new.value,
            f"{prefix}reason": "",
            f"{prefix}assignee_id": str(item.assignee_id or 0),
            f"{prefix}due_date": item.due_date.isoformat(),
            f"{prefix}version": str(item.version),
            f"{prefix}next": f"/projects/{s.project_id}",
        }
        db.session.remove()
        return data


# --- the test-client measurements --------------------------------------------------------


def measure_page(app, clients: dict, s: bare.Subjects, page: Page, repeat: int) -> Result:
    url = page.url(s)
    client = clients[page.who]
    result = Result(page.name, url)
    budget_end = time.perf_counter() + EXPORT_BUDGET_SECONDS
    runs = 0
    for warm_up in (True, True, *([False] * repeat)):
        if page.export and not warm_up and runs >= 3 and time.perf_counter() > budget_end:
            break
        data = _status_form(app, s) if page.post else None
        with app.app_context(), count_queries(db.engine, app) as counter:
            started = time.perf_counter()
            response = client.post(url, data=data) if page.post else client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        expected = 302 if page.post else 200
        assert response.status_code == expected, (url, response.status_code)
        if page.post:
            assert "#item-" in response.headers["Location"], response.headers["Location"]
        if warm_up:
            continue
        runs += 1
        result.samples_ms.append(elapsed)
        result.sql_ms.append(counter["ms"])
        result.template_ms.append(counter["template_ms"])
        result.queries.add(counter["n"])
        result.bytes = len(response.data)
    if page.bare:
        with app.app_context(), db.engine.connect() as connection:
            page.bare(connection, s)  # warm-up
            connection.rollback()
            for _ in range(len(result.samples_ms)):
                started = time.perf_counter()
                page.bare(connection, s)
                result.bare_ms.append((time.perf_counter() - started) * 1000)
                connection.rollback()
    return result


def _new_project(name: str, template: Project, csm: User, today) -> Project:
    """A project with every optional row (MT, PROD, DMF, VPN) for the template's customer:
    what the instantiation measures. Reading ``csm.id`` here also reloads the CSM (expired
    by the last rollback) before the statements are counted."""
    return Project(
        name=name,
        customer_id=template.customer_id,
        csm_id=csm.id,
        catalogue_version_id=template.catalogue_version_id,
        deployment=Deployment.MULTI_TENANT,
        environment=Environment.PROD,
        ims_contract=False,
        implementer=Implementer.INFOR,
        data_migration=True,
        vpn_required=True,
        kickoff_date=today,
        go_live_date=today.replace(year=today.year + 1),
    )


def measure_instantiation(app, s: bare.Subjects, repeat: int) -> Result:
    """``instantiate_catalogue`` of a new project (and its flush), rolled back each time;
    bare: the INSERT of the same rows and of the event, rolled back."""
    result = Result(INSTANTIATION, "instantiate_catalogue()")
    with app.app_context():
        csm = db.session.get(User, s.csm_id)
        template = db.session.get(Project, s.project_id)
        for index in range(repeat + 2):
            project = _new_project(f"Bench instantiation {index}", template, csm, s.today)
            db.session.add(project)
            db.session.flush()
            with count_queries(db.engine) as counter:
                started = time.perf_counter()
                items = instantiate_catalogue(project, actor=csm)
                db.session.flush()
                elapsed = (time.perf_counter() - started) * 1000
            db.session.rollback()
            if index >= 2:
                result.samples_ms.append(elapsed)
                result.sql_ms.append(counter["ms"])
                result.queries.add(counter["n"])
        # bare: the same rows, planned once, inserted by hand
        project = _new_project("Bench instantiation bare", template, csm, s.today)
        db.session.add(project)
        db.session.flush()
        planned = list(plan_items(project, rules_of(project.catalogue_version_id)).values())
        rows = [
            {
                "p": project.id,
                "r": plan.responsibility_id,
                "party": plan.party.value,
                "due": plan.due_date,
                "accountable": plan.accountable.value,
                "contributors": [party.value for party in plan.contributors],
            }
            for plan in planned
        ]
        insert = sa.text(
            "INSERT INTO checklist_items (project_id, responsibility_id, party, status, due_date,"
            " not_applicable_by_rule, created_at, updated_at, version, accountable, contributors)"
            " VALUES (:p, :r, :party, 'todo', :due, false, CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP, 1, :accountable, :contributors)"
        ).bindparams(
            sa.bindparam("due", type_=sa.Date), sa.bindparam("contributors", type_=sa.JSON)
        )
        event = sa.text(
            "INSERT INTO events (project_id, actor_id, created_at, action, new_value)"
            " VALUES (:p, :u, CURRENT_TIMESTAMP, 'project.checklist_created', :n)"
        )
        connection = db.session.connection()
        for index in range(repeat + 2):
            nested = connection.begin_nested()
            started = time.perf_counter()
            connection.execute(
                sa.text("SELECT id, key FROM responsibilities WHERE version_id = :v"),
                {"v": project.catalogue_version_id},
            ).all()
            connection.execute(insert, rows)
            connection.execute(event, {"p": project.id, "u": csm.id, "n": f"{len(rows)} items"})
            elapsed = (time.perf_counter() - started) * 1000
            nested.rollback()
            if index >= 2:
                result.bare_ms.append(elapsed)
        db.session.rollback()
    result.bytes = items
    return result


# --- under load --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving app:app with the production settings (gunicorn.conf.py) on one
    database; ``settings`` adds or overrides environment variables."""

    def __init__(
        self,
        database_url: str,
        secret: str,
        log: Path,
        *,
        workers: int = 2,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": secret,
            "TRACKER_ENV": "production",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            **(settings or {}),
        }
        self.log = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "app:app"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start (see {log})")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in_over_http(base: str, email: str) -> str:
    """Sign in through the real form (CSRF token included); the session cookie header."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(f"{base}/login", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    try:
        opener.open(f"{base}/login", data=body.encode(), timeout=10)
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise
        answer.close()
    # The first page after signing in shows (and so drops) the "Signed in" message, as a
    # browser's would: a session with a message waiting is never served a kept page.
    with opener.open(f"{base}/my-tasks", timeout=30) as response:
        response.read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "session" in cookies, "no session cookie after signing in"
    return f"session={cookies['session']}"


def wrk(urls: list[str], cookie: str, seconds: int) -> dict:
    """Load each URL with its own wrk process, all at once; combined figures."""
    script = str(HERE / "wrk_report.lua")
    program = shutil.which("wrk") or "wrk"

    def start(url: str, duration: int):
        return subprocess.Popen(  # noqa: S603 - wrk with fixed arguments
            [program, "-t1", "-c4", f"-d{duration}s", "--timeout", "10s", "-s", script,
             "-H", f"Cookie: {cookie}", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip

    for process in [start(url, 1) for url in urls]:  # warm-up, discarded
        process.communicate()
    outputs = [process.communicate()[0] for process in [start(url, seconds) for url in urls]]
    runs = []
    for output in outputs:
        line = next((x for x in output.splitlines() if x.startswith("WRK_JSON ")), None)
        assert line, output
        runs.append(json.loads(line.removeprefix("WRK_JSON ")))
    errors = sum(
        r["non_2xx"] + r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
        for r in runs
    )
    return {
        "req_per_s": round(sum(r["requests"] / (r["duration_us"] / 1e6) for r in runs), 1),
        "p50_ms": round(max(r["p50_us"] for r in runs) / 1000, 2),
        "p99_ms": round(max(r["p99_us"] for r in runs) / 1000, 2),
        "requests": sum(r["requests"] for r in runs),
        "errors": errors,
        "servers": len(urls),
    }


REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_available() -> str | None:
    """None if the benchmark's Redis answers, else why not."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as error:
        return str(error)
    return None


def measure_load(
    kind: str, size: int, s: bare.Subjects, seconds: int, servers: int, *, cache: bool
) -> dict:
    """wrk on the trivial endpoint, the dashboard and the project page. ``cache``: the
    servers share the Redis of REDIS_URL (the page cache, tracker/pagecache.py, under a key
    prefix of this run's), else none (no page is kept)."""
    secret = secrets.token_hex(16)
    log = Path(tempfile.gettempdir()) / f"tracker-bench-gunicorn-{kind}-{size}.log"
    settings = {"TRACKER_REDIS_URL": ""}
    if cache:
        settings = {
            "TRACKER_REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": f"tracker-bench-{secrets.token_hex(4)}",
            "RATELIMIT_KEY_PREFIX": f"tracker-bench-{secrets.token_hex(4)}",
        }
    url = url_for_dataset(kind, size)
    started = [Server(url, secret, log, settings=settings) for _ in range(servers)]
    try:
        # One sign-in, on the first server: the signed cookie works on every instance.
        cookie = sign_in_over_http(started[0].base, "csm-0@bench.test")
        endpoints = {
            "trivial (/healthz)": "/healthz",
            "overdue dashboard": "/overdue",
            "project page": f"/projects/{s.project_id}",
        }
        results = {}
        for name, path in endpoints.items():
            results[name] = wrk([f"{server.base}{path}" for server in started], cookie, seconds)
        trivial = results["trivial (/healthz)"]["req_per_s"]
        for figures in results.values():
            figures["share_of_trivial"] = round(figures["req_per_s"] / trivial, 2)
        return results
    finally:
        for server in started:
            server.stop()


# --- the run -----------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sa.__version__ and __import__("sqlite3").sqlite_version,
        "platform": platform.platform(),
    }


def run_dataset(kind, size, args) -> dict:
    print(f"\n== {kind}, {size} projects")
    app, record = dataset(kind, size)
    load_before = [round(x, 2) for x in os.getloadavg()]
    if kind == "postgresql":
        with app.app_context():
            record["server"] = {
                name: db.session.scalar(sa.text(f"SHOW {name}"))
                for name in (
                    "server_version",
                    "shared_buffers",
                    "work_mem",
                    "random_page_cost",
                    "max_parallel_workers_per_gather",
                )
            }
    s = subjects(app)
    clients = {
        "csm": signed_in(app, "csm-0@bench.test"),
        "client": signed_in(app, "client-0@bench.test"),
    }
    results = []
    for page in PAGES:
        try:
            result = measure_page(app, clients, s, page, args.repeat)
        except Exception as error:  # a broken page is reported, and the run goes on
            print(f"  {page.name}: FAILED: {type(error).__name__}: {error}", flush=True)
            result = Result(page.name, page.url(s), error=f"{type(error).__name__}: {error}")
        results.append(result)
        print(f"  {_row(result.as_dict())}", flush=True)
    result = measure_instantiation(app, s, args.repeat)
    results.insert(PAGES.index(next(p for p in PAGES if p.post)), result)
    print(f"  {_row(result.as_dict())}", flush=True)
    with app.app_context():
        db.engine.dispose()
    load = None
    if not args.no_load:
        Path(tempfile.gettempdir(), f"tracker-bench-gunicorn-{kind}-{size}.log").unlink(
            missing_ok=True
        )
        load = {}
        settings = [(1, False)]
        if args.two_servers and kind == "postgresql":
            settings.append((2, False))
        if not args.no_cache:
            settings += [(n, True) for n, _ in list(settings)]
        for servers, cache in settings:
            name = ("one server" if servers == 1 else "two servers") + (
                ", page cache" if cache else ""
            )
            load[name] = measure_load(kind, size, s, args.load_seconds, servers, cache=cache)
            for endpoint, figures in load[name].items():
                print(f"  load ({name}), {endpoint}: {figures}", flush=True)
    return {
        "db": kind,
        "projects": size,
        # The machine's load average (1, 5, 15 min) before and after: other work running at
        # the same time shows here, and in the times.
        "loadavg": {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]},
        "dataset": record,
        "subjects": {k: str(v) if isinstance(v, date) else v for k, v in vars(s).items()},
        "pages": [r.as_dict() for r in results],
        "load": load,
    }


def _ms(value) -> float:
    return float("nan") if value is None else value


def _cells(r: dict) -> tuple[str, str, str, str, str]:
    """A page's queries, sql, template, bare and page/bare as the tables write them ("-":
    none)."""

    def shown(value, unit: str = "") -> str:
        return "-" if value is None else f"{value:.1f}{unit}"

    queries = "/".join(str(q) for q in r["queries"])
    return (
        queries,
        shown(r.get("sql_ms")),
        shown(r.get("template_ms")),
        shown(r["bare_ms"]),
        shown(r["ratio"], "x"),
    )


def _row(r: dict) -> str:
    queries, sql, template, bare_ms, ratio = _cells(r)
    return (
        f"{r['name']:<28}{_ms(r['median_ms']):>9.1f}{_ms(r['p95_ms']):>9.1f}{r['n']:>4}"
        f"{queries:>8}{sql:>8}{template:>9}{bare_ms:>9}{ratio:>8}"
    )


def print_table(report: dict) -> None:
    runs = report["runs"]
    print("\nServer time through the Flask test client (ms: median, 95th percentile, of n), SQL")
    print("statements per request and the time in them (sql), the time in the template less")
    print("its SQL (template), and the hand-written bare SQL of the same data on the same")
    print("connection (bare, ms):\n")
    header = (
        f"{'page':<28}{'db':<11}{'projects':>9}{'median':>9}{'p95':>9}{'n':>4}"
        f"{'queries':>8}{'sql':>8}{'template':>9}{'bare':>9}{'page/bare':>10}"
    )
    print(header)
    print("-" * len(header))
    names = [p["name"] for p in runs[0]["pages"]] if runs else []
    for name in names:
        for run in runs:
            r = next(p for p in run["pages"] if p["name"] == name)
            queries, sql, template, bare_ms, ratio = _cells(r)
            print(
                f"{name:<28}{run['db']:<11}{run['projects']:>9}{_ms(r['median_ms']):>9.1f}"
                f"{_ms(r['p95_ms']):>9.1f}{r['n']:>4}{queries:>8}{sql:>8}{template:>9}"
                f"{bare_ms:>9}{ratio:>10}"
            )
    loads = [(run, run["load"]) for run in runs if run["load"]]
    if loads:
        print("\nUnder gunicorn (2 workers per server), wrk 1 thread 4 connections per server:\n")
        header = (
            f"{'endpoint':<22}{'servers':>8}{'cache':>7}{'db':>11}{'projects':>9}{'req/s':>9}"
            f"{'p99 ms':>9}{'errors':>8}{'of trivial':>11}"
        )
        print(header)
        print("-" * len(header))
        for run, load in loads:
            for setting, results in load.items():
                cache = "yes" if "page cache" in setting else "no"
                for name, f in results.items():
                    print(
                        f"{name:<22}{f['servers']:>8}{cache:>7}{run['db']:>11}"
                        f"{run['projects']:>9}{f['req_per_s']:>9.0f}{f['p99_ms']:>9.1f}"
                        f"{f['errors']:>8}{f['share_of_trivial']:>11.2f}"
                    )
    for note in report["notes"]:
        print(f"\nNote: {note}")


def checks(report: dict) -> list[str]:
    """The targets, checked: queries constant, medians, ratios, load, instantiation."""
    lines = []
    by_name: dict[str, dict] = {}
    for run in report["runs"]:
        for r in run["pages"]:
            by_name.setdefault(r["name"], {})[(run["db"], run["projects"])] = r
    for name, per_run in by_name.items():
        for kind in ("sqlite", "postgresql"):
            counts = {size: r["queries"] for (k, size), r in per_run.items() if k == kind}
            if len(counts) > 1 and len({tuple(q) for q in counts.values()}) > 1:
                lines.append(f"queries vary with the size: {name} on {kind}: {counts}")
    return lines


def markdown(report: dict, sizes: list[int]) -> str:
    """The results as Markdown tables (bench/README.md): one per database, pages by size."""
    out = []
    for kind in ("sqlite", "postgresql"):
        runs = [r for r in report["runs"] if r["db"] == kind and r["projects"] in sizes]
        if not runs:
            continue
        out.append(f"\n**{kind}**\n")
        head = "| page | " + " | ".join(
            f"{r['projects']:,}: median / p95 ms | queries | sql ms | template ms | bare ms"
            " | page/bare"
            for r in runs
        )
        out.append(head + " |")
        out.append("|---" * (1 + 6 * len(runs)) + "|")
        for index, page in enumerate(runs[0]["pages"]):
            cells = []
            for run in runs:
                p = run["pages"][index]
                cells += [f"{_ms(p['median_ms']):.1f} / {_ms(p['p95_ms']):.1f}", *_cells(p)]
            out.append(f"| {page['name']} | " + " | ".join(cells) + " |")
    loads = [r for r in report["runs"] if r["load"] and r["projects"] in sizes]
    if loads:
        out.append("\n**Under gunicorn** (2 workers a server; wrk: 1 thread, 4 connections)\n")
        out.append(
            "| db | projects | servers | page cache | endpoint | req/s | p99 ms | errors"
            " | of trivial |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|")
        for run in loads:
            for setting, results in run["load"].items():
                cache = "yes" if "page cache" in setting else "no"
                for name, f in results.items():
                    out.append(
                        f"| {run['db']} | {run['projects']:,} | {f['servers']} | {cache} | "
                        f"{name} | {f['req_per_s']:.0f} | {f['p99_ms']:.1f} | {f['errors']} | "
                        f"{f['share_of_trivial']:.2f} |"
                    )
    return "\n".join(out)


def _floor(page: dict) -> str:
    """What a page's template and SQL alone come to, over its bare SQL: about the least its
    ratio could be with Flask, the session, the ORM and the view taking no time at all (the
    template's time keeps the ORM's work on a value it reads lazily)."""
    if not page.get("template_ms") or not page["bare_ms"]:
        return ""
    floor = (page["template_ms"] + (page["sql_ms"] or 0)) / page["bare_ms"]
    return f" (template and SQL alone {floor:.1f}x)"


def targets(report: dict) -> list[str]:
    """The issue's targets, checked at the largest size of each database."""
    lines = []
    for kind in ("sqlite", "postgresql"):
        runs = [r for r in report["runs"] if r["db"] == kind]
        if not runs:
            continue
        run = max(runs, key=lambda r: r["projects"])
        where = f"{kind}, {run['projects']:,} projects"
        pages = [p for p in run["pages"] if not p["name"].startswith("export")]
        slow = [p["name"] for p in pages if p["median_ms"] is None or p["median_ms"] >= 100]
        far = [
            f"{p['name']} {p['ratio']:.1f}x" + _floor(p)
            for p in pages
            if p["ratio"] is not None and p["ratio"] > 3
        ]
        instantiation = next(p for p in run["pages"] if p["name"] == INSTANTIATION)
        lines.append(
            f"{where}: median under 100 ms: "
            + ("every page" if not slow else "not " + ", ".join(slow))
            + "; within 3x of the bare SQL: "
            + ("every page" if not far else "not " + ", ".join(far))
            + f"; instantiation {instantiation['median_ms']:.1f} ms (target < 20)"
        )
        for setting, results in (run["load"] or {}).items():
            shares = ", ".join(
                f"{name} {f['share_of_trivial']:.2f} of trivial, {f['errors']} errors"
                for name, f in results.items()
                if not name.startswith("trivial")
            )
            lines.append(f"{where}, under load ({setting}): {shares} (target >= 0.50, 0)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the tracker at scale.")
    parser.add_argument("--sizes", default="200,2000,20000")
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--load-seconds", type=int, default=5)
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn/wrk runs")
    parser.add_argument("--two-servers", action="store_true", help="also load two servers")
    parser.add_argument(
        "--no-cache", action="store_true", help="load runs without the page cache only"
    )
    parser.add_argument("--json", type=Path, help="write the results there")
    parser.add_argument(
        "--markdown", type=Path, help="print the results of that JSON file as Markdown, only"
    )
    args = parser.parse_args()
    if args.markdown:
        report = json.loads(args.markdown.read_text())
        sizes = [int(x) for x in args.sizes.replace(" ", ",").split(",") if x]
        print(markdown(report, sizes))
        return
    sizes = [int(x) for x in args.sizes.replace(" ", ",").split(",") if x]
    kinds = [x for x in args.dbs.replace(" ", ",").split(",") if x]
    notes = []
    if "postgresql" in kinds:
        why = pg_available()
        if why:
            kinds.remove("postgresql")
            notes.append(f"PostgreSQL skipped: not reachable ({why}).")
    if not args.no_load and not shutil.which("wrk"):
        args.no_load = True
        notes.append("Load runs skipped: wrk is not installed.")
    if not args.no_load and not args.no_cache:
        why = redis_available()
        if why:
            args.no_cache = True
            notes.append(f"Load runs with the page cache skipped: no Redis at {REDIS_URL} ({why}).")
    report = {
        "command": " ".join(["python -m bench.dashboards", *sys.argv[1:]]),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine(),
        "repeat": args.repeat,
        "load_seconds": None if args.no_load else args.load_seconds,
        "runs": [],
        "notes": notes,
    }
    for kind in kinds:
        for size in sizes:
            report["runs"].append(run_dataset(kind, size, args))
    report["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    report["notes"] += checks(report)
    report["targets"] = targets(report)
    print_table(report)
    print("\nTargets:")
    for line in report["targets"]:
        print(f"- {line}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
        print(f"\nWritten to {args.json}.")


if __name__ == "__main__":
    main()
