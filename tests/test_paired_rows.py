"""Paired rows: a row that follows another (``follows``, ``due: "+n"``) is one flow with it.
Rows 22 and 23: the client reports unexpected results to Infor Support, Infor helps. Its
items fall due n days after the followed row's item, and move with it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import World
from tests.test_catalogue import load, seed_row, version_count, write_catalogue
from tests.test_project_changes import change_project
from tracker.catalogue.queries import current_version
from tracker.enums import Anchor, Party, Status
from tracker.extensions import db
from tracker.models import Event, Project, Responsibility, User

REPORTS = "contact_infor_support"  # row 22: the client (or IMS) reports to support
HELPS = "help_resolve_issues"  # row 23: Infor helps; follows row 22
DAYS = 23  # seeds/catalogue.yaml: "+23", G+7 then G+30 as the matrix proposes


def row(key: str) -> Responsibility:
    return db.session.scalars(
        sa.select(Responsibility).where(
            Responsibility.version_id == current_version().id, Responsibility.key == key
        )
    ).one()


def pair(project_id: int):
    return factories.item_of(project_id, REPORTS), factories.item_of(project_id, HELPS)


def csm(world: World) -> User:
    return db.session.get(User, world.csm)


# --- the catalogue --------------------------------------------------------------------------


def test_row_23_follows_row_22_and_falls_due_the_days_after_it(ctx):
    factories.catalogue()

    helps, reports = row(HELPS), row(REPORTS)

    assert (helps.follows_id, helps.follow_days) == (reports.id, DAYS)
    assert (helps.due_anchor, helps.due_offset_days) == (
        reports.due_anchor,
        reports.due_offset_days + DAYS,
    )


def _follows(key: str, followed: str, due: str = "+5") -> Callable[[dict], None]:
    return lambda data: seed_row(data, key).update(follows=followed, due=due)


def _cycle(data: dict) -> None:
    seed_row(data, REPORTS).update(follows=HELPS, due="+1")


@pytest.mark.parametrize(
    ("change", "row_key", "field", "message"),
    [
        pytest.param(
            _follows(HELPS, "no_such_row"), HELPS, "follows", "no row has the key", id="unknown"
        ),
        pytest.param(_follows(HELPS, HELPS), HELPS, "follows", "cannot follow itself", id="self"),
        pytest.param(_cycle, REPORTS, "follows", "a cycle", id="cycle"),
        pytest.param(
            _follows(HELPS, "maintain_relationship"),
            HELPS,
            "follows",
            "must have one party",
            id="two-parties",
        ),
        pytest.param(_follows(HELPS, REPORTS, "G+30"), HELPS, "due", '"+n"', id="milestone-due"),
        pytest.param(
            lambda data: seed_row(data, "track_adoption").update(due="+3"),
            "track_adoption",
            "due",
            "(follows)",
            id="relative-due-alone",
        ),
    ],
)
def test_a_row_that_cannot_follow_is_refused_naming_it(
    runner, ctx, tmp_path, change, row_key, field, message
):
    factories.catalogue()
    versions = version_count()

    result = load(runner, write_catalogue(tmp_path, change))

    assert result.exit_code != 0
    assert row_key in result.output
    assert f"{field}:" in result.output
    assert message in result.output
    assert version_count() == versions


def test_the_catalogue_page_says_which_row_a_row_follows(app, world, login):
    html = login(World.ADMIN).get("/catalogue").get_data(as_text=True)

    assert f"{DAYS} days after {REPORTS}" in html


# --- the items --------------------------------------------------------------------------------


def test_a_new_project_gets_the_second_item_due_the_days_after_the_first(ctx, world):
    reports, helps = pair(world.project_a)

    assert helps.due_date == reports.due_date + timedelta(days=DAYS)


def test_moving_the_first_item_by_hand_moves_the_second(ctx, world):
    reports, helps = pair(world.project_a)
    due_before = helps.due_date

    factories.change(reports, actor=csm(world), due_date=reports.due_date + timedelta(days=6))
    db.session.commit()

    db.session.refresh(helps)
    assert helps.due_date == due_before + timedelta(days=6)
    moved = db.session.scalars(
        sa.select(Event).where(Event.item_id == helps.id, Event.action == "item.due_date")
    ).one()
    assert moved.actor_id == world.csm


def test_moving_go_live_moves_the_second_item_once(ctx, world):
    project = db.session.get(Project, world.project_a)
    _reports, helps = pair(project.id)
    assert row(REPORTS).due_anchor is Anchor.GO_LIVE
    due_before = helps.due_date

    change_project(project.id, world.csm, go_live_date=project.go_live_date + timedelta(days=10))

    db.session.refresh(helps)
    assert helps.due_date == due_before + timedelta(days=10)


def test_the_second_item_stays_when_the_first_is_done_and_go_live_moves(ctx, world):
    project = db.session.get(Project, world.project_a)
    reports, helps = pair(project.id)
    factories.change(reports, actor=csm(world), status=Status.DONE)
    db.session.commit()
    due_before = helps.due_date

    change_project(project.id, world.csm, go_live_date=project.go_live_date + timedelta(days=10))

    db.session.refresh(helps)
    assert helps.due_date == due_before


def test_the_second_items_page_links_to_the_first(app, world, login):
    with app.app_context():
        reports, helps = pair(world.project_a)
        reports_id, helps_id = reports.id, helps.id

    html = (
        login(World.CSM).get(f"/projects/{world.project_a}/items/{helps_id}").get_data(as_text=True)
    )

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert f"Follows item #{reports_id} (Client): falls due {DAYS} days after it" in text
    assert f"/items/{reports_id}" in html


def test_an_ims_takeover_of_the_first_row_keeps_the_pair_in_step(ctx, world):
    reports, helps = pair(world.project_a)
    factories.change(reports, actor=csm(world), due_date=reports.due_date + timedelta(days=4))
    db.session.commit()

    change_project(world.project_a, world.csm, ims_contract=True)

    ims_reports = factories.item_of(world.project_a, REPORTS, Party.IMS)
    db.session.refresh(helps)
    assert helps.due_date == ims_reports.due_date + timedelta(days=DAYS)
