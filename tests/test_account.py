"""The account page: personal API tokens, created and revoked by their owner."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests import factories
from tests.factories import World
from tracker.extensions import db
from tracker.models import ApiToken


def created_token(page: str) -> str:
    return re.search(r'id="new-token" readonly value="([^"]+)"', page).group(1)


def test_creating_a_token_shows_it_once(world, login):
    client = login(World.CLIENT_A)
    page = client.post("/account/tokens", data={"name": "CRM sync"}).get_data(as_text=True)
    value = created_token(page)
    assert value.startswith("trk_")
    assert value not in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/account", None),  # the calendar feed's address
        ("post", "/account/tokens", {"name": "CRM sync"}),  # a new token, shown once
        ("post", "/account/tokens", {"name": ""}),  # the form again, refused
    ],
    ids=["account", "new-token", "refused-token"],
)
def test_the_account_pages_are_never_stored(world, login, method, path, data):
    response = getattr(login(World.CLIENT_A), method)(path, data=data)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_created_token_opens_the_api(world, login):
    client = login(World.CLIENT_A)
    value = created_token(client.post("/account/tokens", data={"name": "x"}).get_data(as_text=True))
    response = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 200


def test_a_token_needs_a_name(app, world, login):
    response = login(World.CLIENT_A).post("/account/tokens", data={"name": ""})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_revoking_a_token_closes_the_api_to_it(world, login):
    client = login(World.CLIENT_A)
    value = created_token(client.post("/account/tokens", data={"name": "x"}).get_data(as_text=True))
    token_id = re.search(
        r"/account/tokens/(\d+)/revoke", client.get("/account").get_data(as_text=True)
    ).group(1)
    client.post(f"/account/tokens/{token_id}/revoke")
    response = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 401


def test_nobody_revokes_someone_elses_token(app, world, login):
    owner = login(World.CLIENT_A)
    owner.post("/account/tokens", data={"name": "x"})
    with app.app_context():
        token_id = db.session.scalars(sa.select(ApiToken.id)).one()
    other = app.test_client()
    other.post("/login", data={"email": World.CLIENT_B, "password": factories.PASSWORD})
    assert other.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None
