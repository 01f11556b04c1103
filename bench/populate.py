"""Fill a database with a realistic portfolio for benchmarks.

    python -m bench.populate --projects 2000

fills the database that DATABASE_URL names (after `flask db upgrade`), loading the
catalogue and the demo accounts first if they are missing, so the demo logins keep working.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta

import sqlalchemy as sa

from tracker.admin.services import create_user
from tracker.auth.models import User
from tracker.catalogue.loader import DEFAULT_CATALOGUE, current_version, load_catalogue_file
from tracker.checklist.models import ChecklistItem
from tracker.demo.data import create_demo_data, database_is_empty
from tracker.enums import (
    Deployment,
    Environment,
    Implementer,
    OrganisationKind,
    Role,
    Status,
)
from tracker.extensions import db
from tracker.organisations.models import Organisation
from tracker.projects.services import ProjectData, create_project
from tracker.timeutil import today

CUSTOMERS_PER_PROJECT = 0.4  # about 2.5 projects per customer
CSM_COUNT = 25
PARTNER_COUNT = 8


def _ensure_base() -> None:
    if current_version() is None:
        load_catalogue_file(DEFAULT_CATALOGUE)
    if database_is_empty():
        create_demo_data(today())
    db.session.commit()


def _staff(rng: random.Random, run: str) -> tuple[list[User], list[Organisation]]:
    csms = [
        create_user(
            email=f"csm{run}-{i}@bench.test",
            name=f"Bench CSM {run}-{i}",
            role=Role.CSM,
            organisation_id=None,
            password="bench-password-123",
        )
        for i in range(CSM_COUNT)
    ]
    partners = [
        Organisation(name=f"Bench Partner {run}-{i}", kind=OrganisationKind.PARTNER)
        for i in range(PARTNER_COUNT)
    ]
    db.session.add_all(partners)
    db.session.flush()
    return csms, partners


def populate(projects: int, *, seed: int = 7) -> dict[str, float]:
    """Add ``projects`` projects (with customers, CSMs and partners). Commits in batches."""
    rng = random.Random(seed)
    started = time.perf_counter()
    _ensure_base()
    run = f"{int(time.time())}-{rng.randrange(10**6)}"
    csms, partners = _staff(rng, run)
    customers = [
        Organisation(name=f"Customer {run}-{i}", kind=OrganisationKind.CUSTOMER)
        for i in range(max(1, int(projects * CUSTOMERS_PER_PROJECT)))
    ]
    db.session.add_all(customers)
    db.session.flush()
    for client_index, customer in enumerate(customers[:200]):
        create_user(
            email=f"client{run}-{client_index}@bench.test",
            name=f"Client {client_index}",
            role=Role.CLIENT,
            organisation_id=customer.id,
            password="bench-password-123",
        )
    db.session.commit()
    now = today()
    project_ids = []
    for index in range(projects):
        kickoff = now + timedelta(days=rng.randint(-420, 60))
        partner = rng.random() < 0.35
        data = ProjectData(
            name=f"Project {index:05d}",
            customer_id=rng.choice(customers).id,
            csm_id=(csm := rng.choice(csms)).id,
            deployment=Deployment.MULTI_TENANT if rng.random() < 0.7 else Deployment.SINGLE_TENANT,
            environment=Environment.PRE_PROD if rng.random() < 0.2 else Environment.PROD,
            ims_contract=rng.random() < 0.3,
            implementer=Implementer.PARTNER if partner else Implementer.INFOR,
            partner_id=rng.choice(partners).id if partner else None,
            data_migration=rng.random() < 0.4,
            vpn_required=rng.random() < 0.3,
            kickoff_date=kickoff,
            go_live_date=kickoff + timedelta(days=rng.randint(90, 240)),
        )
        project_ids.append(create_project(data, actor=csm).id)
        if index % 200 == 199:
            db.session.commit()
    db.session.commit()
    _advance(project_ids, rng)
    return {"projects": projects, "seconds": time.perf_counter() - started}


def _advance(project_ids: list[int], rng: random.Random) -> None:
    """Give the items a realistic spread of statuses: most past items done, some late."""
    now = today()
    batch = 500
    for start in range(0, len(project_ids), batch):
        ids = project_ids[start : start + batch]
        rows = db.session.execute(
            sa.select(ChecklistItem.id, ChecklistItem.due_date).where(
                ChecklistItem.project_id.in_(ids)
            )
        ).all()
        updates = []
        for item_id, due in rows:
            days = (due - now).days
            roll = rng.random()
            if (days < -3 and roll < 0.85) or (days < 0 and roll < 0.4):
                status = Status.DONE
            elif days < 0 and roll < 0.95:
                status = Status.IN_PROGRESS
            elif days < 0:
                status = Status.BLOCKED
            elif days < 14 and roll < 0.3:
                status = Status.IN_PROGRESS
            else:
                continue
            updates.append(
                {
                    "item_id": item_id,
                    "new_status": status.value,
                    "new_reason": "Waiting on a decision" if status is Status.BLOCKED else None,
                }
            )
        if updates:
            table = ChecklistItem.__table__
            db.session.execute(
                table.update()
                .where(table.c.id == sa.bindparam("item_id"))
                .values(status=sa.bindparam("new_status"), reason=sa.bindparam("new_reason")),
                updates,
            )
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1].strip())
    parser.add_argument("--projects", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from tracker import create_app

    app = create_app()
    with app.app_context():
        result = populate(args.projects, seed=args.seed)
    print(f"Added {result['projects']} projects in {result['seconds']:.1f} s.")


if __name__ == "__main__":
    main()
