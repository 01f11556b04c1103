"""Benchmark of `flask reminders send` on a 2,000-project SQLite database (a script, not a test).

    python -m bench.reminders [--projects 2000] [--reuse]

Builds a fresh SQLite database in bench/ with bench.populate (``--reuse`` keeps the one a
previous run built and forgets its deliveries), starts a real SMTP server on 127.0.0.1
(aiosmtpd, in this process) and points MAIL_SERVER/MAIL_PORT at it, then runs the command
for today three times: ``--dry-run`` (read and render only), the send, and the send again
(the same day: it must send nothing). For each it prints the elapsed time, the messages the
server received and the SQL queries issued.
"""

from __future__ import annotations

import argparse
import socket
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_migrate import upgrade

from bench.dashboards import count_queries
from bench.populate import populate
from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.models import ReminderDelivery, User

HERE = Path(__file__).resolve().parent


class Counting:
    """An SMTP handler that counts messages and their sizes."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    async def handle_DATA(self, server, session, envelope):
        self.sizes.append(len(envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(size: int, reuse: bool):
    path = HERE / f"bench-reminders-{size}.sqlite3"
    if not reuse:
        path.unlink(missing_ok=True)
    app = create_app(TestConfig(f"sqlite:///{path}", PASSWORD_HASH_METHOD="pbkdf2:sha256:1000"))
    with app.app_context():
        if reuse and path.exists() and db.session.scalar(sa.select(sa.func.count(User.id))):
            db.session.execute(sa.delete(ReminderDelivery))
            db.session.commit()
            print(f"  reusing {path.name}, its deliveries forgotten")
        else:
            upgrade()
            started = time.perf_counter()
            populate(size)
            print(f"  built {size} projects in {time.perf_counter() - started:.1f} s ({path.name})")
    return app


def run(app, handler: Counting, *args: str) -> tuple[float, int, int, str]:
    """(seconds, messages received, SQL queries, the command's summary line)."""
    before = len(handler.sizes)
    runner = app.test_cli_runner()
    with app.app_context(), count_queries(db.engine) as counter:
        started = time.perf_counter()
        result = runner.invoke(args=["reminders", "send", *args])
        elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    return (
        elapsed,
        len(handler.sizes) - before,
        counter["n"],
        result.output.strip().splitlines()[-1],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the reminder e-mails.")
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--reuse", action="store_true", help="reuse the database of a run before")
    args = parser.parse_args()

    print(f"Data set: {args.projects} projects")
    app = build(args.projects, args.reuse)
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_SUPPRESS_SEND=False,
        BASE_URL="https://tracker.example.com",
    )
    try:
        with app.app_context():
            users = Counter(
                role.value
                for (role,) in db.session.execute(
                    sa.select(User.role).where(User.active, User.digest_enabled)
                )
            )
            items = db.session.scalar(sa.text("SELECT count(*) FROM checklist_items"))
        print(f"  {sum(users.values())} recipients ({dict(users)}), {items} checklist items")
        rows = [
            ("dry run", run(app, handler, "--dry-run")),
            ("send", run(app, handler)),
            ("send again, same day", run(app, handler)),
        ]
    finally:
        controller.stop()

    print()
    print(f"{'run':<22}{'seconds':>9}{'messages':>10}{'queries':>9}")
    for name, (seconds, messages, queries, _) in rows:
        print(f"{name:<22}{seconds:>9.2f}{messages:>10}{queries:>9}")
    print()
    for name, (*_, summary) in rows:
        print(f"{name}: {summary}")
    sizes = handler.sizes
    if sizes:
        print(
            f"\nmessage size: median {sorted(sizes)[len(sizes) // 2] / 1024:.1f} KiB, "
            f"largest {max(sizes) / 1024:.1f} KiB, total {sum(sizes) / 1024 / 1024:.1f} MiB"
        )
    print(
        "\nSQLite, one process (the SMTP server runs in a thread of it). Queries: two per run, "
        "then per user one SELECT of their items and, when they had no row for the day, one "
        "INSERT, plus one UPDATE for each message sent; never one per item."
    )


if __name__ == "__main__":
    main()
