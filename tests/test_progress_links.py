"""Progress links (issue 16, §5): a read-only page of one project's progress for people
without an account, created and revoked by whoever manages the project, every view counted."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import CLIENT_ROW, IMS_ROW, World
from tracker import config, create_app
from tracker.checklist.services import add_comment
from tracker.enums import Status
from tracker.extensions import db
from tracker.models import Event, ProgressLink, ProgressLinkView, Project, User
from tracker.sharing.services import create_progress_link

FAR_FUTURE = datetime(2100, 1, 1)
LONG_AGO = datetime(2001, 1, 1)


def make_link(app, project_id: int, *, by: int, label: str = "Board", **changes) -> str:
    """A link to ``project_id`` created through the service (``changes``: columns to set
    after, such as its expiry); its path."""
    with app.app_context():
        actor = db.session.get(User, by)
        link, token = create_progress_link(
            db.session.get(Project, project_id), actor=actor, label=label, days=30
        )
        link.expires_at = FAR_FUTURE
        for name, value in changes.items():
            setattr(link, name, value)
        db.session.commit()
    return f"/progress/{token}"


def link_of(app, label: str) -> ProgressLink:
    with app.app_context():
        link = db.session.scalars(sa.select(ProgressLink).where(ProgressLink.label == label)).one()
        db.session.expunge(link)
        return link


# --- creating, listing, revoking ------------------------------------------------------------


def test_the_csm_creates_a_link_shown_once_and_only_its_hash_is_kept(app, world, login):
    client = login(World.CSM)

    response = client.post(
        f"/projects/{world.project_a}/progress-links", data={"label": "Steering", "days": "30"}
    )

    assert response.status_code == 200
    url = re.search(r'value="(http://[^"]+/progress/[^"]+)"', response.get_data(as_text=True))
    token = url.group(1).rsplit("/", 1)[1]
    link = link_of(app, "Steering")
    assert link.token_hash != token and token not in link.token_hash
    assert response.headers["Cache-Control"] == "no-store"


def test_a_link_works_for_the_days_chosen(app, world, login):
    login(World.CSM).post(
        f"/projects/{world.project_a}/progress-links", data={"label": "Board", "days": "7"}
    )

    link = link_of(app, "Board")

    assert (link.expires_at - link.created_at).days == 7


def test_a_duration_not_offered_is_refused_on_the_form(app, world, login):
    response = login(World.CSM).post(
        f"/projects/{world.project_a}/progress-links", data={"label": "Board", "days": "3650"}
    )

    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressLink)) == 0


def test_a_link_without_a_label_is_refused_on_the_form(app, world, login):
    response = login(World.CSM).post(
        f"/projects/{world.project_a}/progress-links", data={"label": "  ", "days": "30"}
    )

    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_creating_and_revoking_a_link_are_in_the_projects_history(app, world, login):
    make_link(app, world.project_a, by=world.csm, label="Board")
    link = link_of(app, "Board")
    login(World.CSM).post(f"/projects/{world.project_a}/progress-links/{link.id}/revoke")

    with app.app_context():
        actions = db.session.scalars(
            sa.select(Event.action)
            .where(Event.project_id == world.project_a, Event.action.like("%progress_link%"))
            .order_by(Event.id)
        ).all()
    assert actions == ["project.progress_link_created", "project.progress_link_revoked"]


def test_the_list_counts_the_views_and_shows_the_last(app, world, login):
    path = make_link(app, world.project_a, by=world.csm, label="Board")
    anonymous = app.test_client()
    anonymous.get(path)
    anonymous.get(path)

    page = login(World.CSM).get(f"/projects/{world.project_a}/progress-links")

    row = re.search(r"<td>Board</td>.*?</tr>", page.get_data(as_text=True), re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2"]
    assert "never" not in row


def test_every_view_is_recorded(app, world):
    path = make_link(app, world.project_a, by=world.csm)
    for _ in range(3):
        app.test_client().get(path)

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressLinkView)) == 3


def test_a_revoked_link_says_so_with_410(app, world, login):
    path = make_link(app, world.project_a, by=world.csm, label="Board")
    link = link_of(app, "Board")
    login(World.CSM).post(f"/projects/{world.project_a}/progress-links/{link.id}/revoke")

    response = app.test_client().get(path)

    assert response.status_code == 410
    assert "revoked" in response.get_data(as_text=True)


def test_an_expired_link_says_so_with_410(app, world):
    path = make_link(app, world.project_a, by=world.csm, expires_at=LONG_AGO)

    response = app.test_client().get(path)

    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_a_view_of_an_expired_link_is_not_counted(app, world):
    path = make_link(app, world.project_a, by=world.csm, expires_at=LONG_AGO)

    app.test_client().get(path)

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressLinkView)) == 0


def test_an_unknown_link_is_not_found(app, world):
    response = app.test_client().get("/progress/not-a-token-anyone-has")

    assert response.status_code == 404


def test_a_link_of_an_archived_project_no_longer_opens(app, world, login):
    path = make_link(app, world.project_a, by=world.csm)
    login(World.CSM).post(f"/projects/{world.project_a}/archive")

    assert app.test_client().get(path).status_code == 410


def test_a_link_of_another_project_cannot_be_revoked_through_this_one(app, world, login):
    make_link(app, world.project_b, by=world.csm, label="Globex board")
    link = link_of(app, "Globex board")

    response = login(World.CSM).post(f"/projects/{world.project_a}/progress-links/{link.id}/revoke")

    assert response.status_code == 404
    assert link_of(app, "Globex board").revoked_at is None


# --- the page a link opens ------------------------------------------------------------------


def test_the_page_shows_phases_go_live_and_what_each_party_owes(app, world):
    path = make_link(app, world.project_a, by=world.csm)

    text = app.test_client().get(path).get_data(as_text=True)

    assert "Acme rollout" in text
    assert "Target go-live date" in text
    assert "Onboarding" in text
    assert re.search(r"Client · \d+ open items", text)


def test_the_page_leaves_closed_items_out_of_what_is_owed(app, world):
    with app.app_context():
        item = factories.item_of(world.project_a, CLIENT_ROW)
        text = item.responsibility.text_en
        csm = db.session.get(User, world.csm)
        factories.change(item, actor=csm, status=Status.DONE)
        db.session.commit()
    path = make_link(app, world.project_a, by=world.csm)

    page = app.test_client().get(path).get_data(as_text=True)

    assert text not in page


def test_after_go_live_the_standing_responsibilities_are_not_owed(app, world):
    with app.app_context():
        item = factories.item_of(world.project_a, "maintain_databases")
        item.due_date = date(2099, 9, 9)
        db.session.get(Project, world.project_a).went_live_on = date(2026, 12, 1)
        db.session.commit()
    path = make_link(app, world.project_a, by=world.csm)

    page = app.test_client().get(path).get_data(as_text=True)

    assert "2099" not in page
    assert "Went live on" in page


def test_the_page_shows_no_comments_notes_or_assignees(app, world):
    with app.app_context():
        item = factories.item_of(world.project_a, CLIENT_ROW)
        csm = db.session.get(User, world.csm)
        factories.change(item, actor=csm, assignee_id=world.client_a)
        add_comment(item, actor=csm, body="Publicremark for the client")
        add_comment(item, actor=csm, body="Internalnote: chase them", internal=True)
        db.session.commit()
    path = make_link(app, world.project_a, by=world.csm)

    page = app.test_client().get(path).get_data(as_text=True)

    for secret in ("Publicremark", "Internalnote", World.CLIENT_A, World.CSM):
        assert secret not in page


def test_the_page_shows_nothing_of_another_project(app, world):
    with app.app_context():
        factories.item_of(world.project_b, IMS_ROW).due_date = date(2099, 9, 9)
        db.session.commit()
    path = make_link(app, world.project_a, by=world.csm)

    page = app.test_client().get(path).get_data(as_text=True)

    assert "Globex" not in page
    assert "2099" not in page  # the due date of one of project_b's items


def test_the_page_is_not_for_search_engines_nor_kept(app, world):
    path = make_link(app, world.project_a, by=world.csm)

    response = app.test_client().get(path)

    assert "noindex" in response.headers["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_page_has_no_link_into_the_application(app, world):
    path = make_link(app, world.project_a, by=world.csm)

    page = app.test_client().get(path).get_data(as_text=True)

    assert "<a " not in page
    assert "<form" not in page


def test_the_page_needs_no_session(app, world):
    path = make_link(app, world.project_a, by=world.csm)

    response = app.test_client().get(path)

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_page_reads_in_the_browsers_language(app, world):
    path = make_link(app, world.project_a, by=world.csm)

    page = app.test_client().get(path, headers={"Accept-Language": "fr-FR"})

    assert '<html lang="fr">' in page.get_data(as_text=True)


# --- rate limit -----------------------------------------------------------------------------


@pytest.fixture
def limited_client(app, database_url):
    limited_app = create_app(config.TestConfig(database_url, PROGRESS_LINK_LIMITS="3 per minute"))
    yield limited_app.test_client()
    with limited_app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_views_beyond_the_limit_from_one_address_are_refused(limited_client):
    for _ in range(3):
        limited_client.get("/progress/unknown-token", environ_base={"REMOTE_ADDR": "192.0.2.7"})

    response = limited_client.get(
        "/progress/unknown-token", environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )

    assert response.status_code == 429
