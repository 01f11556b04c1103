"""Changing a project: due dates follow the milestones, items follow the rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import World, edit_form
from tracker.enums import (
    Anchor,
    Condition,
    Deployment,
    Environment,
    Implementer,
    Party,
    Status,
)
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.models import ChecklistItem, Event, Project, Responsibility, User
from tracker.projects.services import project_data_from, update_project
from tracker.wording import item_reason

SHIFT = timedelta(days=10)


def change_project(project_id: int, actor_id: int, **changes) -> list[str]:
    """Edit the project as a user would: its current data with ``changes`` applied."""
    project = db.session.get(Project, project_id)
    data = project_data_from(project)
    for name, value in changes.items():
        setattr(data, name, value)
    changed = update_project(
        project, data, actor=db.session.get(User, actor_id), version=project.version
    )
    db.session.commit()
    return changed


def finish(item: ChecklistItem, actor_id: int) -> None:
    factories.change(item, actor=db.session.get(User, actor_id), status=Status.DONE)
    db.session.commit()


def items_by_id(project_id: int) -> dict[int, ChecklistItem]:
    return {item.id: item for item in factories.items_of(project_id)}


def due_dates(project_id: int) -> dict[int, object]:
    return {item.id: item.due_date for item in factories.items_of(project_id)}


def anchored(project_id: int, anchor: Anchor) -> list[ChecklistItem]:
    items = [
        item for item in factories.items_of(project_id) if item.responsibility.due_anchor is anchor
    ]
    assert items, f"project {project_id} has no item anchored to {anchor.value}"
    return items


def keys_with_condition(project_id: int, condition: Condition) -> set[str]:
    project = db.session.get(Project, project_id)
    keys = set(
        db.session.scalars(
            sa.select(Responsibility.key).where(
                Responsibility.version_id == project.catalogue_version_id,
                Responsibility.condition == condition,
            )
        )
    )
    assert keys, f"the catalogue has no {condition.value} row"
    return keys


def items_for_keys(project_id: int, keys: set[str]) -> list[ChecklistItem]:
    return [item for item in factories.items_of(project_id) if item.responsibility.key in keys]


def item_count(project_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ChecklistItem)
        .where(ChecklistItem.project_id == project_id)
    )


def events(project_id: int, action: str) -> list[Event]:
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.project_id == project_id, Event.action == action)
            .order_by(Event.id)
        )
    )


# --- milestones -------------------------------------------------------------------------


def test_moving_go_live_moves_open_go_live_anchored_items_by_the_same_days(ctx, world):
    project = db.session.get(Project, world.project_a)
    before = due_dates(project.id)

    change_project(project.id, world.csm, go_live_date=project.go_live_date + SHIFT)

    moved = anchored(project.id, Anchor.GO_LIVE)
    assert {item.id: item.due_date for item in moved} == {
        item.id: before[item.id] + SHIFT for item in moved
    }


def test_moving_go_live_leaves_kickoff_anchored_items_alone(ctx, world):
    project = db.session.get(Project, world.project_a)
    before = due_dates(project.id)

    change_project(project.id, world.csm, go_live_date=project.go_live_date + SHIFT)

    kept = anchored(project.id, Anchor.KICKOFF)
    assert {item.id: item.due_date for item in kept} == {item.id: before[item.id] for item in kept}


def test_moving_go_live_leaves_done_items_alone(ctx, world):
    project = db.session.get(Project, world.project_a)
    done = anchored(project.id, Anchor.GO_LIVE)[0]
    finish(done, world.csm)
    due_before = done.due_date

    change_project(project.id, world.csm, go_live_date=project.go_live_date + SHIFT)

    db.session.refresh(done)
    assert done.status is Status.DONE
    assert done.due_date == due_before


def test_moving_kickoff_moves_open_kickoff_anchored_items(ctx, world):
    project = db.session.get(Project, world.project_a)
    before = due_dates(project.id)

    change_project(project.id, world.csm, kickoff_date=project.kickoff_date + SHIFT)

    moved = anchored(project.id, Anchor.KICKOFF)
    assert {item.id: item.due_date for item in moved} == {
        item.id: before[item.id] + SHIFT for item in moved
    }


def test_moving_kickoff_leaves_go_live_anchored_items_alone(ctx, world):
    project = db.session.get(Project, world.project_a)
    before = due_dates(project.id)

    change_project(project.id, world.csm, kickoff_date=project.kickoff_date - SHIFT)

    kept = anchored(project.id, Anchor.GO_LIVE)
    assert {item.id: item.due_date for item in kept} == {item.id: before[item.id] for item in kept}


def test_each_moved_item_records_a_due_date_event(ctx, world):
    project = db.session.get(Project, world.project_a)
    finish(anchored(project.id, Anchor.GO_LIVE)[0], world.csm)
    before = due_dates(project.id)

    change_project(project.id, world.csm, go_live_date=project.go_live_date + SHIFT)

    moved = {
        item.id for item in anchored(project.id, Anchor.GO_LIVE) if item.due_date != before[item.id]
    }
    recorded = {
        event.item_id: (event.field, event.old_value, event.new_value, event.actor_id)
        for event in events(project.id, "item.due_date")
    }
    assert moved
    assert recorded == {
        item_id: (
            "due_date",
            before[item_id].isoformat(),
            (before[item_id] + SHIFT).isoformat(),
            world.csm,
        )
        for item_id in moved
    }


# --- applicability ----------------------------------------------------------------------


def test_switching_to_single_tenant_marks_high_availability_items_not_applicable_by_rule(
    ctx, world
):
    change_project(world.project_a, world.csm, deployment=Deployment.SINGLE_TENANT)

    retired = items_for_keys(
        world.project_a, keys_with_condition(world.project_a, Condition.MULTI_TENANT)
    )
    assert retired
    assert {item.status for item in retired} == {Status.NOT_APPLICABLE}
    assert all(item.not_applicable_by_rule for item in retired)
    assert {item_reason(item) for item in retired} == {
        "No longer applies: multi-tenant deployments only."
    }


def test_switching_to_single_tenant_leaves_the_other_items_open(ctx, world):
    high_availability = keys_with_condition(world.project_a, Condition.MULTI_TENANT)

    change_project(world.project_a, world.csm, deployment=Deployment.SINGLE_TENANT)

    others = [
        item
        for item in factories.items_of(world.project_a)
        if item.responsibility.key not in high_availability
    ]
    assert {item.status for item in others} == {Status.TODO}


def test_switching_to_single_tenant_deletes_no_item(ctx, world):
    count_before = item_count(world.project_a)
    ids_before = set(items_by_id(world.project_a))

    change_project(world.project_a, world.csm, deployment=Deployment.SINGLE_TENANT)

    assert item_count(world.project_a) == count_before
    assert set(items_by_id(world.project_a)) == ids_before


def test_switching_back_to_multi_tenant_reopens_the_items_to_todo(ctx, world):
    project = db.session.get(Project, world.project_a)
    keys = keys_with_condition(project.id, Condition.MULTI_TENANT)
    due_before = {item.id: item.due_date for item in items_for_keys(project.id, keys)}
    change_project(project.id, world.csm, deployment=Deployment.SINGLE_TENANT)

    change_project(project.id, world.csm, deployment=Deployment.MULTI_TENANT)

    reopened = items_for_keys(project.id, keys)
    assert {item.id for item in reopened} == set(due_before)
    assert {item.status for item in reopened} == {Status.TODO}
    assert not any(item.not_applicable_by_rule for item in reopened)
    assert [item.reason for item in reopened] == [None] * len(reopened)
    assert {item.id: item.due_date for item in reopened} == due_before


def test_an_item_set_not_applicable_by_hand_stays_closed_when_the_rule_applies_again(ctx, world):
    keys = keys_with_condition(world.project_a, Condition.MULTI_TENANT)
    by_hand = items_for_keys(world.project_a, keys)[0]
    factories.change(
        by_hand,
        actor=db.session.get(User, world.csm),
        status=Status.NOT_APPLICABLE,
        reason="Covered by the customer's own DR site.",
    )
    db.session.commit()
    change_project(world.project_a, world.csm, deployment=Deployment.SINGLE_TENANT)

    change_project(world.project_a, world.csm, deployment=Deployment.MULTI_TENANT)

    db.session.refresh(by_hand)
    assert by_hand.status is Status.NOT_APPLICABLE
    assert by_hand.reason == "Covered by the customer's own DR site."


def test_a_done_item_that_no_longer_applies_stays_done(ctx, world):
    keys = keys_with_condition(world.project_a, Condition.NOT_PRE_PROD)
    done = items_for_keys(world.project_a, keys)[0]
    finish(done, world.csm)

    change_project(world.project_a, world.csm, environment=Environment.PRE_PROD)

    db.session.refresh(done)
    assert done.status is Status.DONE
    assert not done.not_applicable_by_rule
    assert done.completed_at is not None


def test_adding_an_ims_contract_marks_the_eligible_client_items_not_applicable(ctx, world):
    eligible_client_items = [
        item
        for item in factories.items_of(world.project_a)
        if item.party is Party.CLIENT and item.responsibility.ims_eligible
    ]
    assert eligible_client_items

    change_project(world.project_a, world.csm, ims_contract=True)

    for item in eligible_client_items:
        db.session.refresh(item)
    assert {item.status for item in eligible_client_items} == {Status.NOT_APPLICABLE}
    assert all(item.not_applicable_by_rule for item in eligible_client_items)
    assert {item_reason(item) for item in eligible_client_items} == {
        "No longer applies: now assigned to IMS."
    }


def test_adding_an_ims_contract_adds_ims_items(ctx, world):
    eligible_keys = {
        item.responsibility.key
        for item in factories.items_of(world.project_a)
        if item.party is Party.CLIENT and item.responsibility.ims_eligible
    }
    ims_only = keys_with_condition(world.project_a, Condition.IMS_CONTRACT)

    change_project(world.project_a, world.csm, ims_contract=True)

    ims_items = [item for item in factories.items_of(world.project_a) if item.party is Party.IMS]
    assert {item.responsibility.key for item in ims_items} == eligible_keys | ims_only
    assert {item.status for item in ims_items} == {Status.TODO}


def test_the_ims_items_an_ims_contract_adds_for_client_rows_answer_to_the_client(ctx, world):
    change_project(world.project_a, world.csm, ims_contract=True)

    item = factories.item_of(world.project_a, "configure_identity_and_access", Party.IMS)
    assert item.accountable is Party.CLIENT


def test_the_implementation_handed_to_a_partner_answers_to_infor(ctx, world):
    change_project(
        world.project_a, world.csm, implementer=Implementer.PARTNER, partner_id=world.partner
    )

    item = factories.item_of(world.project_a, "lead_implementation", Party.PARTNER)
    assert item.accountable is Party.INFOR


def test_a_partner_taking_the_implementation_over_contributes_to_the_data_migration(ctx, world):
    change_project(world.project_a, world.csm, data_migration=True)
    migration = factories.item_of(world.project_a, "migrate_legacy_data")
    assert migration.contributor_parties == [Party.CLIENT]

    change_project(
        world.project_a, world.csm, implementer=Implementer.PARTNER, partner_id=world.partner
    )

    db.session.refresh(migration)
    assert migration.contributor_parties == [Party.PARTNER, Party.CLIENT]


def test_contributors_following_the_project_leave_the_items_version_alone(ctx, world):
    """Derived from the project, not a change of the item: someone editing it meets no
    conflict for it."""
    change_project(world.project_a, world.csm, data_migration=True)
    migration = factories.item_of(world.project_a, "migrate_legacy_data")
    version = migration.version

    change_project(
        world.project_a, world.csm, implementer=Implementer.PARTNER, partner_id=world.partner
    )

    db.session.refresh(migration)
    assert migration.version == version


def test_switching_on_vpn_required_adds_the_maintain_vpn_item(ctx, world):
    assert items_for_keys(world.project_a, {"maintain_vpn"}) == []
    count_before = item_count(world.project_a)

    change_project(world.project_a, world.csm, vpn_required=True)

    added = items_for_keys(world.project_a, {"maintain_vpn"})
    assert [(item.party, item.status) for item in added] == [(Party.CLIENT, Status.TODO)]
    project = db.session.get(Project, world.project_a)
    row = added[0].responsibility
    anchor = project.go_live_date if row.due_anchor is Anchor.GO_LIVE else project.kickoff_date
    assert added[0].due_date == anchor + timedelta(days=row.due_offset_days)
    assert item_count(world.project_a) == count_before + 1


# --- history ----------------------------------------------------------------------------


def test_every_changed_field_records_a_project_updated_event_with_old_and_new_values(ctx, world):
    project = db.session.get(Project, world.project_a)
    old_name, old_go_live = project.name, project.go_live_date
    new_go_live = old_go_live + SHIFT

    changed = change_project(
        project.id,
        world.csm,
        name="Acme rollout, phase 2",
        go_live_date=new_go_live,
        environment=Environment.PRE_PROD,
        vpn_required=True,
    )

    recorded = {
        event.field: (event.old_value, event.new_value, event.actor_id)
        for event in events(project.id, "project.updated")
    }
    assert set(changed) == {"name", "go_live_date", "environment", "vpn_required"}
    assert recorded == {
        "name": (old_name, "Acme rollout, phase 2", world.csm),
        "go_live_date": (old_go_live.isoformat(), new_go_live.isoformat(), world.csm),
        "environment": (Environment.PROD.value, Environment.PRE_PROD.value, world.csm),
        "vpn_required": ("no", "yes", world.csm),
    }


def test_saving_an_unchanged_project_records_no_event(ctx, world):
    count_before = db.session.scalar(
        sa.select(sa.func.count()).select_from(Event).where(Event.project_id == world.project_a)
    )

    changed = change_project(world.project_a, world.csm)

    assert changed == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Event).where(Event.project_id == world.project_a)
        )
        == count_before
    )


# --- through the web --------------------------------------------------------------------


def test_csm_moves_go_live_through_the_edit_form(app, world, login):
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        new_go_live = project.go_live_date + SHIFT
        form = edit_form(project, go_live_date=new_go_live.isoformat())
        go_live_items = {item.id: item.due_date for item in anchored(project.id, Anchor.GO_LIVE)}
    client = login(World.CSM)

    response = client.post(f"/projects/{world.project_a}/edit", data=form)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/projects/{world.project_a}")
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        assert project.go_live_date == new_go_live
        assert {item.id: item.due_date for item in anchored(project.id, Anchor.GO_LIVE)} == {
            item_id: due + SHIFT for item_id, due in go_live_items.items()
        }


def test_edit_form_with_go_live_before_kickoff_is_refused_and_changes_nothing(app, world, login):
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        form = edit_form(
            project, go_live_date=(project.kickoff_date - timedelta(days=1)).isoformat()
        )
        before = (project.go_live_date, project.version, due_dates(project.id))
        events_before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    client = login(World.CSM)

    response = client.post(f"/projects/{world.project_a}/edit", data=form)

    assert response.status_code == 422
    assert "The go-live date cannot be before the kickoff date." in response.get_data(as_text=True)
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        assert (project.go_live_date, project.version, due_dates(project.id)) == before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events_before


@pytest.mark.parametrize(
    ("email", "status"),
    [
        pytest.param(World.OTHER_CSM, 403, id="csm-of-other-projects"),
        pytest.param(World.CLIENT_A, 403, id="client-of-the-project"),
        pytest.param(World.OTHER_PARTNER, 404, id="partner-who-cannot-see-it"),
    ],
)
def test_edit_form_is_refused_to_users_who_cannot_edit_the_project(
    app, world, login, email, status
):
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        form = edit_form(project, go_live_date=(project.go_live_date + SHIFT).isoformat())
        go_live_before = project.go_live_date
    client = login(email)

    response = client.post(f"/projects/{world.project_a}/edit", data=form)

    assert response.status_code == status
    with app.app_context():
        assert db.session.get(Project, world.project_a).go_live_date == go_live_before


def test_a_project_cannot_move_to_another_customer(ctx, world):
    project = db.session.get(Project, world.project_a)
    data = project_data_from(project)
    data.customer_id = world.customer_b
    with pytest.raises(RuleBroken) as refused:
        update_project(
            project, data, actor=db.session.get(User, world.csm), version=project.version
        )
    assert refused.value.field == "customer_id"
