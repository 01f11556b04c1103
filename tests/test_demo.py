"""The ``flask demo`` command: a demo portfolio in an empty database, and only there."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.enums import (
    Deployment,
    Environment,
    Implementer,
    OrganisationKind,
    Phase,
    Status,
)
from tracker.extensions import db
from tracker.models import ChecklistItem, Organisation, Project, User
from tracker.timeutil import today

DEMO_PASSWORD = "demo-password"
DEMO_ACCOUNTS = [
    "admin@demo.test",
    "csm@demo.test",
    "ims@demo.test",
    "partner@demo.test",
    "client@acme.demo.test",
    "client@globex.demo.test",
]


@pytest.fixture
def demo(app, runner):
    """A database filled by ``flask demo``."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def projects(app) -> list[Project]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Project)))
        db.session.expunge_all()
        return found


def test_demo_on_an_empty_database_succeeds(app, runner):
    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "Demo data created" in result.output


def test_demo_creates_three_customers(app, demo):
    with app.app_context():
        customers = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(Organisation.kind == OrganisationKind.CUSTOMER)
        )
    assert customers == 3


def test_demo_creates_six_projects(app, demo):
    assert len(projects(app)) == 6


@pytest.mark.parametrize("email", DEMO_ACCOUNTS)
def test_demo_account_signs_in_with_the_demo_password(app, demo, email):
    client = app.test_client()

    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert client.get("/projects").status_code == 200


def test_demo_account_refuses_a_wrong_password(app, demo):
    client = app.test_client()

    response = client.post("/login", data={"email": "admin@demo.test", "password": "wrong"})

    assert response.status_code == 401


def test_demo_projects_cover_both_deployments(app, demo):
    assert {p.deployment for p in projects(app)} == set(Deployment)


def test_demo_projects_cover_prod_and_pre_prod(app, demo):
    assert {p.environment for p in projects(app)} == set(Environment)


def test_demo_projects_come_with_and_without_ims(app, demo):
    assert {p.ims_contract for p in projects(app)} == {True, False}


def test_demo_projects_are_implemented_by_infor_and_by_a_partner(app, demo):
    found = projects(app)
    assert {p.implementer for p in found} == set(Implementer)
    assert all((p.partner_id is not None) == (p.implementer is Implementer.PARTNER) for p in found)


def test_demo_has_some_items_done(app, demo):
    with app.app_context():
        done = db.session.scalar(
            sa.select(sa.func.count()).where(ChecklistItem.status == Status.DONE)
        )
    assert done > 0


def test_demo_has_some_items_overdue_on_the_dashboard(app, demo):
    client = app.test_client()
    client.post("/login", data={"email": "admin@demo.test", "password": DEMO_PASSWORD})

    page = client.get("/overdue").get_data(as_text=True)

    with app.app_context():
        overdue = sum(
            1
            for item in db.session.scalars(sa.select(ChecklistItem))
            if item.status in (Status.TODO, Status.IN_PROGRESS, Status.BLOCKED)
            and item.due_date < today()
            # the live project's operations rows are standing duties, never late
            and not (item.project.went_live_on and item.responsibility.phase is Phase.OPERATIONS)
        )
    assert overdue > 0
    assert f'data-testid="overdue-count">{overdue}<' in page


def test_demo_if_empty_on_a_filled_database_changes_nothing_and_succeeds(app, runner, demo):
    before = row_counts(app)

    result = runner.invoke(args=["demo", "--if-empty"])

    assert result.exit_code == 0, result.output
    assert "skipped" in result.output
    assert row_counts(app) == before


def test_demo_if_empty_on_an_empty_database_creates_the_demo(app, runner):
    result = runner.invoke(args=["demo", "--if-empty"])

    assert result.exit_code == 0, result.output
    assert len(projects(app)) == 6


def test_demo_without_if_empty_on_a_filled_database_fails_with_a_message(app, runner, demo):
    before = row_counts(app)

    result = runner.invoke(args=["demo"])

    assert result.exit_code != 0
    assert "already has users" in result.output
    assert row_counts(app) == before


def test_demo_histories_read_in_order_from_the_projects_creation(app, demo):
    from tracker.audit.queries import project_events

    with app.app_context():
        for project in projects(app):
            events = db.session.scalars(project_events(project.id, internal=True, limit=None)).all()
            times = [event.created_at for event in events]
            assert times == sorted(times, reverse=True)
            created = [e for e in events if e.action == "project.created"]
            assert created and created[0].created_at == min(times), project.name
            assert created[0].created_at.date() < project.kickoff_date


def test_demo_loaded_early_in_the_day_dates_nothing_after_its_loading(app):
    """Loaded at 00:15, the demo's "this morning" changes are dated before then: a change
    someone makes next is the newest in every history."""
    from datetime import datetime

    from tracker.catalogue.loader import DEFAULT_CATALOGUE, load_catalogue_file
    from tracker.demo.data import create_demo_data
    from tracker.models import Comment, Event
    from tracker.timeutil import recorded_at

    loaded = datetime(2026, 12, 6, 0, 15)
    with app.app_context(), recorded_at(loaded):
        load_catalogue_file(DEFAULT_CATALOGUE)
        create_demo_data(loaded.date())
        latest = max(
            db.session.scalar(sa.select(sa.func.max(Event.created_at))),
            db.session.scalar(sa.select(sa.func.max(Comment.created_at))),
        )
        db.session.rollback()

    assert latest <= loaded


def test_the_demo_has_a_client_lead_who_may_invite_colleagues(app, demo):
    with app.app_context():
        leads = db.session.scalars(sa.select(User.email).where(User.is_lead.is_(True))).all()
    assert leads == ["client@acme.demo.test"]


def test_demo_has_a_project_that_went_live_with_a_rated_sign_off(app, demo):
    client = app.test_client()
    client.post("/login", data={"email": "csm@demo.test", "password": DEMO_PASSWORD})
    with app.app_context():
        live = db.session.scalar(sa.select(Project).where(Project.went_live_on.is_not(None)))

    page = client.get(f"/projects/{live.id}").get_data(as_text=True)

    assert live.name == "Initech HR single-tenant"
    assert "Standing responsibilities" in page
    assert "Rated 4 out of 5" in client.get(f"/projects/{live.id}/history").get_data(as_text=True)


def test_demo_has_a_pending_invitation_and_a_file(app, demo):
    client = app.test_client()
    client.post("/login", data={"email": "csm@demo.test", "password": DEMO_PASSWORD})
    with app.app_context():
        acme = db.session.scalar(sa.select(Organisation).where(Organisation.name.like("Acme%")))
        project = db.session.scalar(sa.select(Project).where(Project.name.like("Acme Cloud%")))

    people = client.get(f"/organisations/{acme.id}/people").get_data(as_text=True)
    checklist = client.get(f"/projects/{project.id}").get_data(as_text=True)

    assert "bob.baker@acme.demo.test" in people
    assert "1 file" in checklist
