"""Several app instances behind one address: nothing of a session lives in an instance.

Two real gunicorn servers (one worker each, production settings, one SECRET_KEY) on two
ports serve one database: the same SQLite file, or the same PostgreSQL database when
TEST_DATABASE_URL is set (a database of the test's own, built by the migrations). A browser
signs in on one and carries on on the other, a form read from one is posted to the other;
the sign-in limits are shared through Redis when it is configured (skipped, with the reason,
when no Redis answers on 127.0.0.1:6379), and counted per instance without it.
"""

from __future__ import annotations

import re
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import flask_migrate
import pytest
import redis
import sqlalchemy as sa

from bench.dashboards import Server
from tests import factories
from tests.conftest import PG_SKIP_REASON
from tests.helpers import create_pg_database, drop_pg_database, logging_left_alone, postgresql_url
from tests.test_items import update_data
from tracker import config, create_app
from tracker.enums import Party, Status
from tracker.extensions import db
from tracker.models import ChecklistItem

REDIS = ("127.0.0.1", 6379)
LIMIT = "3 per minute"  # sign-in attempts per account, in these tests
CSM = factories.World.CSM


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_database(request, tmp_path_factory):
    """A database built by ``flask db upgrade``, with the test world in it: (url, world)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('multi') / 'shared.sqlite3'}"
    else:
        server = postgresql_url()
        if server is None:
            pytest.skip(PG_SKIP_REASON)
        url = create_pg_database(server, "tracker_multi_instance_test")
    app = create_app(config.TestConfig(url))
    with app.app_context():
        with logging_left_alone():
            flask_migrate.upgrade()
        world = factories.build_world()
        db.session.remove()
        db.engine.dispose()
    yield url, world
    if request.param == "postgresql":
        drop_pg_database(url)


def _servers(url: str, tmp_path_factory, **settings) -> list[Server]:
    secret = secrets.token_hex(32)  # one SECRET_KEY for every instance, as in production
    log = tmp_path_factory.mktemp("gunicorn") / "servers.log"
    settings = {
        "SIGN_IN_LIMITS_PER_ACCOUNT": LIMIT,
        "SIGN_IN_LIMITS_PER_ADDRESS": "100 per minute",
        "GUNICORN_ACCESSLOG": "",
        **settings,
    }
    started: list[Server] = []
    try:
        for _ in range(2):
            started.append(Server(url, secret, log, workers=1, settings=settings))
    except Exception:
        for server in started:
            server.stop()
        raise
    return started


@pytest.fixture(scope="module")
def two_instances(shared_database, tmp_path_factory):
    """Two servers, sign-in counters in memory (each instance counts its own)."""
    url, world = shared_database
    servers = _servers(url, tmp_path_factory, RATELIMIT_STORAGE_URI="memory://")
    yield servers, url, world
    for server in servers:
        server.stop()


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def two_instances_with_redis(shared_database, tmp_path_factory):
    """Two servers sharing one Redis (TRACKER_REDIS_URL): the sign-in counters and the
    pages kept until the next write (tracker/pagecache.py)."""
    if not redis_reachable():
        pytest.skip(f"Redis is not reachable on {REDIS[0]}:{REDIS[1]}: shared limits not tried")
    url, world = shared_database
    prefix = f"tracker-test-{secrets.token_hex(6)}"  # this run's keys only
    servers = _servers(
        url,
        tmp_path_factory,
        RATELIMIT_STORAGE_URI="",
        TRACKER_REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/0",
        RATELIMIT_KEY_PREFIX=prefix,
        CACHE_KEY_PREFIX=prefix,
    )
    yield servers, url, world, prefix
    for server in servers:
        server.stop()


# --- a browser ------------------------------------------------------------------------------


class _Keep(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # answers come back as they are: 302s are checked, not followed


class Browser:
    """Cookies kept across requests to any instance, as a browser keeps them for one site
    (every instance is 127.0.0.1: a browser sends them all the same cookies)."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _Keep
        )

    def request(self, url: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=20) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as answer:
            with answer:
                return answer.code, answer.read().decode(), dict(answer.headers)

    def sign_in(self, base: str, email: str, password: str = factories.PASSWORD) -> int:
        status, page, _ = self.request(f"{base}/login")
        assert status == 200
        token = csrf_token(page, "csrf_token")
        status, _, _ = self.request(
            f"{base}/login", {"csrf_token": token, "email": email, "password": password}
        )
        return status


def _status_change(page: str, item: ChecklistItem, **fields) -> tuple[Status, dict]:
    """The other status (to do <-> in progress) and ``item``'s form of ``page`` posting it,
    with that page's CSRF token."""
    new = Status.IN_PROGRESS if item.status is Status.TODO else Status.TODO
    form = update_data(
        item.id,
        new.value,
        version=item.version,
        assignee_id=item.assignee_id or 0,
        due_date=item.due_date.isoformat(),
        **fields,
    )
    token = f"item{item.id}-csrf_token"
    return new, {**form, token: csrf_token(page, token)}


def csrf_token(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]+)"', page)
    assert match, f"no {name} in the page"
    return match.group(1)


# --- sessions ---------------------------------------------------------------------------------


def test_a_session_started_on_one_instance_continues_on_the_other(two_instances):
    (a, b), _, world = two_instances
    browser = Browser()

    assert browser.sign_in(a.base, CSM) == 302
    status, page, _ = browser.request(f"{b.base}/projects")

    assert status == 200
    assert "Acme rollout" in page and "Globex rollout" in page
    status, page, _ = browser.request(f"{b.base}/projects/{world.project_a}")
    assert status == 200 and "Acme rollout" in page
    # Without the cookie, instance B sends the visitor to sign in.
    status, _, headers = Browser().request(f"{b.base}/projects")
    assert status == 302 and "/login" in headers["Location"]


def test_a_form_read_on_one_instance_is_accepted_by_the_other(two_instances):
    (a, b), url, world = two_instances
    browser = Browser()
    assert browser.sign_in(b.base, CSM) == 302
    item = _open_item(url, world.project_a)
    status, page, _ = browser.request(f"{a.base}/projects/{world.project_a}")
    assert status == 200
    new, form = _status_change(page, item, next_url=f"/projects/{world.project_a}")

    target = f"/projects/{world.project_a}/items/{item.id}"
    status, _, headers = browser.request(f"{b.base}{target}", form)

    assert status == 302, "instance B refused the form of instance A"
    assert headers["Location"].endswith(f"#item-{item.id}")
    assert _open_item(url, world.project_a, item.id).status is new
    # The same form without its token is refused on either instance.
    del form[f"item{item.id}-csrf_token"]
    status, _, _ = browser.request(f"{a.base}{target}", form)
    assert status == 400


def test_signing_out_on_one_instance_ends_the_session_in_that_browser(two_instances):
    (a, b), _, _ = two_instances
    browser = Browser()
    assert browser.sign_in(a.base, CSM) == 302
    status, page, _ = browser.request(f"{b.base}/projects")
    token = csrf_token(page, "csrf_token")

    status, _, _ = browser.request(f"{b.base}/logout", {"csrf_token": token})

    assert status == 302
    status, _, headers = browser.request(f"{a.base}/projects")
    assert status == 302 and "/login" in headers["Location"]


def _open_item(url: str, project_id: int, item_id: int | None = None) -> ChecklistItem:
    app = create_app(config.TestConfig(url))
    with app.app_context():
        query = sa.select(ChecklistItem).where(ChecklistItem.project_id == project_id)
        if item_id is None:
            query = query.where(
                ChecklistItem.party == Party.INFOR,
                ChecklistItem.status.in_((Status.TODO, Status.IN_PROGRESS)),
            ).order_by(ChecklistItem.id)
        else:
            query = query.where(ChecklistItem.id == item_id)
        item = db.session.scalars(query.limit(1)).one()
        db.session.expunge(item)
        db.session.remove()
        db.engine.dispose()
        return item


# --- sign-in limits -----------------------------------------------------------------------------


def _wrong_passwords(servers, email: str) -> list[int]:
    """Four wrong sign-ins for ``email``: A, A, B, then B again."""
    a, b = servers
    browser = Browser()
    return [
        browser.sign_in(server.base, email, password="wrong-password-for-the-test")
        for server in (a, a, b, b)
    ]


def test_with_redis_the_sign_in_limit_is_shared_by_the_instances(two_instances_with_redis):
    servers, _, _, prefix = two_instances_with_redis
    email = f"limit-{secrets.token_hex(4)}@shared.test"

    answers = _wrong_passwords(servers, email)

    # 3 per minute for the account, whichever instance counts them: the 4th is refused.
    assert answers == [401, 401, 401, 429]
    status = Browser().sign_in(servers[0].base, email, password="still-wrong-password")
    assert status == 429
    # The counters are in Redis, under this installation's prefix.
    store = redis.Redis(host=REDIS[0], port=REDIS[1], db=0)
    try:
        assert any(email.encode() in key for key in store.scan_iter(f"*/{prefix}/account:*"))
    finally:
        store.close()


def test_with_redis_a_change_saved_on_one_instance_shows_on_the_others_kept_page(
    two_instances_with_redis,
):
    (a, b), url, world, _ = two_instances_with_redis
    browser = Browser()
    assert browser.sign_in(a.base, CSM) == 302
    project = f"{a.base}/projects/{world.project_a}"
    browser.request(project)  # shows the "Signed in" message: not kept
    browser.request(project)
    status, page, headers = browser.request(project)
    assert status == 200 and headers.get("X-Page-Cache") == "hit"
    item = _open_item(url, world.project_a)
    new, form = _status_change(page, item)
    target = f"/projects/{world.project_a}/items/{item.id}"
    assert browser.request(f"{b.base}{target}", form)[0] == 302
    browser.request(f"{b.base}/projects/{world.project_a}")  # shows "Item updated."

    status, page, headers = browser.request(project)

    assert status == 200 and headers.get("X-Page-Cache") == "miss"
    row = re.search(rf'id="item-{item.id}">.*?</li>', page, re.S).group(0)
    assert f'value="{new.value}" aria-current="true"' in row


def test_without_redis_each_instance_counts_on_its_own(two_instances):
    servers, _, _ = two_instances
    email = f"limit-{secrets.token_hex(4)}@local.test"

    answers = _wrong_passwords(servers, email)

    # A has seen 2 attempts and B 2: neither reached 3, though the account made 4.
    assert answers == [401, 401, 401, 401]


def test_several_workers_counting_sign_ins_in_memory_are_warned_of(shared_database, tmp_path):
    url, _world = shared_database
    log = tmp_path / "gunicorn.log"
    settings = {"RATELIMIT_STORAGE_URI": "memory://", "GUNICORN_ACCESSLOG": ""}
    Server(url, secrets.token_hex(32), log, workers=2, settings=settings).stop()
    assert "the sign-in limits are multiplied by 2" in log.read_text()


def test_one_worker_counting_in_memory_is_not_warned_of(shared_database, tmp_path):
    url, _world = shared_database
    log = tmp_path / "gunicorn.log"
    settings = {"RATELIMIT_STORAGE_URI": "memory://", "GUNICORN_ACCESSLOG": ""}
    Server(url, secrets.token_hex(32), log, workers=1, settings=settings).stop()
    assert "multiplied" not in log.read_text()
