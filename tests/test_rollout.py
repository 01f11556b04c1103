"""Moving running projects to a newer catalogue version (issue 15, section 5): the preview,
applying it, and ``flask catalogue upgrade``; never deleting an item, a comment or an event."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import IMS_ROW, World
from tests.test_catalogue import seed_row, write_catalogue
from tracker.catalogue.loader import load_catalogue_file
from tracker.checklist.services import add_comment
from tracker.enums import Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, Comment, Event, Project, Responsibility, User
from tracker.rollout.plan import plan_rollout
from tracker.rollout.services import apply_rollout
from tracker.wording import CONDITION_UNMET, REASSIGNED, REMOVED_IN_VERSION

# One row per kind of change in version 2, each an Infor row every project has an item of.
CHANGED_ROWS = {
    "removed": "deploy_application_updates",
    "text": "protect_and_remediate_security",
    "phase": "monitor_critical_applications",
    "parties": "maintain_databases",  # contributors: the client -> the implementer
    "reassigned": "operate_infrastructure",  # Infor -> the client
    "offset": "monitor_underlying_technologies",  # G-14 -> G-10
    "condition": "track_adoption",  # none -> only with a data migration
}
ADDED_ROW = "review_catalogue_changes"
STATES = ("open", "hand_dated", "done", "not_applicable", "retired_by_rule")
PROJECTS = ("project_a", "project_b", "migration")  # plain; IMS + partner; data migration


def _version_two(data: dict) -> None:
    for area in data["areas"]:
        area["rows"] = [r for r in area["rows"] if r["key"] != CHANGED_ROWS["removed"]]
    seed_row(data, CHANGED_ROWS["text"])["text_en"] += " (revised)"
    moved = seed_row(data, CHANGED_ROWS["phase"])
    moved["phase"] = "go_live"
    moved.pop("review_every", None)  # only operations rows are reviewed
    seed_row(data, CHANGED_ROWS["parties"])["contributors"] = ["implementer"]
    seed_row(data, CHANGED_ROWS["reassigned"])["parties"] = ["client"]
    seed_row(data, CHANGED_ROWS["offset"])["due"] = "G-10"
    seed_row(data, CHANGED_ROWS["condition"])["condition"] = "data_migration"
    seed_row(data, IMS_ROW)["ims_eligible"] = False  # IMS gives the row back to the client
    added = dict(seed_row(data, "welcome_customer"))
    added.update(key=ADDED_ROW, due="K+10", text_en="Review the catalogue changes")
    added.pop("seed_row", None)
    data["areas"][0]["rows"].append(added)


@pytest.fixture
def rollout(app, world, tmp_path) -> dict[str, int]:
    """The world's projects and one with a data migration, on version 1; version 2 loaded
    after them. The project ids by name (PROJECTS), and "version": version 2's id."""
    with app.app_context():
        migration = factories.project(
            world.customer_a, world.csm, name="Acme migration", data_migration=True
        )
        version = load_catalogue_file(write_catalogue(tmp_path, _version_two)).version
        assert version.number == 2
        db.session.commit()
        return {
            "project_a": world.project_a,
            "project_b": world.project_b,
            "migration": migration.id,
            "version": version.id,
        }


def csm(world: World) -> User:
    return db.session.get(User, world.csm)


def put_in_state(item: ChecklistItem, state: str, actor: User) -> None:
    if state == "hand_dated":
        factories.change(item, actor=actor, due_date=item.due_date + timedelta(days=3))
    elif state == "done":
        factories.change(item, actor=actor, status=Status.DONE)
    elif state == "not_applicable":
        factories.change(item, actor=actor, status=Status.NOT_APPLICABLE, reason="Not for us")
    elif state == "retired_by_rule":  # as a rule retires an item (checklist.services)
        item.status = Status.NOT_APPLICABLE
        item.not_applicable_by_rule = True
        item.reason_code, item.reason_params = CONDITION_UNMET, {"condition": "vpn_required"}
    db.session.commit()


def upgrade(project_id: int, version_id: int, actor: User | None = None):
    project = db.session.get(Project, project_id)
    target = db.session.get(type(project.catalogue_version), version_id)
    plan = apply_rollout(project, target, actor=actor, version=project.version)
    db.session.commit()
    return plan


def row_of(version_id: int, key: str) -> Responsibility:
    return db.session.scalars(
        sa.select(Responsibility).where(
            Responsibility.version_id == version_id, Responsibility.key == key
        )
    ).one()


def expected(change: str, state: str, project: str) -> tuple[Status, str, str | None]:
    """(status after, which row it points to: "old" or "new", reason code) for a shape."""
    migrating = project == "migration"
    if state in ("done", "not_applicable"):
        status = Status.DONE if state == "done" else Status.NOT_APPLICABLE
        return status, "old", None
    if state == "retired_by_rule":
        if change == "removed":
            return Status.NOT_APPLICABLE, "old", CONDITION_UNMET
        if change == "reassigned" or (change == "condition" and not migrating):
            return Status.NOT_APPLICABLE, "new", CONDITION_UNMET
        return Status.TODO, "new", None  # its row applies: reopened
    if change == "removed":
        return Status.NOT_APPLICABLE, "old", REMOVED_IN_VERSION
    if change == "reassigned":
        return Status.NOT_APPLICABLE, "new", REASSIGNED
    if change == "condition" and not migrating:
        return Status.NOT_APPLICABLE, "new", CONDITION_UNMET
    return Status.TODO, "new", None


SHAPES = [
    (change, state, project) for change in CHANGED_ROWS for state in STATES for project in PROJECTS
]


@pytest.mark.parametrize(("change", "state", "project"), SHAPES)
def test_each_item_follows_the_rules_of_the_new_version(
    ctx, world, rollout, change, state, project
):
    project_id = rollout[project]
    key = CHANGED_ROWS[change]
    item = factories.item_of(project_id, key, Party.INFOR)
    old_row_id, old_due = item.responsibility_id, None
    put_in_state(item, state, csm(world))
    old_due = item.due_date

    upgrade(project_id, rollout["version"])

    db.session.expire_all()
    item = db.session.get(ChecklistItem, item.id)
    status, pointing, reason = expected(change, state, project)
    assert item.status is status
    assert item.reason_code == reason
    if pointing == "old":
        assert item.responsibility_id == old_row_id
    else:
        assert item.responsibility_id == row_of(rollout["version"], key).id
    if status is Status.TODO and state == "hand_dated":
        assert item.due_date == old_due  # a date set by hand is kept
    elif status is Status.TODO:  # the computed date follows the row's offset (G-14 -> G-10)
        assert item.due_date == old_due + timedelta(days=4 if change == "offset" else 0)
    else:
        assert item.due_date == old_due  # a closed item keeps its date
    if change == "parties" and status is Status.TODO:
        partner = project == "project_b"
        assert item.contributors == (["partner"] if partner else [])


@pytest.mark.parametrize("project", PROJECTS)
def test_a_row_new_in_the_version_adds_an_item_dated_by_its_offset(ctx, rollout, project):
    upgrade(rollout[project], rollout["version"])

    item = factories.item_of(rollout[project], ADDED_ROW)
    assert item.status is Status.TODO
    assert item.due_date == item.project.kickoff_date + timedelta(days=10)


def test_a_row_passed_to_another_party_adds_that_partys_item(ctx, rollout):
    upgrade(rollout["project_a"], rollout["version"])

    item = factories.item_of(rollout["project_a"], CHANGED_ROWS["reassigned"], Party.CLIENT)
    assert item.status is Status.TODO


def test_the_preview_flags_a_hand_set_date_whose_row_offset_moved(ctx, world, rollout):
    item = factories.item_of(world.project_a, CHANGED_ROWS["offset"])
    put_in_state(item, "hand_dated", csm(world))
    project = db.session.get(Project, world.project_a)
    target = row_of(rollout["version"], ADDED_ROW).version

    plan = plan_rollout(project, target)

    assert [action.item.id for action in plan.flagged] == [item.id]


def test_the_preview_writes_nothing(ctx, world, rollout):
    project = db.session.get(Project, world.project_a)
    target = row_of(rollout["version"], ADDED_ROW).version
    events = db.session.scalar(sa.select(sa.func.count(Event.id)))

    plan_rollout(project, target)
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == events
    assert db.session.get(Project, world.project_a).catalogue_version.number == 1


def test_a_rollout_deletes_no_item_comment_or_event(ctx, world, rollout):
    item = factories.item_of(world.project_a, CHANGED_ROWS["removed"])
    add_comment(item, actor=csm(world), body="Keep this")
    db.session.commit()
    before_items = {i.id for i in factories.items_of(world.project_a)}
    before_events = set(
        db.session.scalars(sa.select(Event.id).where(Event.project_id == world.project_a))
    )
    before_comments = set(db.session.scalars(sa.select(Comment.id)))

    upgrade(world.project_a, rollout["version"])

    assert before_items <= {i.id for i in factories.items_of(world.project_a)}
    assert before_events <= set(
        db.session.scalars(sa.select(Event.id).where(Event.project_id == world.project_a))
    )
    assert before_comments <= set(db.session.scalars(sa.select(Comment.id)))


def test_a_rollout_records_one_project_event_with_its_counts(ctx, world, rollout):
    upgrade(world.project_a, rollout["version"], csm(world))

    events = list(
        db.session.scalars(
            sa.select(Event).where(
                Event.project_id == world.project_a, Event.action == "project.catalogue_upgraded"
            )
        )
    )
    assert len(events) == 1
    params = events[0].params
    assert (params["from"], params["to"], params["add"], params["retire"]) == (1, 2, 2, 3)


def test_a_rollout_switches_the_projects_version(ctx, world, rollout):
    upgrade(world.project_a, rollout["version"])

    assert db.session.get(Project, world.project_a).catalogue_version.number == 2


def test_a_done_item_kept_on_its_old_row_is_not_duplicated_by_a_later_change(ctx, world, rollout):
    from tests.test_project_changes import change_project

    item = factories.item_of(world.project_a, CHANGED_ROWS["text"])
    put_in_state(item, "done", csm(world))
    upgrade(world.project_a, rollout["version"])

    change_project(world.project_a, world.csm, vpn_required=True)

    keys = [
        (i.responsibility.key, i.party)
        for i in factories.items_of(world.project_a)
        if i.responsibility.key == CHANGED_ROWS["text"]
    ]
    assert keys == [(CHANGED_ROWS["text"], Party.INFOR)]


# --- the pages ---------------------------------------------------------------------------


def preview_url(project_id: int) -> str:
    return f"/projects/{project_id}/catalogue-upgrade?to=2"


def test_the_project_page_offers_the_upgrade_to_its_csm(login, world, rollout):
    html = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)
    assert 'data-testid="catalogue-upgrade"' in html and preview_url(
        world.project_a
    ) in html.replace("&amp;", "&")


def test_the_preview_lists_the_items_by_what_happens_to_them(login, world, rollout):
    response = login(World.CSM).get(preview_url(world.project_a))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="rollout-added"' in html and 'data-testid="rollout-retired"' in html
    assert "Removed in catalogue version 2." in html


def test_applying_the_preview_moves_the_project(login, world, rollout, app):
    client = login(World.CSM)
    with app.app_context():
        version = db.session.get(Project, world.project_a).version
    response = client.post(
        f"/projects/{world.project_a}/catalogue-upgrade", data={"to": "2", "version": version}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Project, world.project_a).catalogue_version.number == 2


def test_a_stale_preview_is_a_conflict_and_writes_nothing(login, world, rollout, app):
    client = login(World.CSM)
    with app.app_context():
        version = db.session.get(Project, world.project_a).version
    response = client.post(
        f"/projects/{world.project_a}/catalogue-upgrade",
        data={"to": "2", "version": version - 1 or 99},
        follow_redirects=True,
    )
    assert "Someone else changed this project after you loaded it." in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(Project, world.project_a).catalogue_version.number == 1


def test_another_csm_may_not_preview_nor_apply(login, world, rollout):
    client = login(World.OTHER_CSM)
    assert client.get(preview_url(world.project_a)).status_code == 403
    response = client.post(
        f"/projects/{world.project_a}/catalogue-upgrade", data={"to": "2", "version": "1"}
    )
    assert response.status_code == 403


def test_a_client_does_not_see_the_upgrade(login, world, rollout):
    assert login(World.CLIENT_B).get(preview_url(world.project_a)).status_code == 404


def test_an_admin_may_preview_any_project(login, world, rollout):
    assert login(World.ADMIN).get(preview_url(world.project_b)).status_code == 200


def test_an_unknown_version_is_not_found(login, world, rollout):
    client = login(World.CSM)
    assert client.get(f"/projects/{world.project_a}/catalogue-upgrade?to=9").status_code == 404
    assert client.get(f"/projects/{world.project_a}/catalogue-upgrade?to=x").status_code == 404


def test_moving_to_the_same_version_is_refused(login, world, rollout):
    client = login(World.CSM)
    assert client.get(f"/projects/{world.project_a}/catalogue-upgrade?to=1").status_code == 422


# --- the command line ------------------------------------------------------------------------


def test_the_command_line_dry_run_writes_nothing(runner, world, rollout, app):
    with app.app_context():
        events = db.session.scalar(sa.select(sa.func.count(Event.id)))
    result = runner.invoke(args=["catalogue", "upgrade", "--to", "2", "--all", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"Project {world.project_a}: would move from version 1 to 2" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Event.id))) == events
        assert db.session.get(Project, world.project_a).catalogue_version.number == 1


def test_the_command_line_moves_the_named_projects(runner, world, rollout, app):
    result = runner.invoke(
        args=["catalogue", "upgrade", "--to", "2", "--project", str(world.project_b)]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(Project, world.project_b).catalogue_version.number == 2
        assert db.session.get(Project, world.project_a).catalogue_version.number == 1


def test_the_command_line_goes_on_after_a_failing_project(runner, world, rollout, app, monkeypatch):
    from tracker.rollout import cli

    def failing(project, *args, **kwargs):
        if project.id == world.project_a:
            raise RuntimeError("boom")
        return apply_rollout(project, *args, **kwargs)

    monkeypatch.setattr(cli, "apply_rollout", failing)
    result = runner.invoke(args=["catalogue", "upgrade", "--to", "2", "--all"])
    assert result.exit_code == 1
    assert f"Project {world.project_a}: FAILED" in result.output
    with app.app_context():
        assert db.session.get(Project, world.project_a).catalogue_version.number == 1
        assert db.session.get(Project, world.project_b).catalogue_version.number == 2


def test_the_command_line_skips_projects_already_moved(runner, world, rollout):
    runner.invoke(args=["catalogue", "upgrade", "--to", "2", "--project", str(world.project_a)])
    result = runner.invoke(
        args=["catalogue", "upgrade", "--to", "2", "--project", str(world.project_a)]
    )
    assert "skipped" in result.output and "0 project(s) upgraded" in result.output


HOSTILE = ["", "0", "-1", "2x", "99999999999999999999", "2\x00", "<script>x</script>", "1e3"]


def test_hostile_preview_arguments_never_fail(login, world, rollout):
    client = login(World.CSM)
    for value in HOSTILE:
        response = client.get(
            f"/projects/{world.project_a}/catalogue-upgrade", query_string={"to": value}
        )
        assert response.status_code in (200, 404), value


def test_hostile_apply_forms_write_nothing(login, world, rollout, app):
    client = login(World.CSM)
    with app.app_context():
        version = str(db.session.get(Project, world.project_a).version)
    sent = [{"to": value, "version": version} for value in HOSTILE]
    sent += [{"to": "2", "version": value} for value in HOSTILE]
    sent += [{"to": "2"}, {"version": version}, {"to": "2", "version": version + "0"}]
    for data in sent:
        response = client.post(f"/projects/{world.project_a}/catalogue-upgrade", data=data)
        assert response.status_code in (302, 400), data
        with app.app_context():
            assert db.session.get(Project, world.project_a).catalogue_version.number == 1, data


def test_the_history_shows_the_move_and_the_changed_rows(login, world, rollout, app):
    with app.app_context():
        item = factories.item_of(world.project_a, CHANGED_ROWS["text"])
        put_in_state(item, "done", csm(world))
        upgrade(world.project_a, rollout["version"], csm(world))
    html = login(World.CSM).get(f"/projects/{world.project_a}/history").get_data(as_text=True)
    assert "Catalogue version changed" in html
    assert "From catalogue version 1 to 2: 2 added, 3 retired, 5 changed" in html
    assert "closed against version 1 and keeps what it was" in html


def test_an_item_reopened_on_its_old_row_is_retired_by_a_later_change(ctx, world, rollout):
    from tests.test_project_changes import change_project

    item = factories.item_of(rollout["migration"], CHANGED_ROWS["condition"])
    put_in_state(item, "done", csm(world))
    upgrade(rollout["migration"], rollout["version"])
    factories.change(item, actor=csm(world), status=Status.TODO)  # reopened on its old row
    db.session.commit()

    change_project(rollout["migration"], world.csm, data_migration=False)

    assert db.session.get(ChecklistItem, item.id).reason_code == CONDITION_UNMET


def test_a_row_ims_gives_back_makes_a_client_item_replacing_the_ims_one(ctx, rollout):
    ims_item = factories.item_of(rollout["project_b"], IMS_ROW, Party.IMS)

    upgrade(rollout["project_b"], rollout["version"])

    client_item = factories.item_of(rollout["project_b"], IMS_ROW, Party.CLIENT)
    assert client_item.replaces_id == ims_item.id
    assert client_item.due_date == db.session.get(ChecklistItem, ims_item.id).due_date


def test_a_done_ims_item_stays_and_no_client_item_is_added(ctx, world, rollout):
    ims_item = factories.item_of(rollout["project_b"], IMS_ROW, Party.IMS)
    put_in_state(ims_item, "done", csm(world))

    upgrade(rollout["project_b"], rollout["version"])

    parties = {
        i.party for i in factories.items_of(rollout["project_b"]) if i.responsibility.key == IMS_ROW
    }
    assert parties == {Party.IMS}
