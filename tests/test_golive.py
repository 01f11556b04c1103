"""Go-live readiness and sign-off: the blocking items, waivers, approvers, the client's
sign-off with its rating, the CSM's confirmation and the handover."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import sqlalchemy as sa

from tests.factories import World
from tests.helpers import deliver_outbox
from tracker.api.services import create_token
from tracker.enums import Phase, Status
from tracker.extensions import db
from tracker.golive.queries import readiness_of
from tracker.golive.services import waive_item
from tracker.models import (
    ChecklistItem,
    Event,
    GoLiveApprover,
    GoLiveSignOff,
    GoLiveWaiver,
    Project,
    Responsibility,
    User,
)


def went_live(app, world) -> date:
    """A day between project_a's kickoff and today (the world's kickoff was 30 days ago)."""
    with app.app_context():
        return db.session.get(Project, world.project_a).kickoff_date + timedelta(days=10)


def confirm_form(app, world) -> dict[str, str]:
    return {"went_live_on": went_live(app, world).isoformat()}


PHASE = re.compile(r'data-checklist-phase="(\w+)"')  # the checklist's phase headings


def make_lead(app, user_id: int) -> None:
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user_id).values(is_lead=True))
        db.session.commit()


def blocking_ids(app, project_id: int) -> list[int]:
    with app.app_context():
        return [e.item.id for e in readiness_of(db.session.get(Project, project_id)).items]


def waive_everything_open(app, world: World) -> None:
    """The CSM waives every open blocking item of project_a."""
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        csm = db.session.get(User, world.csm)
        for entry in readiness_of(project).outstanding:
            waive_item(project, entry.item.id, "Done after go-live.", actor=csm)
        db.session.commit()


def sign_off_rows(app, project_id: int) -> list[GoLiveSignOff]:
    with app.app_context():
        return db.session.scalars(
            sa.select(GoLiveSignOff).where(GoLiveSignOff.project_id == project_id)
        ).all()


def api_token(app, user_id: int) -> dict[str, str]:
    with app.app_context():
        _, value = create_token(db.session.get(User, user_id), name="go-live test")
        db.session.commit()
    return {"Authorization": f"Bearer {value}"}


# --- what blocks go-live ------------------------------------------------------------------


def test_the_go_live_phase_blocks_go_live(app, world):
    with app.app_context():
        go_live_items = db.session.scalars(
            sa.select(ChecklistItem.id)
            .join(Responsibility)
            .where(
                ChecklistItem.project_id == world.project_a, Responsibility.phase == Phase.GO_LIVE
            )
        ).all()
    assert go_live_items
    assert set(go_live_items) <= set(blocking_ids(app, world.project_a))


def test_operations_items_do_not_block_go_live(app, world):
    with app.app_context():
        operations = db.session.scalars(
            sa.select(ChecklistItem.id)
            .join(Responsibility)
            .where(
                ChecklistItem.project_id == world.project_a,
                Responsibility.phase == Phase.OPERATIONS,
            )
        ).all()
    assert operations
    assert not set(operations) & set(blocking_ids(app, world.project_a))


def test_a_row_marked_not_blocking_leaves_the_readiness(app, world):
    item_id = blocking_ids(app, world.project_a)[0]
    with app.app_context():
        item = db.session.get(ChecklistItem, item_id)
        item.responsibility.blocks_go_live = False
        db.session.commit()
    assert item_id not in blocking_ids(app, world.project_a)


def test_the_panel_lists_what_is_still_open_per_party(app, world, login):
    page = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)
    assert "Go-live readiness" in page
    assert "Waiting for the client" in page
    assert "Still open:" in page


def test_the_open_items_are_folded_under_their_counts(app, world, login):
    """The list can be long; the checklist comes after it."""
    page = login(World.CSM).get(f"/projects/{world.project_a}").get_data(as_text=True)

    folded = re.search(r'<details class="[^"]*" data-testid="readiness-open">', page)

    assert folded is not None


# --- waivers ------------------------------------------------------------------------------


def test_the_csm_waives_an_open_blocking_item_with_a_reason(app, world, login):
    item_id = blocking_ids(app, world.project_a)[0]
    response = login(World.CSM).post(
        f"/projects/{world.project_a}/go-live/waivers/{item_id}",
        data={"reason": "The customer does it in January."},
    )
    assert response.status_code == 302
    with app.app_context():
        waiver = db.session.scalar(sa.select(GoLiveWaiver).where(GoLiveWaiver.item_id == item_id))
        event = db.session.scalar(sa.select(Event).where(Event.action == "golive.item_waived"))
    assert (waiver.reason, waiver.waived_by_id) == ("The customer does it in January.", world.csm)
    assert (event.item_id, event.new_value) == (item_id, "The customer does it in January.")


def test_a_waiver_without_a_reason_is_refused(app, world, login):
    item_id = blocking_ids(app, world.project_a)[0]
    response = login(World.CSM).post(f"/projects/{world.project_a}/go-live/waivers/{item_id}")
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GoLiveWaiver)) == 0


def test_an_item_that_does_not_block_go_live_cannot_be_waived(app, world, login):
    with app.app_context():
        operations_item = db.session.scalar(
            sa.select(ChecklistItem.id)
            .join(Responsibility)
            .where(
                ChecklistItem.project_id == world.project_a,
                Responsibility.phase == Phase.OPERATIONS,
            )
        )
    response = login(World.CSM).post(
        f"/projects/{world.project_a}/go-live/waivers/{operations_item}", data={"reason": "No."}
    )
    assert response.status_code == 422
    assert "Choose an open item that blocks go-live." in response.get_data(as_text=True)


def test_a_client_may_not_waive(app, world, login):
    item_id = blocking_ids(app, world.project_a)[0]
    response = login(World.CLIENT_A).post(
        f"/projects/{world.project_a}/go-live/waivers/{item_id}", data={"reason": "x"}
    )
    assert response.status_code == 403


# --- sign-off -----------------------------------------------------------------------------


def test_sign_off_with_open_blocking_items_is_refused_with_their_list(app, world, login):
    make_lead(app, world.client_a)
    response = login(World.CLIENT_A).post(
        f"/projects/{world.project_a}/go-live/sign-off", data={"note": "Go"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Go-live cannot be signed off while these items are open:" in page
    assert sign_off_rows(app, world.project_a) == []


def test_a_client_lead_signs_off_once_every_open_item_is_waived(app, world, login):
    make_lead(app, world.client_a)
    waive_everything_open(app, world)
    login(World.CLIENT_A).post(
        f"/projects/{world.project_a}/go-live/sign-off",
        data={"note": "Ready.", "rating": "4", "rating_comment": "Smooth."},
    )
    [signed] = sign_off_rows(app, world.project_a)
    assert (signed.signed_by_id, signed.note, signed.rating, signed.rating_comment) == (
        world.client_a,
        "Ready.",
        4,
        "Smooth.",
    )


def test_the_sign_off_is_in_the_projects_history(app, world, login):
    make_lead(app, world.client_a)
    waive_everything_open(app, world)
    client = login(World.CLIENT_A)
    client.post(f"/projects/{world.project_a}/go-live/sign-off", data={"rating": "5"})
    history = client.get(f"/projects/{world.project_a}/history").get_data(as_text=True)
    assert "Go-live signed off" in history
    assert "Rated 5 out of 5" in history


def test_a_client_user_who_is_neither_lead_nor_approver_may_not_sign_off(app, world, login):
    waive_everything_open(app, world)
    response = login(World.CLIENT_A).post(f"/projects/{world.project_a}/go-live/sign-off")
    assert response.status_code == 403
    assert sign_off_rows(app, world.project_a) == []


def test_an_approver_the_csm_designated_signs_off(app, world, login, client):
    login(World.CSM).post(
        f"/projects/{world.project_a}/go-live/approvers", data={"user_id": world.client_a}
    )
    waive_everything_open(app, world)
    client.post("/logout")
    login(World.CLIENT_A).post(f"/projects/{world.project_a}/go-live/sign-off")
    assert [s.signed_by_id for s in sign_off_rows(app, world.project_a)] == [world.client_a]


def test_an_approver_must_be_a_client_user_of_the_customer(app, world, login):
    client = login(World.CSM)
    client.post(f"/projects/{world.project_a}/go-live/approvers", data={"user_id": world.client_b})
    page = client.get(f"/projects/{world.project_a}").get_data(as_text=True)
    assert "Choose an active client user of the customer." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GoLiveApprover)) == 0


def test_a_rating_outside_1_to_5_is_refused(app, world, login):
    make_lead(app, world.client_a)
    waive_everything_open(app, world)
    response = login(World.CLIENT_A).post(
        f"/projects/{world.project_a}/go-live/sign-off", data={"rating": "6"}
    )
    assert response.status_code == 422
    assert sign_off_rows(app, world.project_a) == []


def test_another_customers_lead_gets_404(app, world, login):
    make_lead(app, world.client_b)
    response = login(World.CLIENT_B).post(f"/projects/{world.project_a}/go-live/sign-off")
    assert response.status_code == 404


# --- confirming go-live, the handover -----------------------------------------------------


def signed_off(app, world, login, client) -> None:
    make_lead(app, world.client_a)
    waive_everything_open(app, world)
    login(World.CLIENT_A).post(f"/projects/{world.project_a}/go-live/sign-off")
    client.post("/logout")


def test_go_live_cannot_be_confirmed_before_the_sign_off(app, world, login):
    login(World.CSM).post(
        f"/projects/{world.project_a}/go-live/confirm", data=confirm_form(app, world)
    )
    with app.app_context():
        assert db.session.get(Project, world.project_a).went_live_on is None


def test_the_csm_confirms_go_live_after_the_sign_off(app, world, login, client):
    signed_off(app, world, login, client)
    response = login(World.CSM).post(
        f"/projects/{world.project_a}/go-live/confirm", data=confirm_form(app, world)
    )
    assert response.headers["Location"].endswith(f"/projects/{world.project_a}/handover")
    with app.app_context():
        assert db.session.get(Project, world.project_a).went_live_on == went_live(app, world)
        assert db.session.scalar(sa.select(Event).where(Event.action == "golive.confirmed"))


def test_the_handover_summary_is_e_mailed_to_the_projects_people(app, world, login, client):
    signed_off(app, world, login, client)
    login(World.CSM).post(
        f"/projects/{world.project_a}/go-live/confirm", data=confirm_form(app, world)
    )
    with app.app_context():
        messages = deliver_outbox()
    recipients = sorted(address for message in messages for address in message.recipients)
    assert recipients == sorted([World.CSM, World.CLIENT_A])
    assert "Done after go-live." in messages[0].body  # the waiver's reason


def test_the_handover_page_shows_what_was_waived(app, world, login, client):
    signed_off(app, world, login, client)
    page = login(World.CLIENT_A).get(f"/projects/{world.project_a}/handover")
    assert page.status_code == 200
    assert "Done after go-live." in page.get_data(as_text=True)


def test_another_customers_user_gets_404_on_the_handover_page(app, world, login):
    response = login(World.CLIENT_B).get(f"/projects/{world.project_a}/handover")
    assert response.status_code == 404


# --- the API ------------------------------------------------------------------------------


def test_the_api_gives_the_readiness(app, world, client):
    response = client.get(
        f"/api/v1/projects/{world.project_a}/readiness", headers=api_token(app, world.client_a)
    )
    assert response.status_code == 200
    assert response.json["state"] == "waiting"
    assert [item["id"] for item in response.json["blocking"]] == blocking_ids(app, world.project_a)


def test_the_api_refuses_a_sign_off_with_open_items_naming_them(app, world, client):
    make_lead(app, world.client_a)
    response = client.post(
        f"/api/v1/projects/{world.project_a}/sign-off",
        json={},
        headers=api_token(app, world.client_a),
    )
    assert response.status_code == 422
    assert "while these items are open" in response.json["detail"]


def test_the_api_signs_off_with_a_rating(app, world, client):
    make_lead(app, world.client_a)
    waive_everything_open(app, world)
    response = client.post(
        f"/api/v1/projects/{world.project_a}/sign-off",
        json={"rating": 3, "note": "OK"},
        headers=api_token(app, world.client_a),
    )
    assert response.status_code == 201
    assert (response.json["state"], response.json["sign_off"]["rating"]) == ("signed_off", 3)


def test_the_api_refuses_a_rating_of_6(app, world, client):
    make_lead(app, world.client_a)
    waive_everything_open(app, world)
    response = client.post(
        f"/api/v1/projects/{world.project_a}/sign-off",
        json={"rating": 6},
        headers=api_token(app, world.client_a),
    )
    assert response.status_code == 422
    assert sign_off_rows(app, world.project_a) == []


def test_the_api_answers_404_to_another_customers_user(app, world, client):
    response = client.get(
        f"/api/v1/projects/{world.project_a}/readiness", headers=api_token(app, world.client_b)
    )
    assert response.status_code == 404


def test_the_csm_may_not_sign_off_through_the_api(app, world, client):
    waive_everything_open(app, world)
    response = client.post(
        f"/api/v1/projects/{world.project_a}/sign-off", json={}, headers=api_token(app, world.csm)
    )
    assert response.status_code == 403


# --- the portfolio and the exports --------------------------------------------------------


def test_the_portfolio_filters_projects_signed_off(app, world, login, client):
    signed_off(app, world, login, client)
    page = login(World.CSM).get("/projects?go_live=signed_off").get_data(as_text=True)
    assert "Acme rollout" in page
    assert "Globex rollout" not in page


def test_the_portfolio_filters_projects_waiting_for_sign_off(app, world, login, client):
    signed_off(app, world, login, client)
    page = login(World.CSM).get("/projects?go_live=waiting").get_data(as_text=True)
    assert "Globex rollout" in page
    assert "Acme rollout" not in page


def test_the_portfolio_shows_the_rating(app, world, login, client):
    make_lead(app, world.client_a)
    waive_everything_open(app, world)
    client = login(World.CLIENT_A)
    client.post(f"/projects/{world.project_a}/go-live/sign-off", data={"rating": "2"})
    page = client.get("/projects").get_data(as_text=True)
    assert "rated 2/5" in page


def test_the_portfolio_export_carries_the_sign_off_and_rating(app, world, login, client):
    make_lead(app, world.client_a)
    waive_everything_open(app, world)
    login(World.CLIENT_A).post(
        f"/projects/{world.project_a}/go-live/sign-off",
        data={"rating": "5", "rating_comment": "Great team"},
    )
    export = login(World.CSM).get("/projects/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
    header, row = rows[0], rows[1]
    signed = dict(zip(header, row, strict=True))
    assert (signed["Signed off by"], signed["Rating"], signed["Rating comment"]) == (
        "Client",
        "5",
        "Great team",
    )


def test_the_portfolio_shows_the_ratings_per_csm_to_infor_staff(app, world, login, client):
    make_lead(app, world.client_a)
    waive_everything_open(app, world)
    login(World.CLIENT_A).post(
        f"/projects/{world.project_a}/go-live/sign-off", data={"rating": "4"}
    )
    client.post("/logout")
    page = login(World.ADMIN).get("/projects").get_data(as_text=True)
    table = page[page.index('data-testid="csm-ratings"') :]
    assert "Onboarding ratings per CSM" in page
    assert "<td>Csm</td><td>1</td><td>4</td>" in table


def test_clients_are_not_shown_the_ratings_per_csm(app, world, login):
    make_lead(app, world.client_a)
    waive_everything_open(app, world)
    client = login(World.CLIENT_A)
    client.post(f"/projects/{world.project_a}/go-live/sign-off", data={"rating": "4"})
    assert "Onboarding ratings per CSM" not in client.get("/projects").get_data(as_text=True)


def test_once_live_the_operations_items_come_first_on_the_project_page(app, world, login, client):
    signed_off(app, world, login, client)
    csm = login(World.CSM)
    before = PHASE.findall(csm.get(f"/projects/{world.project_a}").text)
    csm.post(f"/projects/{world.project_a}/go-live/confirm", data=confirm_form(app, world))
    after = PHASE.findall(csm.get(f"/projects/{world.project_a}").text)
    assert before[-1] == "operations"
    assert after[0] == "operations"


def test_the_handover_e_mail_is_in_the_recipients_language(app, world, login, client):
    signed_off(app, world, login, client)
    with app.app_context():
        db.session.get(User, world.client_a).language = "fr"
        db.session.commit()
    login(World.CSM).post(
        f"/projects/{world.project_a}/go-live/confirm", data=confirm_form(app, world)
    )
    with app.app_context():
        messages = {message.recipients[0]: message for message in deliver_outbox()}
    assert messages[World.CLIENT_A].body.startswith("Bonjour")
    assert messages[World.CSM].body.startswith("Hello")


def test_go_live_cannot_be_confirmed_for_a_day_still_to_come(app, world, login, client):
    signed_off(app, world, login, client)
    csm = login(World.CSM)
    csm.post(f"/projects/{world.project_a}/go-live/confirm", data={"went_live_on": "2099-01-01"})
    page = csm.get(f"/projects/{world.project_a}").get_data(as_text=True)
    assert "Confirm go-live once it has happened, not before." in page
    with app.app_context():
        assert db.session.get(Project, world.project_a).went_live_on is None


def test_a_live_project_is_not_said_to_have_passed_its_go_live_target(app, world, login):
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        project.kickoff_date = date(2025, 10, 1)
        project.go_live_date = date(2026, 1, 15)
        project.went_live_on = date(2026, 1, 15)
        db.session.commit()

    page = login(World.CSM).get("/projects").get_data(as_text=True)

    assert "Go-live target passed" not in page
    assert "Live since" in page


# --- found in review ------------------------------------------------------------------------


def test_nothing_more_is_waived_once_the_client_signed_off(app, world, login, client):
    """The client signed off on a set of waivers; the handover shows that same set."""
    signed_off(app, world, login, client)
    with app.app_context():
        item = db.session.scalars(
            sa.select(ChecklistItem).where(
                ChecklistItem.project_id == world.project_a,
                ChecklistItem.id.not_in(sa.select(GoLiveWaiver.item_id)),
            )
        ).first()
        waivers = db.session.scalar(sa.select(sa.func.count()).select_from(GoLiveWaiver))

    response = login(World.CSM).post(
        f"/projects/{world.project_a}/go-live/waivers/{item.id}", data={"reason": "Late waiver."}
    )

    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GoLiveWaiver)) == waivers


def test_go_live_is_not_confirmed_while_a_blocking_item_was_reopened(app, world, login, client):
    signed_off(app, world, login, client)
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        entry = readiness_of(project).items[0]
        db.session.execute(
            sa.delete(GoLiveWaiver).where(GoLiveWaiver.item_id == entry.item.id)
        )  # as if reopened after the sign-off: open, not waived
        entry.item.status = Status.TODO
        db.session.commit()

    page = login(World.CSM).post(
        f"/projects/{world.project_a}/go-live/confirm",
        data=confirm_form(app, world),
        follow_redirects=True,
    )

    assert "were reopened since the sign-off" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Project, world.project_a).went_live_on is None


def test_items_a_rule_retired_are_not_counted_as_closed_for_go_live(app, world):
    with app.app_context():
        project = db.session.get(Project, world.project_a)
        before = {entry.item.id for entry in readiness_of(project).items}
        retired = next(iter(before))
        item = db.session.get(ChecklistItem, retired)
        item.status = Status.NOT_APPLICABLE
        item.not_applicable_by_rule = True
        db.session.commit()

        after = {entry.item.id for entry in readiness_of(project).items}

    assert after == before - {retired}
