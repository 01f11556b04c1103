"""The new-project form: every error on the first submit, and no two projects of one customer
with the same name."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.factories import World, edit_form
from tracker.extensions import db
from tracker.models import Project


def new_project(world, **changes) -> dict[str, str]:
    data = {
        "name": "Acme phase two",
        "customer_id": str(world.customer_a),
        "csm_id": str(world.csm),
        "deployment": "multi_tenant",
        "environment": "prod",
        "implementer": "infor",
        "partner_id": "0",
        "kickoff_date": "2026-12-01",
        "go_live_date": "2027-03-01",
    }
    data.update(changes)
    return data


def project_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Project))


def test_a_missing_customer_is_shown_with_the_other_errors_on_the_first_submit(world, login):
    response = login(World.CSM).post(
        "/projects/new", data=new_project(world, name="", customer_id="0", csm_id="0")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a customer." in page
    assert "Choose an active CSM." in page
    assert "This field is required." in page  # the name


def test_a_second_project_with_a_customers_project_name_is_refused(app, world, login):
    before = project_count(app)
    response = login(World.CSM).post(
        "/projects/new", data=new_project(world, name="  ACME rollout ")
    )
    assert response.status_code == 422
    assert "already has a project called “ACME rollout”" in response.get_data(as_text=True)
    assert project_count(app) == before


def test_another_customer_may_use_the_same_project_name(app, world, login):
    before = project_count(app)
    response = login(World.CSM).post(
        "/projects/new", data=new_project(world, name="Acme rollout", customer_id=world.customer_b)
    )
    assert response.status_code == 302
    assert project_count(app) == before + 1


def test_a_project_cannot_be_renamed_to_another_of_its_customers_names(app, world, login):
    client = login(World.CSM)
    assert client.post("/projects/new", data=new_project(world)).status_code == 302
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        form = edit_form(project, name="Acme phase two")
    response = client.post(f"/projects/{world.project_a}/edit", data=form)
    assert response.status_code == 422
    assert "already has a project called" in response.get_data(as_text=True)


def test_a_project_keeps_its_own_name_when_saved(app, world, login):
    with app.app_context():
        form = edit_form(db.session.get(Project, world.project_a), vpn_required="y")
    response = login(World.CSM).post(f"/projects/{world.project_a}/edit", data=form)
    assert response.status_code == 302


def shown_token(page: str) -> str:
    return re.search(r'name="creation_token" type="hidden" value="([0-9a-f]{32})"', page).group(1)


def test_the_same_form_posted_twice_creates_one_project(app, world, login):
    """A double click, or a reload of the answer: the second post finds the first's project."""
    client = login(World.CSM)
    token = shown_token(client.get("/projects/new").get_data(as_text=True))
    before = project_count(app)

    first = client.post("/projects/new", data=new_project(world, creation_token=token))
    second = client.post("/projects/new", data=new_project(world, creation_token=token))

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert project_count(app) == before + 1


def test_each_new_project_form_has_a_token_of_its_own(world, login):
    client = login(World.CSM)
    tokens = {shown_token(client.get("/projects/new").get_data(as_text=True)) for _ in range(3)}
    assert len(tokens) == 3
