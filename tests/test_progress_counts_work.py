"""Progress and health count work, not rules: an item a rule retired (not applicable
because its row no longer applies) counts neither as done nor as due; an item a person
marked not applicable, with a reason, still counts as closed (tests/test_dashboards.py)."""

from __future__ import annotations

from datetime import timedelta

from tests import factories
from tests.factories import World
from tests.test_project_changes import change_project
from tracker.checklist.queries import progress_by_project
from tracker.enums import Deployment, Environment, Phase, Status
from tracker.extensions import db
from tracker.insights.health import Health
from tracker.insights.queries import CellState, burndown, heatmap, project_stats
from tracker.models import ChecklistItem, Project
from tracker.timeutil import today


def toggle_every_attribute(project_id: int, csm_id: int) -> None:
    """Switch on an IMS contract, then off; go single-tenant and PRE-PROD: a fresh project
    whose rules retire some items and bring others back, with nothing done."""
    change_project(project_id, csm_id, ims_contract=True)
    change_project(project_id, csm_id, ims_contract=False)
    change_project(
        project_id,
        csm_id,
        deployment=Deployment.SINGLE_TENANT,
        environment=Environment.PRE_PROD,
    )


def retired(project_id: int) -> list[ChecklistItem]:
    items = [item for item in factories.items_of(project_id) if item.not_applicable_by_rule]
    assert items, "the rules retired nothing"
    return items


def retire(items: list[ChecklistItem]) -> None:
    """Retire ``items`` as a rule does: not applicable, by rule."""
    for item in items:
        item.status, item.not_applicable_by_rule = Status.NOT_APPLICABLE, True
    db.session.commit()


def test_toggling_attributes_leaves_a_fresh_project_at_zero_closed_on_its_page(app, world, login):
    with app.app_context():
        toggle_every_attribute(world.project_a, world.csm)
        retired(world.project_a)
        work = [item for item in factories.items_of(world.project_a) if item.is_open]

    html = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)

    assert f"0 of {len(work)} closed" in html


def test_the_phase_totals_leave_out_the_items_a_rule_retired(ctx, world):
    toggle_every_attribute(world.project_a, world.csm)
    counted = [item for item in factories.items_of(world.project_a) if item.is_open]

    progress = progress_by_project([world.project_a], today())[world.project_a]

    assert {phase: tally.total for phase, tally in progress.phases.items()} == {
        phase: sum(1 for item in counted if item.responsibility.phase is phase) for phase in Phase
    }
    assert (progress.overall.closed, progress.overall.total) == (0, len(counted))


def test_items_a_rule_retired_are_not_due_so_far_in_the_health(ctx, world):
    items = factories.items_of(world.project_a)
    for item in items:
        item.due_date = today() + timedelta(days=400)
    for item in items[:2]:
        item.due_date = today() - timedelta(days=3)  # two overdue, open
    for item in items[2:12]:
        item.due_date = today() - timedelta(days=3)
    retire(items[2:12])

    stats = project_stats([db.session.get(Project, world.project_a)], today())[world.project_a]

    # Two overdue of the two items due so far: late (with the ten retired ones counted as
    # due, 2 of 12 would be below the late share, only at risk).
    assert (stats.counts.due_so_far, stats.counts.overdue) == (2, 2)
    assert stats.counts.total == len(items) - 10
    assert stats.health is Health.LATE


def test_an_area_whose_items_a_rule_retired_has_no_items_on_the_heatmap(ctx, world):
    change_project(world.project_a, world.csm, deployment=Deployment.SINGLE_TENANT)
    project = db.session.get(Project, world.project_a)

    cell = heatmap([project], today(), 7).cell(project.id, "high_availability")

    assert cell.state is CellState.NONE


def test_the_burndown_leaves_out_the_items_a_rule_retired(ctx, world):
    toggle_every_attribute(world.project_a, world.csm)
    project = db.session.get(Project, world.project_a)
    counted = [item for item in factories.items_of(project.id) if item.is_open]

    chart = burndown(project, today())

    assert chart.total == len(counted)
    assert chart.at(today()).actual == len(counted)
