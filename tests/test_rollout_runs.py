"""Bulk rollouts from the catalogue (issue 15, section 5): choosing projects by filters, the
summed preview, a recorded run moved a batch at a time, failures kept apart, resuming, and
who may see what; and a new row that follows another dated after its followed item."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import Session

from tests import factories
from tests.factories import PASSWORD, World
from tests.test_catalogue import seed_row, write_catalogue
from tracker.catalogue.loader import load_catalogue_file
from tracker.enums import Party
from tracker.extensions import db
from tracker.models import (
    CatalogueEvent,
    CatalogueVersion,
    Event,
    Project,
    RolloutRun,
    RolloutRunProject,
    User,
)
from tracker.projects.services import archive_project
from tracker.rollout.plan import plan_rollout
from tracker.rollout.queries import pending_entries
from tracker.rollout.runs import move_one

LEAD_ROW = "contact_infor_support"  # a client row that row 23 follows in the seed
NEW_FOLLOWER = "confirm_issue_resolved"


def _version_two(data: dict) -> None:
    """Version 2: the first row due later, and a new Infor row following LEAD_ROW by 5 days."""
    data["areas"][0]["rows"][0]["due"] = "K+99"
    follower = dict(seed_row(data, "help_resolve_issues"))
    follower.pop("seed_row", None)
    follower.update(key=NEW_FOLLOWER, due="+5", follows=LEAD_ROW, text_en="Confirm it is fixed")
    for area in data["areas"]:
        if any(row["key"] == LEAD_ROW for row in area["rows"]):
            area["rows"].append(follower)


@pytest.fixture
def bulk(ctx, world, tmp_path) -> dict[str, int]:
    """The world's projects (CSM ``csm``) and one of ``other_csm``'s, on version 1; version 2
    loaded after them (in the test's application context)."""
    others = factories.project(world.customer_a, world.other_csm, name="Acme other")
    load_catalogue_file(write_catalogue(tmp_path, _version_two))
    db.session.commit()
    return {"others": others.id}


def _number(project_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Project, project_id).catalogue_version.number


def _start(client, **filters):
    return client.post("/catalogue/rollout", data={"to": "2", "behind": "y", **filters})


def _run() -> RolloutRun:
    return db.session.scalars(sa.select(RolloutRun)).one()


def _states(run_id: int) -> dict[int, str]:
    return dict(
        db.session.execute(
            sa.select(RolloutRunProject.project_id, RolloutRunProject.state).where(
                RolloutRunProject.run_id == run_id
            )
        ).all()
    )


# --- the page and its preview -----------------------------------------------------------


def test_the_catalogue_page_offers_the_rollout_to_a_csm(login, world, bulk):
    html = login(World.CSM).get("/catalogue").get_data(as_text=True)
    assert 'data-testid="roll-out"' in html


def test_the_preview_sums_the_plans_of_the_csms_projects(login, world, bulk):
    html = login(World.CSM).get("/catalogue/rollout?to=2").get_data(as_text=True)
    target = db.session.scalars(sa.select(CatalogueVersion).filter_by(number=2)).one()
    plans = [
        plan_rollout(db.session.get(Project, pid), target).counts()
        for pid in (world.project_a, world.project_b)
    ]
    added = sum(counts["add"] for counts in plans)
    changed = sum(counts["changed"] for counts in plans)
    assert "2 projects:" in html
    assert f"{added} items added, 0 retired, {changed} changed" in html


def test_a_csm_previews_only_their_own_projects(login, world, bulk):
    html = login(World.CSM).get("/catalogue/rollout?to=2").get_data(as_text=True)
    assert f'data-project="{bulk["others"]}"' not in html


def test_an_administrator_previews_every_csms_projects(login, world, bulk):
    html = login(World.ADMIN).get("/catalogue/rollout?to=2").get_data(as_text=True)
    assert f'data-project="{bulk["others"]}"' in html


def test_the_customer_filter_narrows_the_projects(login, world, bulk):
    url = f"/catalogue/rollout?to=2&customer={world.customer_b}"
    html = login(World.CSM).get(url).get_data(as_text=True)
    assert f'data-project="{world.project_b}"' in html
    assert f'data-project="{world.project_a}"' not in html


def test_projects_on_the_version_already_are_left_out_unless_asked(login, world, bulk):
    client = login(World.CSM)
    _start(client, customer=str(world.customer_a))
    client.post(f"/catalogue/rollouts/{_run().id}/next")
    behind = client.get("/catalogue/rollout?to=2").get_data(as_text=True)
    every = client.get("/catalogue/rollout?to=2&all=1").get_data(as_text=True)
    assert f'data-project="{world.project_a}"' not in behind
    assert f'data-project="{world.project_a}"' in every


def test_a_version_number_naming_no_version_is_not_found(login, world, bulk):
    assert login(World.CSM).get("/catalogue/rollout?to=9").status_code == 404


# --- a run ----------------------------------------------------------------------------------


def test_starting_records_a_run_with_every_project_pending(login, world, bulk):
    response = _start(login(World.CSM))
    run = _run()
    assert response.headers["Location"].endswith(f"/catalogue/rollouts/{run.id}")
    assert _states(run.id) == {world.project_a: "pending", world.project_b: "pending"}
    assert _number(world.project_a) == 1


def test_starting_is_in_the_catalogues_audit_trail(login, world, bulk):
    _start(login(World.CSM))
    event = db.session.scalars(
        sa.select(CatalogueEvent).where(CatalogueEvent.action == "rollout_started")
    ).one()
    assert (event.actor_id, event.target, event.version_number) == (
        world.csm,
        f"run:{_run().id}",
        2,
    )


def test_continuing_moves_the_projects_and_finishes_the_run(login, world, bulk):
    client = login(World.CSM)
    _start(client)
    run_id = _run().id
    client.post(f"/catalogue/rollouts/{run_id}/next")
    assert _states(run_id) == {world.project_a: "done", world.project_b: "done"}
    assert (_number(world.project_a), _number(world.project_b)) == (2, 2)
    assert _run().finished_at is not None


def test_each_projects_history_names_the_run(login, world, bulk):
    client = login(World.CSM)
    _start(client)
    run_id = _run().id
    client.post(f"/catalogue/rollouts/{run_id}/next")
    event = db.session.scalars(
        sa.select(Event).where(
            Event.project_id == world.project_a, Event.action == "project.catalogue_upgraded"
        )
    ).one()
    assert (event.actor_id, event.params["run"]) == (world.csm, run_id)


def test_the_script_gets_the_counts_as_json(login, world, bulk):
    client = login(World.CSM)
    _start(client)
    response = client.post(
        f"/catalogue/rollouts/{_run().id}/next", headers={"Accept": "application/json"}
    )
    assert response.get_json() == {
        "counts": {"done": 2, "failed": 0, "pending": 0, "skipped": 0},
        "total": 2,
        "finished": True,
    }


def test_a_run_moves_a_batch_per_request(login, world, bulk, monkeypatch):
    monkeypatch.setattr("tracker.rollout.runs.BATCH", 1)
    client = login(World.CSM)
    _start(client)
    client.post(f"/catalogue/rollouts/{_run().id}/next")
    assert sorted(_states(_run().id).values()) == ["done", "pending"]


def test_a_failing_project_keeps_its_version_and_the_others_go_on(login, world, bulk):
    client = login(World.CSM)
    _start(client)
    archive_project(db.session.get(Project, world.project_a), actor=db.session.get(User, world.csm))
    db.session.commit()  # archived meanwhile: no longer the CSM's to move
    run_id = _run().id
    client.post(f"/catalogue/rollouts/{run_id}/next")
    assert _states(run_id) == {world.project_a: "failed", world.project_b: "done"}
    assert (_number(world.project_a), _number(world.project_b)) == (1, 2)


def test_the_progress_page_shows_a_failed_projects_error(login, world, bulk):
    client = login(World.CSM)
    _start(client)
    archive_project(db.session.get(Project, world.project_a), actor=db.session.get(User, world.csm))
    db.session.commit()
    client.post(f"/catalogue/rollouts/{_run().id}/next")
    html = client.get(f"/catalogue/rollouts/{_run().id}").get_data(as_text=True)
    assert "Only the project&#39;s CSM moves it to a newer catalogue version." in html


def test_a_project_another_request_claimed_is_not_moved_twice(login, world, bulk):
    _start(login(World.CSM))
    run = _run()
    entry = db.session.scalars(
        sa.select(RolloutRunProject).filter_by(run_id=run.id, project_id=world.project_a)
    ).one()
    actor = db.session.get(User, world.csm)
    first = move_one(run.id, entry.id, world.project_a, run.target_id, actor=actor)
    second = move_one(run.id, entry.id, world.project_a, run.target_id, actor=actor)
    upgrades = db.session.scalar(
        sa.select(sa.func.count()).where(
            Event.project_id == world.project_a, Event.action == "project.catalogue_upgraded"
        )
    )
    assert (first, second, upgrades) == ("done", None, 1)


def test_an_unfinished_run_is_offered_again_on_the_rollout_page(login, world, bulk):
    client = login(World.CSM)
    _start(client)
    html = client.get("/catalogue/rollout").get_data(as_text=True)
    assert f'href="/catalogue/rollouts/{_run().id}"' in html


def test_the_command_line_resumes_a_run(login, world, bulk, runner):
    _start(login(World.CSM))
    run_id = _run().id
    result = runner.invoke(args=["catalogue", "upgrade", "--resume", str(run_id)])
    assert result.exit_code == 0, result.output
    assert f"Rollout run {run_id} to version 2: 2 moved, 0 failed, 0 skipped." in result.output


# --- who may -----------------------------------------------------------------------------


def _signed_in(app, email: str):
    """Another browser signed in as ``email``. The requests share the test's application
    context, where Flask-Login keeps the user it loaded: forget it first."""
    g.pop("_login_user", None)
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_another_csm_does_not_find_the_run(login, world, bulk, ctx):
    _start(login(World.CSM))
    client = _signed_in(ctx, World.OTHER_CSM)
    assert client.get(f"/catalogue/rollouts/{_run().id}").status_code == 404
    assert client.post(f"/catalogue/rollouts/{_run().id}/next").status_code == 404
    assert set(_states(_run().id).values()) == {"pending"}


def test_a_csm_naming_another_csm_still_gets_only_their_own_projects(login, world, bulk):
    _start(login(World.CSM), csm=str(world.other_csm))
    assert bulk["others"] not in _states(_run().id)


def test_a_csm_choosing_only_another_csms_projects_starts_nothing(login, world, bulk):
    client = login(World.CSM)
    response = _start(client, customer=str(world.customer_a), from_version="1", csm="0")
    archive_project(db.session.get(Project, world.project_a), actor=db.session.get(User, world.csm))
    db.session.commit()
    response = _start(client, customer=str(world.customer_a))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RolloutRun)) == 0
    assert "nothing to roll out" in client.get("/catalogue/rollout").get_data(as_text=True)


def test_a_client_may_not_start_a_rollout(login, world, bulk):
    assert _start(login(World.CLIENT_A)).status_code == 403


# --- a new row that follows another ---------------------------------------------------------


def test_a_new_following_item_falls_due_after_its_followed_items_date(login, world, bulk):
    lead = factories.item_of(world.project_a, LEAD_ROW, Party.CLIENT)
    csm = db.session.get(User, world.csm)
    factories.change(lead, actor=csm, due_date=lead.due_date + timedelta(days=3))
    db.session.commit()
    moved = lead.due_date
    client = login(World.CSM)
    _start(client, customer=str(world.customer_a))
    client.post(f"/catalogue/rollouts/{_run().id}/next")
    follower = factories.item_of(world.project_a, NEW_FOLLOWER, Party.INFOR)
    assert follower.due_date == moved + timedelta(days=5)


def test_an_administrator_follows_a_run_a_csm_started(login, world, bulk, ctx):
    _start(login(World.CSM))
    assert _signed_in(ctx, World.ADMIN).get(f"/catalogue/rollouts/{_run().id}").status_code == 200


@pytest.mark.parametrize(
    "bad", [{"to": "x"}, {"to": "9"}, {"phase": "bogus"}, {"customer": "-1"}, {"to": "2\x00"}]
)
def test_a_malformed_start_says_so_and_starts_nothing(login, world, bulk, bad):
    client = login(World.CSM)
    response = client.post("/catalogue/rollout", data={"to": "2", "behind": "y", **bad})
    html = client.get("/catalogue/rollout").get_data(as_text=True)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RolloutRun)) == 0
    assert 'class="alert' in html and ("could not be started" in html or "no such" in html)


def test_a_tab_with_a_stale_list_does_not_move_what_another_tab_claimed(
    committing_app, _base, tmp_path, monkeypatch
):
    """Two tabs continue the same run: this one read the pending projects, then the other
    claimed project_a (and committed) before this one got to it: this one leaves it."""
    world = _base.world
    with committing_app.app_context():
        load_catalogue_file(write_catalogue(tmp_path, _version_two))
        db.session.commit()
        engine = db.engine
    browser = committing_app.test_client()
    browser.post("/login", data={"email": World.CSM, "password": PASSWORD})
    browser.post("/catalogue/rollout", data={"to": "2", "behind": "y"})
    real = pending_entries

    def read_then_other_tab_claims(run_id: int, limit: int):
        entries = real(run_id, limit)
        with Session(engine) as other:
            other.execute(
                sa.update(RolloutRunProject)
                .where(
                    RolloutRunProject.run_id == run_id,
                    RolloutRunProject.project_id == world.project_a,
                )
                .values(state="done")
            )
            other.commit()
        return entries

    monkeypatch.setattr("tracker.rollout.runs.pending_entries", read_then_other_tab_claims)
    with committing_app.app_context():
        run_id = db.session.scalar(sa.select(sa.func.max(RolloutRun.id)))
    browser.post(f"/catalogue/rollouts/{run_id}/next")
    with committing_app.app_context():
        versions = [_number(world.project_a), _number(world.project_b)]
        upgrades = db.session.scalar(
            sa.select(sa.func.count()).where(Event.action == "project.catalogue_upgraded")
        )
    assert (versions, upgrades) == ([1, 2], 1)  # project_a is the other tab's to move


def test_past_the_limit_the_preview_sums_the_page_and_says_so(login, world, bulk, monkeypatch):
    monkeypatch.setattr("tracker.rollout.views.SUM_LIMIT", 1)
    monkeypatch.setattr("tracker.rollout.views.PER_PAGE", 1)
    html = login(World.CSM).get("/catalogue/rollout?to=2").get_data(as_text=True)
    assert "2 projects (summed over the 1 of this page" in html
    assert f'data-project="{world.project_a}"' in html
    assert f'data-project="{world.project_b}"' not in html


def test_another_csms_unfinished_run_is_not_offered(login, world, bulk, ctx):
    _start(login(World.CSM))
    html = _signed_in(ctx, World.OTHER_CSM).get("/catalogue/rollout").get_data(as_text=True)
    assert f"/catalogue/rollouts/{_run().id}" not in html


def test_the_phase_filter_takes_the_projects_in_that_phase(login, world, bulk):
    """New projects have open onboarding items: they are in the onboarding phase."""
    client = login(World.CSM)
    onboarding = client.get("/catalogue/rollout?to=2&phase=onboarding").get_data(as_text=True)
    operations = client.get("/catalogue/rollout?to=2&phase=operations").get_data(as_text=True)
    assert f'data-project="{world.project_a}"' in onboarding
    assert f'data-project="{world.project_a}"' not in operations
