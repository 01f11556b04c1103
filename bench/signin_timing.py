"""Does sign-in time tell which e-mails have an account? A wrong password on a real account
and an unknown e-mail, posted alternately to the sign-in form with production hashing
(scrypt), on a throwaway SQLite database: ``python -m bench.signin_timing [--rounds N]``."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tests import factories
from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=60)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'signin.sqlite3'}"
        app = create_app(TestConfig(url, PASSWORD_HASH_METHOD="scrypt"))
        with app.app_context():
            db.create_all()
            factories.build_world()
            db.session.commit()
        client = app.test_client()
        times: dict[str, list[float]] = {"wrong password": [], "unknown e-mail": []}
        for round_ in range(rounds):
            for kind, email in (
                ("wrong password", factories.World.CSM),
                ("unknown e-mail", f"nobody{round_}@example.com"),
            ):
                start = time.perf_counter()
                client.post("/login", data={"email": email, "password": "wrong-password"})
                times[kind].append((time.perf_counter() - start) * 1000)
        with app.app_context():
            db.engine.dispose()
    for kind, samples in times.items():
        print(f"{kind}: median {statistics.median(samples[5:]):.1f} ms over {rounds - 5} posts")


if __name__ == "__main__":
    main()
