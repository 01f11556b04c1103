"""Notification e-mails through the outbox, end to end (a script, not a test).

    python -m bench.outbox [--database URL] [--latency-runs 5] [--notifications 1000]

Builds a fresh database (PostgreSQL by default: BENCH_PG_URL or 127.0.0.1:5432, database
``tracker_bench_outbox``, dropped and created again), upgraded with the migrations and filled
with the tests' small world, and starts a real SMTP server on 127.0.0.1 (aiosmtpd, in this
process). Then:

1. **Comment to e-mail.** One ``flask outbox work`` process runs (OUTBOX_POLL_SECONDS=1,
   NOTIFICATION_EMAIL_MINUTES=0 so that every run e-mails); this process adds a comment on
   an item assigned to a client user and commits, and measures the time until the SMTP
   server has the notification e-mail to that user. Repeated ``--latency-runs`` times.
2. **Two workers, N notifications.** N client users, each with one notification waiting
   for an e-mail; two ``flask outbox work`` processes start at once on the same database.
   When the outbox is empty (or after 180 s) it counts the e-mails received: sent
   (distinct recipients), duplicated (a recipient received more than one) and lost (a
   recipient received none).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_migrate import upgrade

from tests import factories
from tests.helpers import logging_left_alone
from tests.smtp import free_port
from tracker import create_app
from tracker.checklist.services import ItemChange, add_comment, change_item
from tracker.config import TestConfig
from tracker.enums import Party, Role
from tracker.extensions import db
from tracker.models import Notification, OutboxMessage, User
from tracker.timeutil import utcnow

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/")


class Sink:
    """An SMTP handler that notes when each message arrived, and for whom."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[float, tuple[str, ...]]] = []

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append((time.time(), tuple(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list[float]:
        with self.lock:
            return [at for at, rcpt in self.received if address in rcpt]


def fresh_database(url: str | None) -> str:
    if url:
        return url
    name = "tracker_bench_outbox"
    server = sa.create_engine(PG + "postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    server.dispose()
    return PG + name


def worker(url: str, port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY="bench-outbox",
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(port),
        OUTBOX_POLL_SECONDS="1",
        NOTIFICATION_EMAIL_MINUTES="0",
        BASE_URL="http://127.0.0.1:5000",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "outbox", "work"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(condition, timeout: float) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


def latency(app, url: str, port: int, sink: Sink, runs: int) -> list[float]:
    with app.app_context():
        world = app.config["BENCH_WORLD"]
        item = factories.item_of(world.project_a, factories.CLIENT_ROW, Party.CLIENT)
        csm = db.session.get(User, world.csm)
        change_item(item, ItemChange(assignee_id=world.client_a), actor=csm, version=item.version)
        db.session.execute(sa.update(Notification).values(email="off"))  # not measured
        db.session.commit()
        item_id = item.id
    process = worker(url, port)
    times = []
    try:
        time.sleep(3)  # the worker is up and polling
        for run in range(runs):
            before = len(sink.to(factories.World.CLIENT_A))
            with app.app_context():
                item = db.session.get(type(item), item_id)
                add_comment(item, actor=db.session.get(User, world.csm), body=f"Run {run}")
                db.session.commit()
                started = time.time()
            arrived = wait_for(lambda b=before: len(sink.to(factories.World.CLIENT_A)) > b, 30)
            times.append(sink.to(factories.World.CLIENT_A)[-1] - started if arrived else None)
            time.sleep(1.5)
    finally:
        stop(process)
    return times


def concurrent(app, url: str, port: int, sink: Sink, count: int) -> dict:
    with app.app_context():
        world = app.config["BENCH_WORLD"]
        item = factories.item_of(world.project_a, factories.CLIENT_ROW, Party.CLIENT)
        hash_ = db.session.get(User, world.client_a).password_hash
        db.session.execute(
            sa.insert(User),
            [
                {
                    "email": f"bench{n}@acme.test",
                    "name": f"Bench {n}",
                    "password_hash": hash_,
                    "role": Role.CLIENT,
                    "organisation_id": world.customer_a,
                    "active": True,
                    "notification_email": "at_once",
                }
                for n in range(count)
            ],
        )
        ids = db.session.scalars(sa.select(User.id).where(User.email.like("bench%"))).all()
        created = utcnow() - timedelta(seconds=5)
        db.session.execute(
            sa.insert(Notification),
            [
                {
                    "recipient_id": user_id,
                    "kind": "assigned",
                    "project_id": world.project_a,
                    "item_id": item.id,
                    "actor_id": world.csm,
                    "payload": {},
                    "created_at": created,
                    "email": "pending",
                }
                for user_id in ids
            ],
        )
        db.session.commit()
    expected = {f"bench{n}@acme.test" for n in range(count)}
    with sink.lock:
        sink.received.clear()
    started = time.time()
    workers = [worker(url, port), worker(url, port)]

    def delivered() -> int:
        with sink.lock:
            return sum(1 for _, rcpt in sink.received for r in rcpt if r in expected)

    try:
        wait_for(lambda: delivered() >= count, 180)
        elapsed = time.time() - started
        time.sleep(3)  # anything sent twice arrives too
    finally:
        for process in workers:
            stop(process)
    with sink.lock:
        per = Counter(r for _, rcpt in sink.received for r in rcpt if r in expected)
    with app.app_context():
        states = dict(
            db.session.execute(
                sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state)
            ).all()
        )
    return {
        "notifications": count,
        "sent": len(per),
        "duplicated": sum(1 for n in per.values() if n > 1),
        "lost": len(expected - set(per)),
        "seconds": round(elapsed, 1),
        "outbox_states": states,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", help="a database URL to use (default: a fresh PostgreSQL one)"
    )
    parser.add_argument("--latency-runs", type=int, default=5)
    parser.add_argument("--notifications", type=int, default=1000)
    args = parser.parse_args()
    url = fresh_database(args.database)
    app = create_app(TestConfig(url))
    with app.app_context():
        with logging_left_alone():
            upgrade(directory=str(ROOT / "migrations"))
        app.config["BENCH_WORLD"] = factories.build_world()
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        times = latency(app, url, port, sink, args.latency_runs)
        measured = [t for t in times if t is not None]
        print(
            "comment -> e-mail (s), outbox work polling every 1 s: "
            + ", ".join("lost" if t is None else f"{t:.2f}" for t in times)
            + (f"; median {statistics.median(measured):.2f}" if measured else "")
        )
        print("two workers:", concurrent(app, url, port, sink, args.notifications))
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
