"""No orphans: an item reopened by hand whose row no longer applies (or any other item left
open against the rules) is found at every change of the project, dates included, and shown
to the project's CSM to decide, never left silently."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import World
from tests.test_project_changes import change_project
from tracker.enums import Deployment, Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Comment, Event, Project, User
from tracker.wording import item_reason

HA_ROW = "run_backups_and_disaster_recovery"  # multi-tenant only, Infor's
REASON = "No longer applies: multi-tenant deployments only."


def reopened_by_hand(project_id: int, csm_id: int) -> ChecklistItem:
    """Project ``project_id`` goes single-tenant; its CSM reopens the high-availability item
    the rule retired."""
    change_project(project_id, csm_id, deployment=Deployment.SINGLE_TENANT)
    item = factories.item_of(project_id, HA_ROW, Party.INFOR)
    factories.change(item, actor=db.session.get(User, csm_id), status=Status.TODO)
    db.session.commit()
    return item


def project_page(login, email: str, project_id: int) -> str:
    response = login(email).get(f"/projects/{project_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def panel(html: str) -> str:
    start = html.find('data-testid="to-decide"')
    return html[start : html.index("</section>", start)] if start >= 0 else ""


def decide(login, project_id: int, item_id: int, version: int, **form):
    return login(World.CSM).post(
        f"/projects/{project_id}/items/{item_id}/decide", data={"version": version, **form}
    )


# --- found ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "shown"),
    [(World.CSM, True), (World.ADMIN, True), (World.OTHER_CSM, False), (World.CLIENT_A, False)],
)
def test_the_project_page_lists_the_item_for_whoever_manages_the_project(
    app, world, login, email, shown
):
    with app.app_context():
        item_id = reopened_by_hand(world.project_a, world.csm).id

    html = panel(project_page(login, email, world.project_a))

    assert (f'data-item="{item_id}"' in html) is shown
    assert (REASON in html) is shown


def test_a_later_change_of_the_project_leaves_the_item_open_for_the_csm(app, world, login):
    with app.app_context():
        item = reopened_by_hand(world.project_a, world.csm)
        item_id = item.id
        change_project(world.project_a, world.csm, vpn_required=True)
        db.session.refresh(item)
        assert item.status is Status.TODO

    assert f'data-item="{item_id}"' in panel(project_page(login, World.CSM, world.project_a))


def test_a_date_change_leaves_the_item_open_for_the_csm(app, world, login):
    with app.app_context():
        item = reopened_by_hand(world.project_a, world.csm)
        item_id = item.id
        project = db.session.get(Project, world.project_a)
        change_project(
            world.project_a, world.csm, go_live_date=project.go_live_date + timedelta(days=5)
        )
        db.session.refresh(item)
        assert item.status is Status.TODO

    assert f'data-item="{item_id}"' in panel(project_page(login, World.CSM, world.project_a))


def test_saving_the_project_says_how_many_items_there_are_to_decide(app, world, login):
    with app.app_context():
        reopened_by_hand(world.project_a, world.csm)
        form = factories.edit_form(db.session.get(Project, world.project_a))
    client = login(World.CSM)

    response = client.post(f"/projects/{world.project_a}/edit", data=form, follow_redirects=True)

    assert (
        "1 item is open although its row no longer applies: decide on it on the project page."
        in response.get_data(as_text=True)
    )


# --- decided ----------------------------------------------------------------------------------


def test_marking_it_not_applicable_retires_it_with_the_rules_reason(app, world, login):
    with app.app_context():
        item = reopened_by_hand(world.project_a, world.csm)
        item_id, version = item.id, item.version

    response = decide(login, world.project_a, item_id, version, decision="retire")

    assert response.status_code == 302
    with app.app_context():
        item = db.session.get(ChecklistItem, item_id)
        assert (item.status, item.not_applicable_by_rule) == (Status.NOT_APPLICABLE, True)
        assert item_reason(item) == REASON
    assert panel(project_page(login, World.CSM, world.project_a)) == ""


def test_keeping_it_open_takes_it_off_the_list_with_an_internal_note(app, world, login):
    with app.app_context():
        item = reopened_by_hand(world.project_a, world.csm)
        item_id, version = item.id, item.version

    response = decide(
        login, world.project_a, item_id, version, decision="keep", note="DR still tested here."
    )

    assert response.status_code == 302
    with app.app_context():
        item = db.session.get(ChecklistItem, item_id)
        note = db.session.scalars(sa.select(Comment).where(Comment.item_id == item_id)).one()
        kept = db.session.scalars(
            sa.select(Event).where(Event.item_id == item_id, Event.action == "item.kept_open")
        ).one()
        assert (item.status, item.kept_open) == (Status.TODO, True)
        assert (note.body, note.internal) == ("DR still tested here.", True)
        assert kept.actor_id == world.csm
    assert panel(project_page(login, World.CSM, world.project_a)) == ""


def test_keeping_it_open_without_a_note_is_refused_and_changes_nothing(app, world, login):
    with app.app_context():
        item = reopened_by_hand(world.project_a, world.csm)
        item_id, version = item.id, item.version

    response = decide(login, world.project_a, item_id, version, decision="keep", note="  ")

    assert response.status_code == 302
    page = login(World.CSM).get(response.headers["Location"]).get_data(as_text=True)
    assert "Say why the item stays open." in page
    with app.app_context():
        item = db.session.get(ChecklistItem, item_id)
        assert (item.kept_open, item.version) == (False, version)


def test_a_decision_on_an_item_whose_row_applies_is_refused(app, world, login):
    with app.app_context():
        item = factories.item_of(world.project_a, HA_ROW, Party.INFOR)
        item_id, version = item.id, item.version

    response = decide(login, world.project_a, item_id, version, decision="retire")

    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ChecklistItem, item_id).status is Status.TODO


def test_a_decision_based_on_an_older_version_is_refused(app, world, login):
    with app.app_context():
        item = reopened_by_hand(world.project_a, world.csm)
        item_id, version = item.id, item.version
        factories.change(item, actor=db.session.get(User, world.csm), status=Status.IN_PROGRESS)
        db.session.commit()

    decide(login, world.project_a, item_id, version, decision="retire")

    with app.app_context():
        assert db.session.get(ChecklistItem, item_id).status is Status.IN_PROGRESS


def test_closing_a_kept_item_and_reopening_it_lists_it_again(app, world, login):
    with app.app_context():
        item = reopened_by_hand(world.project_a, world.csm)
        item_id, version = item.id, item.version
    decide(login, world.project_a, item_id, version, decision="keep", note="Still tested.")
    with app.app_context():
        item = db.session.get(ChecklistItem, item_id)
        csm = db.session.get(User, world.csm)
        factories.change(item, actor=csm, status=Status.DONE)
        factories.change(item, actor=csm, status=Status.TODO)
        db.session.commit()

    assert f'data-item="{item_id}"' in panel(project_page(login, World.CSM, world.project_a))
