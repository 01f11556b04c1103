"""Fill a database with a realistic portfolio for benchmarks, fast (bulk inserts).

    python -m bench.populate --projects 20000

fills the database that DATABASE_URL names (after `flask db upgrade`), loading the
catalogue and the demo accounts first if they are missing, so the demo logins keep working.

What it adds, for N projects: 25 CSMs (each manages 1/25 of the projects), 8 partner
organisations with 2 consultants each, 4 IMS engineers, 0.4 N customers (a skewed spread:
the biggest customer has about sqrt(2.5 N) projects, 220 at 20,000; most have one or two)
with one or two client users each, and N projects from the current catalogue version
(about 26 items each, built by the app's own rules: ``catalogue.rules.plan_items``) with
kickoffs spread over the last 14 months and the next 2, 3% of them archived. Items get a
realistic spread of statuses (most past items done, some late, in progress or blocked),
assignees (about half of them), and an event per status change; a few get a comment.

Rows are written 1,000 projects at a time, with executemany (SQLite) or COPY (PostgreSQL);
then the planner statistics are refreshed: ``ANALYZE`` then ``PRAGMA optimize`` on SQLite,
``VACUUM ANALYZE`` on PostgreSQL (see docs/deployment.md).

The bench accounts: ``csm-0@bench.test`` .. ``csm-24@bench.test`` (CSMs),
``client-0@bench.test`` (a client user of the biggest customer), ... password
``bench-password-123``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from datetime import time as clock
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from tracker.catalogue.loader import DEFAULT_CATALOGUE, load_catalogue_file
from tracker.catalogue.queries import current_version, rules_of
from tracker.catalogue.rules import plan_items
from tracker.demo.data import create_demo_data, database_is_empty
from tracker.enums import (
    Deployment,
    Environment,
    Implementer,
    OrganisationKind,
    Party,
    Role,
    Status,
)
from tracker.extensions import db
from tracker.timeutil import today, utcnow

BENCH_PASSWORD = "bench-password-123"  # noqa: S105 - documented bench credential
CUSTOMERS_PER_PROJECT = 0.4  # about 2.5 projects per customer on average
CSM_COUNT = 25
PARTNER_COUNT = 8
CONSULTANTS_PER_PARTNER = 2
IMS_COUNT = 4
ARCHIVED_SHARE = 0.03
PROJECT_BATCH = 1000  # projects whose items are built and written at once
BLOCK_REASONS = (
    "Waiting for the customer's identity provider metadata.",
    "Firewall change request pending on the customer side.",
    "Needs a decision on the test scenarios from the steering committee.",
)
COMMENTS = (
    "Discussed in the weekly call; next step agreed.",
    "Reminder sent to the customer.",
    "Documentation shared by e-mail.",
)


def _ensure_base() -> None:
    if current_version() is None:
        load_catalogue_file(DEFAULT_CATALOGUE)
    if database_is_empty():
        create_demo_data(today())
    db.session.commit()


def _next_id(table: str) -> int:
    return (db.session.scalar(sa.text(f"SELECT max(id) FROM {table}")) or 0) + 1  # noqa: S608


class Writer:
    """Bulk writes on the session's connection: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self) -> None:
        self.connection = db.session.connection()
        self.postgresql = self.connection.dialect.name == "postgresql"
        self.rows = 0

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        rows = list(rows)
        if not rows:
            return
        self.rows += len(rows)
        if self.postgresql:
            raw = self.connection.connection.driver_connection
            names = ", ".join(columns)
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
        self.connection.exec_driver_sql(statement, [tuple(row) for row in rows])


def _bench_suffix() -> str:
    """'' for the first bench population of a database, then '-2', '-3'... (unique emails)."""
    taken = db.session.scalar(
        sa.text("SELECT count(*) FROM users WHERE email LIKE 'csm-0%@bench.test'")
    )
    return f"-{taken + 1}" if taken else ""


def populate(projects: int, *, seed: int = 7, log=print, analyze: bool = True) -> dict:
    """Add ``projects`` projects with their people; commits. Returns what it made."""
    rng = random.Random(seed)
    started = time.perf_counter()
    _ensure_base()
    version = current_version()
    rows = rules_of(version.id)
    eligible = sorted(row.key for row in rows if row.ims_eligible)
    suffix = _bench_suffix()
    now = utcnow().replace(microsecond=0)
    day = today()
    writer = Writer()
    password_hash = generate_password_hash(
        BENCH_PASSWORD, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    )

    # --- organisations and people ------------------------------------------------------
    org_id = _next_id("organisations")
    customer_count = max(1, int(projects * CUSTOMERS_PER_PROJECT))
    customers = list(range(org_id, org_id + customer_count))
    partners = list(range(org_id + customer_count, org_id + customer_count + PARTNER_COUNT))
    writer.write(
        "organisations",
        ("id", "name", "kind", "created_at"),
        [(oid, f"Customer{suffix} {i:05d}", OrganisationKind.CUSTOMER.value, now)
         for i, oid in enumerate(customers)]
        + [(oid, f"Bench Partner{suffix} {i}", OrganisationKind.PARTNER.value, now)
           for i, oid in enumerate(partners)],
    )  # fmt: skip
    user_id = _next_id("users")
    users: list[tuple] = []

    def add_user(email: str, name: str, role: Role, organisation: int | None) -> int:
        uid = user_id + len(users)
        users.append((uid, email, name, password_hash, role.value, organisation, True, now))
        return uid

    csms = [
        add_user(f"csm-{i}{suffix}@bench.test", f"Bench CSM {i:02d}", Role.CSM, None)
        for i in range(CSM_COUNT)
    ]
    ims = [
        add_user(f"ims-{i}{suffix}@bench.test", f"Bench IMS {i}", Role.IMS, None)
        for i in range(IMS_COUNT)
    ]
    consultants = {
        partner: [
            add_user(
                f"partner-{p}-{j}{suffix}@bench.test",
                f"Consultant {p}-{j}",
                Role.PARTNER,
                partner,
            )
            for j in range(CONSULTANTS_PER_PARTNER)
        ]
        for p, partner in enumerate(partners)
    }
    clients: dict[int, list[int]] = {}
    for index, customer in enumerate(customers):
        clients[customer] = [
            add_user(
                f"client-{index}{'' if j == 0 else f'-{j}'}{suffix}@bench.test",
                f"Client {index:05d}{'' if j == 0 else f' {j}'}",
                Role.CLIENT,
                customer,
            )
            for j in range(1 if rng.random() < 0.6 else 2)
        ]
    writer.write(
        "users",
        ("id", "email", "name", "password_hash", "role", "organisation_id", "active",
         "created_at"),
        users,
    )  # fmt: skip

    # --- projects, their IMS scope and items -------------------------------------------
    project_id = _next_id("projects")
    item_id = _next_id("checklist_items")
    event_id = _next_id("events")
    comment_id = _next_id("comments")
    counts = {"items": 0, "events": 0, "comments": 0}
    for first in range(0, projects, PROJECT_BATCH):
        project_rows, scope_rows, item_rows, event_rows, comment_rows = [], [], [], [], []
        for index in range(first, min(projects, first + PROJECT_BATCH)):
            pid = project_id + index
            kickoff = day + timedelta(days=rng.randint(-420, 60))
            partner = rng.choice(partners) if rng.random() < 0.35 else None
            # Skewed: customer 0 has the most projects, most customers one to three.
            customer = customers[int(customer_count * rng.random() ** 2) if index else 0]
            project = SimpleNamespace(
                id=pid,
                customer_id=customer,
                csm_id=csms[index % CSM_COUNT],  # each CSM manages 1/25 of the projects
                deployment=Deployment.MULTI_TENANT
                if rng.random() < 0.7
                else Deployment.SINGLE_TENANT,
                environment=Environment.PRE_PROD if rng.random() < 0.2 else Environment.PROD,
                ims_contract=rng.random() < 0.3,
                implementer=Implementer.PARTNER if partner else Implementer.INFOR,
                partner_id=partner,
                data_migration=rng.random() < 0.4,
                vpn_required=rng.random() < 0.3,
                kickoff_date=kickoff,
                go_live_date=kickoff + timedelta(days=rng.randint(90, 240)),
                ims_scope_keys=set(),
            )
            if project.ims_contract:
                project.ims_scope_keys = set(eligible)
                scope_rows += [(pid, key) for key in eligible]
            created = datetime.combine(kickoff - timedelta(days=14), clock(9))
            archived = now if rng.random() < ARCHIVED_SHARE else None
            project_rows.append(
                (pid, f"Project {index:05d}{suffix}", customer, project.csm_id, version.id,
                 project.deployment.value, project.environment.value, project.ims_contract,
                 project.implementer.value, partner, project.data_migration,
                 project.vpn_required, kickoff, project.go_live_date, created, created,
                 archived, 1)
            )  # fmt: skip
            planned = plan_items(project, rows).values()
            event_rows.append(
                (event_id, pid, None, project.csm_id, created, "project.created", None, None,
                 f"Project {index:05d}{suffix}")
            )  # fmt: skip
            event_rows.append(
                (event_id + 1, pid, None, project.csm_id, created, "project.checklist_created",
                 None, None, f"{len(planned)} items from catalogue version {version.number}")
            )  # fmt: skip
            event_id += 2
            people = {
                Party.INFOR: [project.csm_id],
                Party.CLIENT: clients[customer],
                Party.IMS: ims,
                Party.PARTNER: consultants.get(partner, []),
            }
            for plan in planned:
                status, reason, assignee, done_at = _progress(
                    rng, plan.due_date, day, people[plan.party]
                )
                version_no = 1
                if status is not Status.TODO:
                    version_no = 2
                    when = done_at or datetime.combine(min(day, plan.due_date), clock(10))
                    event_rows.append(
                        (event_id, pid, item_id, assignee or project.csm_id, when,
                         "item.status", "status", Status.TODO.value, status.value)
                    )  # fmt: skip
                    event_id += 1
                item_rows.append(
                    (item_id, pid, plan.responsibility_id, plan.party.value, assignee,
                     status.value, plan.due_date, reason, False, done_at,
                     (assignee or project.csm_id) if done_at else None, created,
                     done_at or created, version_no, plan.accountable.value,
                     json.dumps([party.value for party in plan.contributors]))
                )  # fmt: skip
                if rng.random() < 0.03:
                    comment_rows.append(
                        (comment_id, item_id, project.csm_id, rng.choice(COMMENTS), created)
                    )
                    comment_id += 1
                item_id += 1
        writer.write(
            "projects",
            ("id", "name", "customer_id", "csm_id", "catalogue_version_id", "deployment",
             "environment", "ims_contract", "implementer", "partner_id", "data_migration",
             "vpn_required", "kickoff_date", "go_live_date", "created_at", "updated_at",
             "archived_at", "version"),
            project_rows,
        )  # fmt: skip
        writer.write("project_ims_scope", ("project_id", "responsibility_key"), scope_rows)
        writer.write(
            "checklist_items",
            ("id", "project_id", "responsibility_id", "party", "assignee_id", "status",
             "due_date", "reason", "not_applicable_by_rule", "completed_at", "completed_by_id",
             "created_at", "updated_at", "version", "accountable", "contributors"),
            item_rows,
        )  # fmt: skip
        writer.write(
            "events",
            ("id", "project_id", "item_id", "actor_id", "created_at", "action", "field",
             "old_value", "new_value"),
            event_rows,
        )  # fmt: skip
        writer.write("comments", ("id", "item_id", "author_id", "body", "created_at"), comment_rows)
        counts["items"] += len(item_rows)
        counts["events"] += len(event_rows)
        counts["comments"] += len(comment_rows)
        if log and (first // PROJECT_BATCH) % 5 == 4:
            log(f"    {first + PROJECT_BATCH} projects, {time.perf_counter() - started:.0f} s")
    _after_bulk_load(writer.postgresql)
    db.session.commit()
    analyzed = time.perf_counter()
    if analyze:
        refresh_statistics()
    return {
        "projects": projects,
        "customers": customer_count,
        "users": len(users),
        **counts,
        "rows": writer.rows,
        "seconds": time.perf_counter() - started,
        "analyze_seconds": time.perf_counter() - analyzed,
        "suffix": suffix,
    }


def _progress(
    rng: random.Random, due: date, day: date, people: list[int]
) -> tuple[Status, str | None, int | None, datetime | None]:
    """(status, reason, assignee, completed at): most past items done, some late."""
    days = (due - day).days
    roll = rng.random()
    assignee = rng.choice(people) if people and rng.random() < 0.5 else None
    if (days < -3 and roll < 0.85) or (days < 0 and roll < 0.4):
        finished = datetime.combine(due - timedelta(days=rng.randint(0, 4)), clock(10))
        return Status.DONE, None, assignee, finished
    if days < 0 and roll < 0.95:
        return Status.IN_PROGRESS, None, assignee, None
    if days < 0:
        return Status.BLOCKED, rng.choice(BLOCK_REASONS), assignee, None
    if days < 14 and roll < 0.3:
        return Status.IN_PROGRESS, None, assignee, None
    return Status.TODO, None, assignee, None


def _after_bulk_load(postgresql: bool) -> None:
    """PostgreSQL: move the id sequences past the ids written here."""
    if not postgresql:
        return
    for table in ("organisations", "users", "projects", "checklist_items", "events", "comments"):
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        )


def refresh_statistics() -> None:
    """Give the query planner statistics of the data just written (outside a transaction)."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    elif engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("PRAGMA optimize")
            connection.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0].strip())
    parser.add_argument("--projects", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from tracker import create_app

    app = create_app()
    with app.app_context():
        result = populate(args.projects, seed=args.seed)
    print(
        f"Added {result['projects']} projects ({result['items']} items, {result['events']} "
        f"events, {result['users']} users) in {result['seconds']:.1f} s, of which "
        f"{result['analyze_seconds']:.1f} s refreshing the planner statistics."
    )


if __name__ == "__main__":
    main()
