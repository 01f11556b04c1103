"""Pages kept as rendered until the next write (tracker/pagecache.py).

An application of its own with a cache in the process (SimpleCache: one process, as the
test client is), on the test database; tests/test_multi_instance.py tries Redis shared by
two servers. These tests commit for real (``committing_app``): the kept pages are retired
when a write has committed, which a test's own rolled-back transaction never does.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import CLIENT_ROW, World
from tests.test_items import update_data
from tracker import config, create_app, pagecache
from tracker.enums import Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem, User


@pytest.fixture
def world(committing_app, _base) -> World:
    """The base's world, in a database whose commits are real."""
    return _base.world


@pytest.fixture
def cached_app(committing_app, database_url):
    """An application keeping pages (in its process), on the test database."""
    kept = create_app(config.TestConfig(database_url, CACHE_TYPE="SimpleCache"))
    yield kept
    with kept.app_context():
        db.session.remove()
        db.engine.dispose()
    pagecache._retry_at, pagecache._bump_pending = 0.0, False


def signed_in(cached_app, email: str):
    client = cached_app.test_client()
    assert (
        client.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code
        == 302
    )
    client.get("/my-tasks")  # shows, and so drops, the "Signed in" message
    return client


def get(client, url: str):
    response = client.get(url)
    return response, response.headers.get("X-Page-Cache")


def rendered_again(client, url: str) -> str:
    """The page at ``url``, which must not be a kept one."""
    page, state = get(client, url)
    assert state == "miss"
    return page.text


def client_item(cached_app, world) -> tuple[int, int]:
    with cached_app.app_context():
        return world.project_a, factories.item_of(world.project_a, CLIENT_ROW, Party.CLIENT).id


def test_a_page_asked_again_is_served_as_kept(cached_app, world):
    client = signed_in(cached_app, World.CSM)
    first, first_state = get(client, "/overdue")
    again, again_state = get(client, "/overdue")
    assert (first_state, again_state) == ("miss", "hit")
    assert again.status_code == 200 and again.data == first.data


@pytest.mark.parametrize(
    "page", ["/projects", "/projects/{project}", "/overdue", "/my-tasks", "/insights/heatmap"]
)
def test_each_kept_page_writes_nothing_and_is_served_again(cached_app, world, page):
    """A page that wrote (even a sign-in's stamp slipping into it) would retire itself."""
    client = signed_in(cached_app, World.CSM)
    url = page.format(project=world.project_a)
    assert get(client, url)[1] == "miss"
    assert get(client, url)[1] == "hit"


def test_an_item_saved_shows_on_the_next_project_page(cached_app, world):
    pid, iid = client_item(cached_app, world)
    client = signed_in(cached_app, World.CLIENT_A)
    get(client, f"/projects/{pid}")
    assert get(client, f"/projects/{pid}")[1] == "hit"

    saved = client.post(
        f"/projects/{pid}/items/{iid}",
        data=update_data(iid, "done"),
    )
    assert saved.status_code == 302
    client.get(saved.headers["Location"])  # the page that shows "Item updated."

    page, state = get(client, f"/projects/{pid}")
    assert state == "miss"
    row = re.search(rf'<li class="item-row[^"]*" id="item-{iid}">.*?</li>', page.text, re.S)
    assert re.search(r'class="item-status">\s*<span class="badge[^"]*">Done</span>', row.group(0))


def test_a_write_outside_any_page_retires_the_kept_pages(cached_app, world):
    pid, iid = client_item(cached_app, world)
    client = signed_in(cached_app, World.CSM)
    get(client, f"/projects/{pid}")
    with cached_app.app_context():  # as the command line or the API would
        db.session.get(ChecklistItem, iid).reason = "Changed elsewhere"
        db.session.commit()

    assert "Changed elsewhere" in rendered_again(client, f"/projects/{pid}")


def test_a_refused_change_leaves_the_kept_pages(cached_app, world):
    pid, iid = client_item(cached_app, world)
    client = signed_in(cached_app, World.CLIENT_A)
    get(client, f"/projects/{pid}")
    refused = client.post(
        f"/projects/{pid}/items/{iid}",  # blocked without a reason: nothing written
        data=update_data(iid, "blocked"),
    )
    assert refused.status_code == 422

    assert get(client, f"/projects/{pid}")[1] == "hit"


def test_another_user_never_gets_a_page_kept_for_someone_else(cached_app, world):
    get(signed_in(cached_app, World.CLIENT_A), "/my-tasks")
    page, state = get(signed_in(cached_app, World.CLIENT_B), "/my-tasks")
    assert state == "miss"
    assert "Globex Test" in page.text and "Acme Test" not in page.text


def test_another_browser_of_the_same_user_gets_its_own_page_and_token(
    cached_app, world, monkeypatch
):
    monkeypatch.setitem(cached_app.config, "WTF_CSRF_ENABLED", True)
    first = signed_in_with_csrf(cached_app, World.CSM)
    second = signed_in_with_csrf(cached_app, World.CSM)
    get(first, "/overdue")

    page, state = get(second, "/overdue")
    assert state == "miss"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    switched = second.post(
        "/language", data={"language": "fr", "next": "/overdue", "csrf_token": token}
    )
    assert switched.status_code == 302


def signed_in_with_csrf(cached_app, email: str):
    client = cached_app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text).group(1)
    answer = client.post(
        "/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302
    client.get("/my-tasks")
    return client


def test_a_waiting_message_is_shown_once_and_never_kept(cached_app, world):
    client = cached_app.test_client()
    client.post("/login", data={"email": World.CSM, "password": factories.PASSWORD})

    shown, state = get(client, "/overdue")
    again, _ = get(client, "/overdue")

    assert state is None and "Signed in as" in shown.text
    assert "Signed in as" not in again.text


def test_a_deactivated_user_is_signed_out_though_their_page_was_kept(cached_app, world):
    client = signed_in(cached_app, World.CLIENT_A)
    get(client, "/my-tasks")
    with cached_app.app_context():
        db.session.get(User, world.client_a).active = False
        db.session.commit()

    response = client.get("/my-tasks")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _clock(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(pagecache, "utcnow", lambda: moment)


def test_pages_are_kept_within_a_quarter_hour(cached_app, world, monkeypatch):
    client = signed_in(cached_app, World.CSM)
    _clock(monkeypatch, datetime(2026, 12, 5, 18, 0))
    get(client, "/overdue")
    _clock(monkeypatch, datetime(2026, 12, 5, 18, 14, 59))
    assert get(client, "/overdue")[1] == "hit"


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # Midnight in Kathmandu (UTC+5:45) is 18:15 UTC; in Paris (winter), 23:00 UTC.
        ("Asia/Kathmandu", datetime(2026, 12, 5, 18, 14), datetime(2026, 12, 5, 18, 15)),
        ("Europe/Paris", datetime(2026, 12, 5, 22, 59), datetime(2026, 12, 5, 23, 0)),
        ("UTC", datetime(2026, 12, 5, 23, 59), datetime(2026, 12, 6, 0, 0)),
    ],
)
def test_pages_are_rendered_again_after_the_readers_midnight(
    cached_app, world, monkeypatch, zone, before, after
):
    with cached_app.app_context():
        db.session.get(User, world.csm).time_zone = zone
        db.session.commit()
    client = signed_in(cached_app, World.CSM)
    _clock(monkeypatch, before)
    get(client, "/overdue")
    _clock(monkeypatch, after)
    assert get(client, "/overdue")[1] == "miss"


def test_signed_out_requests_are_not_kept(cached_app, world):
    response, state = get(cached_app.test_client(), "/overdue")
    assert response.status_code == 302 and state is None


def test_a_page_of_another_address_is_not_served_for_this_one(cached_app, world):
    client = signed_in(cached_app, World.CSM)
    get(client, "/overdue")
    page, state = get(client, "/overdue?party=client")
    assert state == "miss"
    assert 'value="client" selected' in page.text.replace("  ", " ")


def test_a_cache_that_does_not_answer_leaves_pages_and_writes_working(
    committing_app, database_url, world, caplog
):
    unreachable = create_app(
        config.TestConfig(
            database_url,
            CACHE_TYPE="RedisCache",
            CACHE_REDIS_URL="redis://127.0.0.1:1/0",  # nothing listens there
            PAGE_CACHE_RETRY_SECONDS=30,
        )
    )
    try:
        pid, iid = client_item(unreachable, world)
        client = signed_in(unreachable, World.CLIENT_A)
        page, state = get(client, f"/projects/{pid}")
        saved = client.post(
            f"/projects/{pid}/items/{iid}",
            data=update_data(iid, "done"),
        )
        assert page.status_code == 200 and state is None
        assert saved.status_code == 302
        with unreachable.app_context():
            assert db.session.get(ChecklistItem, iid).status is Status.DONE
        assert "page cache" in caplog.text
    finally:
        with unreachable.app_context():
            db.session.remove()
            db.engine.dispose()
        pagecache._retry_at, pagecache._bump_pending = 0.0, False


def test_signing_in_leaves_the_kept_pages(cached_app, world):
    client = signed_in(cached_app, World.CSM)
    get(client, "/overdue")
    signed_in(cached_app, World.CLIENT_A)  # records the time of that sign-in
    assert get(client, "/overdue")[1] == "hit"


def test_a_write_in_a_savepoint_retires_the_pages_when_its_transaction_commits(cached_app, world):
    pid, iid = client_item(cached_app, world)
    client = signed_in(cached_app, World.CSM)
    get(client, f"/projects/{pid}")
    with cached_app.app_context():
        with db.session.begin_nested():
            db.session.get(ChecklistItem, iid).reason = "Saved in a savepoint"
        assert get(client, f"/projects/{pid}")[1] == "hit"  # nothing committed yet
        db.session.commit()

    assert "Saved in a savepoint" in rendered_again(client, f"/projects/{pid}")


def test_a_write_in_sql_written_by_hand_retires_the_pages(cached_app, world):
    pid, iid = client_item(cached_app, world)
    client = signed_in(cached_app, World.CSM)
    get(client, f"/projects/{pid}")
    with cached_app.app_context():
        db.session.execute(
            sa.text("UPDATE checklist_items SET reason = 'By hand' WHERE id = :id"), {"id": iid}
        )
        db.session.commit()

    assert "By hand" in rendered_again(client, f"/projects/{pid}")


def test_a_write_is_announced_while_the_cache_rests_after_a_failure(cached_app, world):
    _, iid = client_item(cached_app, world)
    with cached_app.app_context():
        pagecache.data_changed()
        before = pagecache.cache.get(pagecache.GENERATION)
        pagecache._retry_at = float("inf")  # this process had found the cache unanswering
        db.session.get(ChecklistItem, iid).reason = "Saved meanwhile"
        db.session.commit()
        assert pagecache.cache.get(pagecache.GENERATION) != before


def test_a_kept_page_is_in_the_users_language_whatever_the_browser_asks(cached_app, world):
    client = signed_in(cached_app, World.CSM)  # English in their profile
    client.get("/overdue", headers={"Accept-Language": "fr"})

    page = client.get("/overdue", headers={"Accept-Language": "en"})

    assert page.headers["X-Page-Cache"] == "hit" and '<html lang="en">' in page.text


# --- every way the app writes retires the kept pages once committed -----------------------


def kept_project_page(cached_app, world):
    """A CSM's browser with project_a's page kept; (client, url, item id)."""
    pid, iid = client_item(cached_app, world)
    client = signed_in(cached_app, World.CSM)
    get(client, f"/projects/{pid}")
    assert get(client, f"/projects/{pid}")[1] == "hit"
    return client, f"/projects/{pid}", iid


def test_a_statement_built_by_hand_retires_the_pages(cached_app, world):
    client, url, iid = kept_project_page(cached_app, world)
    with cached_app.app_context():
        db.session.execute(
            sa.update(ChecklistItem).where(ChecklistItem.id == iid).values(reason="In bulk")
        )
        db.session.commit()

    assert "In bulk" in rendered_again(client, url)


def test_a_write_through_the_sessions_connection_retires_the_pages(cached_app, world):
    client, url, iid = kept_project_page(cached_app, world)
    with cached_app.app_context():
        db.session.connection().execute(
            sa.text("UPDATE checklist_items SET reason = 'On the connection' WHERE id = :id"),
            {"id": iid},
        )
        db.session.commit()

    assert "On the connection" in rendered_again(client, url)


def test_a_write_through_the_engine_retires_the_pages(cached_app, world):
    client, url, iid = kept_project_page(cached_app, world)
    with cached_app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql(
            f"UPDATE checklist_items SET reason = 'On the engine' WHERE id = {int(iid)}"  # noqa: S608
        )

    assert "On the engine" in rendered_again(client, url)


def test_a_commit_on_a_connection_kept_open_retires_the_pages_at_its_next_transaction(
    cached_app, world
):
    client, url, iid = kept_project_page(cached_app, world)
    with cached_app.app_context(), db.engine.connect() as connection:
        connection.execute(
            sa.update(ChecklistItem).where(ChecklistItem.id == iid).values(reason="Kept open")
        )
        connection.commit()
        connection.execute(sa.select(ChecklistItem.id).limit(1))  # its next transaction
        assert "Kept open" in rendered_again(client, url)


def test_a_command_retires_the_pages(cached_app, world, tmp_path):
    client, url, _ = kept_project_page(cached_app, world)
    from tracker.catalogue.loader import DEFAULT_CATALOGUE

    changed = tmp_path / "catalogue.yaml"
    changed.write_text(
        DEFAULT_CATALOGUE.read_text(encoding="utf-8").replace('due: "K+5"', 'due: "K+6"', 1),
        encoding="utf-8",
    )
    result = cached_app.test_cli_runner().invoke(args=["catalogue", "load", str(changed)])
    assert result.exit_code == 0, result.output

    assert get(client, url)[1] == "miss"


def test_a_write_rolled_back_leaves_the_pages(cached_app, world):
    client, url, iid = kept_project_page(cached_app, world)
    with cached_app.app_context():
        db.session.get(ChecklistItem, iid).reason = "Never saved"
        db.session.flush()
        db.session.rollback()

    assert get(client, url)[1] == "hit"


def test_an_api_tokens_use_leaves_the_pages(cached_app, world):
    from tracker.api.services import create_token

    client, url, _ = kept_project_page(cached_app, world)
    with cached_app.app_context():
        _, token = create_token(db.session.get(User, world.ims), name="monitoring")
        db.session.commit()
    get(client, url)  # the token's creation was a write: kept again
    answer = cached_app.test_client().get(
        "/api/v1/projects", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200  # and its first use recorded

    assert get(client, url)[1] == "hit"


@pytest.mark.parametrize(
    ("statement", "shows"),
    [
        ("SELECT * FROM projects", False),
        ("WITH open AS (SELECT 1) SELECT * FROM open", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("INSERT INTO events (action) VALUES (?)", True),
        ("UPDATE checklist_items SET status=? WHERE checklist_items.id = ?", True),
        ("DELETE FROM comments WHERE id = 1", True),
        ("WITH moved AS (UPDATE projects SET name = 'x' RETURNING id) SELECT 1", True),
        ("ALTER TABLE projects ADD COLUMN x INTEGER", True),
        ("UPDATE users SET last_login_at=? WHERE users.id = ?", False),
        ('UPDATE "users" SET "last_login_at"=%(v)s WHERE id = 1', False),
        ("UPDATE users SET last_login_at=?, name=? WHERE users.id = ?", True),
        ("UPDATE users SET active=? WHERE users.id = ?", True),
        ("UPDATE api_tokens SET last_used_at=? WHERE api_tokens.id = ?", False),
        ("INSERT INTO password_reset_tokens (user_id) VALUES (?)", False),
        ("INSERT INTO reminder_deliveries (user_id) VALUES (?)", False),
        ("INSERT INTO progress_link_views (link_id, viewed_at) VALUES (?, ?)", False),
        ("INSERT INTO progress_links (project_id) VALUES (?)", True),
    ],
)
def test_the_rule_reads_each_statement(statement, shows):
    assert pagecache.shows_on_pages(statement) is shows
