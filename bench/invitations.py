"""Figures of invitations and "Forgot password?" (a script, not a test).

    python -m bench.invitations [--repeat 30] [--database URL] [--hold 0.25]

On a fresh database (a SQLite file in a temporary directory unless ``--database`` names an
empty one), with one customer, its CSM and a client: the time of "Forgot password?" for an
address with an account and for one without (the answer is the same; how close the times
are is what an outsider could read; ``--hold`` sets RESET_REQUEST_MIN_SECONDS), the SQL
statements of the people page with 10 and 200 invitations (they must not grow), and the
time to accept an invitation (password hashing included). Medians over ``--repeat``
requests, through the Flask test client.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.dashboards import count_queries
from tracker import create_app
from tracker.admin.services import create_user, save_organisation
from tracker.config import TestConfig
from tracker.enums import Deployment, Environment, Implementer, OrganisationKind, Role
from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.projects.services import ProjectData, create_project

PASSWORD = "bench-password-velvet-orbit"  # noqa: S105 - a bench account's
NEW_PASSWORD = "violet-harbour-canister-97"  # noqa: S105
LINK = re.compile(r"/invitations/([A-Za-z0-9_-]+)")


def _median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _setup(app) -> int:
    from tracker.catalogue.loader import DEFAULT_CATALOGUE, load_catalogue_file

    with app.app_context():
        db.create_all()
        load_catalogue_file(DEFAULT_CATALOGUE)
        customer = save_organisation(
            None, actor=None, name="Bench Customer", kind=OrganisationKind.CUSTOMER
        )
        csm = create_user(
            actor=None,
            email="csm@bench.test",
            name="Casey Csm",
            role=Role.CSM,
            organisation_id=None,
            password=PASSWORD,
        )
        create_user(
            actor=None,
            email="client@bench.test",
            name="Cleo Client",
            role=Role.CLIENT,
            organisation_id=customer.id,
            password=PASSWORD,
        )
        start = date(2026, 12, 1)
        create_project(
            ProjectData(
                name="Bench rollout",
                customer_id=customer.id,
                csm_id=csm.id,
                deployment=Deployment.MULTI_TENANT,
                environment=Environment.PROD,
                ims_contract=False,
                implementer=Implementer.INFOR,
                partner_id=None,
                data_migration=False,
                vpn_required=False,
                kickoff_date=start,
                go_live_date=start + timedelta(days=90),
                ims_scope=None,
            ),
            actor=csm,
        )
        db.session.commit()
        return customer.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database")
    parser.add_argument(
        "--hold", type=float, default=0.0, help="RESET_REQUEST_MIN_SECONDS (default 0: off)"
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-invitations-")
    url = args.database or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    app = create_app(TestConfig(url, RESET_REQUEST_MIN_SECONDS=args.hold))
    customer = _setup(app)
    client = app.test_client()

    known = _median_ms(
        lambda: client.post("/forgot-password", data={"email": "client@bench.test"}), args.repeat
    )
    unknown = _median_ms(
        lambda: client.post("/forgot-password", data={"email": "nobody@bench.test"}), args.repeat
    )
    print(
        f"forgot password (hold {args.hold} s), median of {args.repeat}: "
        f"known address {known:.1f} ms, unknown {unknown:.1f} ms"
    )

    csm = app.test_client()
    csm.post("/login", data={"email": "csm@bench.test", "password": PASSWORD})
    page = f"/organisations/{customer}/people"
    for total in (10, 200):
        with app.app_context():
            have = db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("invitations")))
        for n in range(have, total):
            csm.post(
                f"/organisations/{customer}/invitations",
                data={"email": f"p{n}@bench.test", "name": f"Person {n}", "language": "en"},
            )
        with app.app_context(), count_queries(db.engine) as counted:
            assert csm.get(page).status_code == 200
        print(f"people page with {total} invitations: {counted['n']} SQL statements")

    with app.app_context():
        body = db.session.scalars(
            sa.select(OutboxMessage.text).where(OutboxMessage.recipient == "p0@bench.test")
        ).first()
    token = LINK.search(body).group(1)
    started = time.perf_counter()
    response = app.test_client().post(
        f"/invitations/{token}", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    print(f"accepting an invitation: {(time.perf_counter() - started) * 1000:.0f} ms (one request)")


if __name__ == "__main__":
    main()
