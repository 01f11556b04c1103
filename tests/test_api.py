"""The JSON API: tokens, permissions, filters, pagination, conflicts and the OpenAPI document.

Every response in this file is validated against /api/v1/openapi.json.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.exceptions import OpenAPIError
from openapi_spec_validator import validate as validate_spec
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from tests import factories
from tests.factories import CLIENT_ROW, INFOR_ROW, World
from tracker.api.fields import DAY
from tracker.api.openapi import document
from tracker.api.services import create_token, revoke_token
from tracker.catalogue.loader import CatalogueSpec, load_catalogue, spec_of
from tracker.catalogue.queries import current_version
from tracker.enums import Party, Status
from tracker.extensions import db
from tracker.models import ApiToken, ChecklistItem, Comment, Event, User
from tracker.timeutil import EARLIEST, LATEST, today


@pytest.fixture(scope="module")
def spec(_app) -> OpenAPI:
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(document(_app), config=config)


@pytest.fixture
def token(app, world):
    """token(email) -> a new API token of that world user."""

    def make(email: str) -> str:
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == email))
            _, value = create_token(user, name="test")
            db.session.commit()
            return value

    return make


@pytest.fixture
def api(client, spec):
    """api(method, path, token, **kwargs): a request whose response is checked against the
    OpenAPI document (status, content type and body schema)."""

    def call(method: str, path: str, token: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)
        assert response.status_code != 500
        if not path.startswith("/openapi"):
            # The request as the document sees it (its body was consumed by the app).
            sent = response.request
            environ = EnvironBuilder(method=method, path=sent.full_path, headers=headers)
            request = Request(environ.get_environ())
            spec.validate_response(
                WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)
            )
        return response

    return call


def item_id(app, project_id: int, row: str, party: Party | None = None) -> int:
    with app.app_context():
        return factories.item_of(project_id, row, party).id


@pytest.fixture
def allows(spec):
    """allows(method, path, body=None): whether the OpenAPI document allows that request."""

    def check(method: str, path: str, body=None) -> bool:
        environ = EnvironBuilder(
            method=method,
            path=f"/api/v1{path}",
            json=body,
            headers={"Authorization": "Bearer trk_any"},
        )
        try:
            spec.validate_request(WerkzeugOpenAPIRequest(Request(environ.get_environ())))
        except OpenAPIError:
            return False
        return True

    return check


# --- the document -------------------------------------------------------------------------


def test_the_openapi_document_is_valid_openapi_3_1(api):
    body = api("GET", "/openapi.json").get_json()
    assert body["openapi"] == "3.1.0"
    validate_spec(body)


def test_every_api_route_is_documented_and_every_documented_path_is_routed(app):
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = rule.rule.removeprefix("/api/v1")
            for part in rule.arguments:
                path = path.replace(f"<int:{part}>", "{" + part + "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routed.add((path, method.lower()))
    documented = {(path, method) for path, ops in document(app)["paths"].items() for method in ops}
    assert routed == documented


# --- authentication -----------------------------------------------------------------------


def test_a_request_without_a_token_gets_401_problem_json(api, world):
    response = api("GET", "/projects")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_gets_401(api, world):
    assert api("GET", "/projects", "trk_not-a-token").status_code == 401


def test_a_revoked_token_gets_401(app, api, token):
    value = token(World.CSM)
    with app.app_context():
        revoke_token(db.session.scalars(sa.select(ApiToken)).one(), actor=None)
        db.session.commit()
    assert api("GET", "/projects", value).status_code == 401


def test_a_deactivated_users_token_gets_401(app, api, token, world):
    value = token(World.CLIENT_A)
    with app.app_context():
        db.session.get(User, world.client_a).active = False
        db.session.commit()
    assert api("GET", "/projects", value).status_code == 401


def test_only_the_hash_of_a_token_is_stored(app, token):
    value = token(World.CSM)
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken)).one()
        assert value not in (stored.token_hash, stored.hint)
        assert value.startswith(stored.hint)


def test_an_unknown_api_url_answers_problem_json_not_html(client, token):
    response = client.get(
        "/api/v1/nothing", headers={"Authorization": f"Bearer {token(World.CSM)}"}
    )
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


# --- reading ------------------------------------------------------------------------------


def test_a_client_sees_only_their_own_customer(api, token, world):
    body = api("GET", "/customers", token(World.CLIENT_A)).get_json()
    assert [c["name"] for c in body["data"]] == ["Acme Test"]


def test_another_customers_project_is_not_found_for_a_client(api, token, world):
    assert api("GET", f"/projects/{world.project_b}", token(World.CLIENT_A)).status_code == 404


def test_a_project_carries_its_progress_per_phase_and_party(api, token, world):
    body = api("GET", f"/projects/{world.project_a}", token(World.CSM)).get_json()
    assert set(body["progress"]["phases"]) == {
        "onboarding",
        "provisioning",
        "implementation",
        "go_live",
        "operations",
    }
    assert set(body["progress"]["parties"]) == {"infor", "client"}
    assert body["progress"]["overall"]["total"] == 26


def test_items_filter_by_project_and_party(api, token, world):
    body = api(
        "GET", f"/items?project={world.project_a}&party=client&limit=200", token(World.CSM)
    ).get_json()
    assert body["data"]
    assert {(i["project"]["id"], i["party"]) for i in body["data"]} == {(world.project_a, "client")}


def test_items_filter_by_due_dates(api, token, world):
    start, end = today(), today() + timedelta(days=40)
    body = api(
        "GET", f"/items?due_after={start}&due_before={end}&limit=200", token(World.CSM)
    ).get_json()
    assert body["data"]
    assert all(str(start) <= i["due_date"] <= str(end) for i in body["data"])


def test_following_next_links_lists_every_item_once(app, api, token, world):
    value, seen, url = token(World.CSM), [], f"/items?project={world.project_a}&limit=7"
    while url:
        body = api("GET", url, value).get_json()
        seen += [i["id"] for i in body["data"]]
        url = body["next"].split("/api/v1", 1)[1] if body["next"] else None
    with app.app_context():
        assert sorted(seen) == [i.id for i in factories.items_of(world.project_a)]


def test_an_invalid_filter_is_a_422_naming_the_parameter(api, token, world):
    response = api("GET", "/items?party=someone", token(World.CSM))
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["party"]


def test_an_unknown_parameter_is_refused(api, token, world):
    response = api("GET", "/items?colour=red", token(World.CSM))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "colour"


def test_the_overdue_list_matches_the_dashboard(app, api, token, world, login):
    body = api("GET", "/overdue?limit=200", token(World.CSM)).get_json()
    page = login(World.CSM).get("/overdue").get_data(as_text=True)
    assert f'data-testid="overdue-count">{len(body["data"])}<' in page
    assert all(i["overdue"] for i in body["data"])


def test_the_overdue_list_pages_by_cursor_without_repeats(api, token, world):
    value = token(World.CSM)
    everything = api("GET", "/overdue?limit=200", value).get_json()["data"]
    seen, url = [], "/overdue?limit=2"
    while url:
        body = api("GET", url, value).get_json()
        seen += [i["id"] for i in body["data"]]
        url = body["next"].split("/api/v1", 1)[1] if body["next"] else None
    assert seen == [i["id"] for i in everything]


def test_the_catalogue_is_for_administrators_and_csms(api, token, world):
    assert len(api("GET", "/catalogue", token(World.ADMIN)).get_json()["areas"]) == 14
    assert len(api("GET", "/catalogue", token(World.CSM)).get_json()["areas"]) == 14


@pytest.mark.parametrize("who", [World.IMS, World.PARTNER, World.CLIENT_A])
def test_the_catalogue_is_not_for_others(api, token, world, who):
    response = api("GET", "/catalogue", token(who))
    assert response.status_code == 403
    assert response.get_json()["detail"] == "Only administrators and CSMs may read the catalogue."


def second_catalogue_version(app) -> None:
    """Version 2 of the world's catalogue: its first row (welcome_customer) due at K+9."""
    with app.app_context():
        data = spec_of(current_version()).model_dump(mode="json")
        data["areas"][0]["rows"][0]["due"] = "K+9"
        load_catalogue(CatalogueSpec.model_validate(data))
        db.session.commit()


def test_the_catalogue_versions_are_listed_with_their_counts(app, api, token, world):
    second_catalogue_version(app)

    body = api("GET", "/catalogue/versions", token(World.CSM)).get_json()

    assert [(v["number"], v["areas"], v["rows"]) for v in body["data"]] == [
        (1, 14, 28),
        (2, 14, 28),
    ]
    assert body["data"][0]["source"] == "catalogue.yaml"
    assert body["data"][1]["url"].endswith("/api/v1/catalogue/versions/2")
    assert body["next"] is None


def test_the_catalogue_versions_come_a_page_at_a_time(app, api, token, world):
    second_catalogue_version(app)
    value = token(World.ADMIN)

    first = api("GET", "/catalogue/versions?limit=1", value).get_json()
    second = api("GET", first["next"].split("/api/v1", 1)[1], value).get_json()

    assert [v["number"] for v in first["data"] + second["data"]] == [1, 2]
    assert second["next"] is None


def test_a_catalogue_version_is_read_by_its_number(app, api, token, world):
    second_catalogue_version(app)

    body = api("GET", "/catalogue/versions/2", token(World.CSM)).get_json()

    assert body["version"] == 2
    assert body["areas"][0]["rows"][0]["due_offset_days"] == 9


def test_a_catalogue_version_that_does_not_exist_is_not_found(api, token, world):
    assert api("GET", "/catalogue/versions/2", token(World.CSM)).status_code == 404


def test_the_catalogue_diff_gives_each_changed_field_before_and_after(app, api, token, world):
    second_catalogue_version(app)

    body = api("GET", "/catalogue/diff?from=1&to=2", token(World.CSM)).get_json()

    assert body == {
        "from_version": 1,
        "to_version": 2,
        "areas": [],
        "rows": [
            {
                "key": "welcome_customer",
                "area": "customer_welcome",
                "change": "changed",
                "fields": [{"field": "due", "before": "K+5", "after": "K+9"}],
            }
        ],
    }


def test_a_catalogue_version_compared_with_itself_has_no_differences(api, token, world):
    body = api("GET", "/catalogue/diff?from=1&to=1", token(World.ADMIN)).get_json()

    assert (body["areas"], body["rows"]) == ([], [])


def test_a_catalogue_diff_with_a_version_that_does_not_exist_is_not_found(api, token, world):
    response = api("GET", "/catalogue/diff?from=1&to=3", token(World.CSM))

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=1", "to"), ("to=1", "from"), ("from=0&to=1", "from"), ("from=1&to=x", "to")],
)
def test_a_catalogue_diff_needs_two_version_numbers(api, token, world, query, field):
    response = api("GET", f"/catalogue/diff?{query}", token(World.CSM))

    assert response.status_code == 422
    assert [error["field"] for error in response.get_json()["errors"]] == [field]


@pytest.mark.parametrize(
    "path", ["/catalogue/versions", "/catalogue/versions/1", "/catalogue/diff?from=1&to=1"]
)
@pytest.mark.parametrize("who", [World.IMS, World.PARTNER, World.CLIENT_A])
def test_the_catalogue_versions_are_not_for_others(api, token, world, path, who):
    assert api("GET", path, token(who)).status_code == 403


# --- changing -----------------------------------------------------------------------------


def test_a_client_completes_their_item(app, api, token, world):
    target = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT)
    response = api(
        "PATCH", f"/items/{target}", token(World.CLIENT_A), json={"version": 1, "status": "done"}
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "done"
    assert response.get_json()["completed_by"]["id"] == world.client_a  # the answer is current
    with app.app_context():
        assert db.session.get(ChecklistItem, target).completed_by_id == world.client_a


def test_repeating_a_completion_records_one_event(app, api, token, world):
    target, value = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT), token(World.CLIENT_A)
    for _ in range(2):
        assert (
            api(
                "PATCH", f"/items/{target}", value, json={"version": 1, "status": "done"}
            ).status_code
            == 200
        )
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(Event.item_id == target, Event.field == "status")
            )
            == 1
        )


def test_a_stale_change_is_a_409_with_the_current_version(app, api, token, world):
    target, value = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT), token(World.CLIENT_A)
    api("PATCH", f"/items/{target}", value, json={"version": 1, "status": "in_progress"})
    response = api("PATCH", f"/items/{target}", value, json={"version": 1, "status": "done"})
    assert response.status_code == 409
    assert response.get_json()["current_version"] == 2


def test_a_client_cannot_update_an_infor_item(app, api, token, world):
    target = item_id(app, world.project_a, INFOR_ROW, Party.INFOR)
    response = api(
        "PATCH", f"/items/{target}", token(World.CLIENT_A), json={"version": 1, "status": "done"}
    )
    assert response.status_code == 403


def test_a_client_cannot_touch_another_customers_item(app, api, token, world):
    target = item_id(app, world.project_b, INFOR_ROW, Party.INFOR)
    response = api(
        "PATCH", f"/items/{target}", token(World.CLIENT_A), json={"version": 1, "status": "done"}
    )
    assert response.status_code == 404


def test_a_client_cannot_move_a_due_date(app, api, token, world):
    target = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT)
    response = api(
        "PATCH",
        f"/items/{target}",
        token(World.CLIENT_A),
        json={"version": 1, "due_date": "2030-01-01"},
    )
    assert response.status_code == 403


def test_blocking_without_a_reason_is_a_422_naming_reason(app, api, token, world):
    target = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT)
    response = api(
        "PATCH", f"/items/{target}", token(World.CLIENT_A), json={"version": 1, "status": "blocked"}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "reason"
    with app.app_context():
        assert db.session.get(ChecklistItem, target).status is Status.TODO


def test_an_unknown_status_is_a_422_naming_status(app, api, token, world):
    target = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT)
    response = api(
        "PATCH",
        f"/items/{target}",
        token(World.CLIENT_A),
        json={"version": 1, "status": "finished"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "status"


def test_a_change_without_a_version_is_a_422_naming_version(app, api, token, world):
    target = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT)
    response = api("PATCH", f"/items/{target}", token(World.CLIENT_A), json={"status": "done"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "version"


def test_a_body_that_is_not_json_is_refused(app, api, token, world):
    target = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT)
    response = api("PATCH", f"/items/{target}", token(World.CLIENT_A), data="status=done")
    assert response.status_code == 415


def test_the_csm_assigns_an_item_to_a_client_user(app, api, token, world):
    target = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT)
    response = api(
        "PATCH",
        f"/items/{target}",
        token(World.CSM),
        json={"version": 1, "assignee_id": world.client_a},
    )
    assert response.get_json()["assignee"]["id"] == world.client_a


def test_assigning_another_customers_user_is_a_409_naming_assignee_id(app, api, token, world):
    target = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT)
    response = api(
        "PATCH",
        f"/items/{target}",
        token(World.CSM),
        json={"version": 1, "assignee_id": world.client_b},
    )
    assert response.status_code == 409
    assert response.get_json()["errors"][0]["field"] == "assignee_id"


def test_a_client_comments_on_their_projects_item(app, api, token, world):
    target = item_id(app, world.project_a, INFOR_ROW, Party.INFOR)
    response = api(
        "POST",
        f"/items/{target}/comments",
        token(World.CLIENT_A),
        json={"body": "We are ready for the welcome call."},
    )
    assert response.status_code == 201
    assert response.get_json()["author"]["id"] == world.client_a


def test_a_csm_writes_an_internal_comment(app, api, token, world):
    target = item_id(app, world.project_a, INFOR_ROW, Party.INFOR)
    response = api(
        "POST",
        f"/items/{target}/comments",
        token(World.CSM),
        json={"body": "Their sponsor is on leave until Monday.", "internal": True},
    )
    assert response.status_code == 201
    assert response.get_json()["internal"] is True


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/items/{item}/comments", {"body": "Just for us", "internal": True}),
        (
            "PATCH",
            "/items/{item}",
            {"version": 1, "status": "in_progress", "comment": "Us", "comment_internal": True},
        ),
    ],
)
def test_a_client_may_not_write_an_internal_comment(app, api, token, world, method, path, body):
    target = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT)
    response = api(method, path.format(item=target), token(World.CLIENT_A), json=body)
    assert response.status_code == 403
    assert response.get_json()["errors"][0]["field"] == "internal"
    with app.app_context():
        item = db.session.get(ChecklistItem, target)
        assert (item.status, len(item.comments)) == (Status.TODO, 0)  # nothing kept


def test_an_empty_comment_is_a_422(app, api, token, world):
    target = item_id(app, world.project_a, INFOR_ROW, Party.INFOR)
    response = api("POST", f"/items/{target}/comments", token(World.CLIENT_A), json={"body": ""})
    assert response.status_code == 422


@pytest.mark.parametrize("text", ["a\u0000b", "bell\u0007", "\u009b[31m"])
def test_a_comment_with_control_characters_is_a_422_and_nothing_is_stored(
    app, api, token, world, text
):
    target = item_id(app, world.project_a, INFOR_ROW, Party.INFOR)
    response = api("POST", f"/items/{target}/comments", token(World.CLIENT_A), json={"body": text})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "body"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_a_reason_with_a_nul_is_a_422_and_the_item_is_unchanged(app, api, token, world):
    target = item_id(app, world.project_a, INFOR_ROW, Party.INFOR)
    change = {"version": 1, "status": "blocked", "reason": "Waiting\u0000"}
    response = api("PATCH", f"/items/{target}", token(World.CSM), json=change)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "reason"
    with app.app_context():
        assert db.session.get(ChecklistItem, target).status is Status.TODO


def test_tabs_and_line_breaks_are_text(app, api, token, world):
    target = item_id(app, world.project_a, INFOR_ROW, Party.INFOR)
    body = "Line one\r\n\tline two"
    response = api("POST", f"/items/{target}/comments", token(World.CLIENT_A), json={"body": body})
    assert response.status_code == 201
    assert response.get_json()["body"] == body


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("Ready.", True),
        ("  Line one\r\n\tline two  ", True),
        ("\u00e9t\u00e9 \u6771\u4eac \U0001f600", True),
        ("a\u0000b", False),
        ("bell\u0007", False),
        ("\u009b[31m", False),
        ("", False),
        (" \t\r\n\u00a0\u3000", False),
    ],
)
def test_the_documents_text_pattern_refuses_what_the_api_refuses(_app, text, allowed):
    body = document(_app)["components"]["schemas"]["CommentCreate"]["properties"]["body"]
    assert bool(re.fullmatch(body["pattern"], text)) is allowed


# --- the tokens command -------------------------------------------------------------------


def test_the_tokens_command_prints_a_working_token(app, runner, api, world):
    result = runner.invoke(args=["tokens", "create", World.IMS, "--name", "monitoring"])
    assert result.exit_code == 0
    value = result.stdout.strip().splitlines()[0]
    assert api("GET", "/projects", value).status_code == 200


def test_the_tokens_command_revokes_a_token(app, runner, api, world):
    value = runner.invoke(args=["tokens", "create", World.IMS, "--name", "x"]).stdout.split()[0]
    with app.app_context():
        token_id = db.session.scalars(sa.select(ApiToken.id)).one()
    assert runner.invoke(args=["tokens", "revoke", str(token_id)]).exit_code == 0
    assert api("GET", "/projects", value).status_code == 401


def test_a_repeated_parameter_is_refused(api, token, world):
    response = api("GET", "/projects?csm=1&csm=2", token(World.CSM))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "csm"


def test_a_boolean_is_not_taken_for_a_user_id(app, api, token, world):
    target = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT)
    response = api(
        "PATCH", f"/items/{target}", token(World.CSM), json={"version": 1, "assignee_id": False}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "assignee_id"


def test_an_id_beyond_what_the_database_holds_is_a_404(api, token, world):
    response = api("GET", "/projects/99999999999999999999", token(World.CSM))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("query", ["version=abc", "version=1&version=2", "versoin=1"])
def test_the_catalogue_refuses_what_its_document_does_not_allow(api, token, world, query):
    response = api("GET", f"/catalogue?{query}", token(World.ADMIN))
    assert response.status_code == 422


# --- what the document says the API refuses -------------------------------------------------

# Requests the document does not allow, each answered 422 naming the field at fault;
# {item} is a client item of project_a, which the client and the CSM may change.
REFUSED = [
    ("GET", "/items?due_after=1999-12-31", None, "due_after"),
    ("GET", "/items?due_before=2101-01-01", None, "due_before"),
    ("GET", "/items?due_before=2023-02-29", None, "due_before"),
    ("GET", "/items?due_before=2024-01-01T00:00:00", None, "due_before"),
    ("GET", "/items?due_before=1704067200", None, "due_before"),  # a Unix time
    ("GET", "/items?limit=1.0", None, "limit"),
    ("GET", "/overdue?after=2024-01-01", None, "after"),
    ("GET", "/overdue?after=2024-01-01.0", None, "after"),
    ("GET", "/overdue?after=2101-01-01.5", None, "after"),
    ("PATCH", "/items/{item}", {"version": 1.5, "status": "done"}, "version"),
    ("PATCH", "/items/{item}", {"version": "1", "status": "done"}, "version"),
    ("PATCH", "/items/{item}", {"version": 1, "due_date": "2101-01-01"}, "due_date"),
    ("PATCH", "/items/{item}", {"version": 1, "due_date": "1999-12-31"}, "due_date"),
    ("PATCH", "/items/{item}", {"version": 1, "comment": ""}, "comment"),
    ("PATCH", "/items/{item}", {"version": 1, "comment": " \n "}, "comment"),
    ("PATCH", "/items/{item}", {"version": 1, "status": "blocked"}, "reason"),
    ("PATCH", "/items/{item}", {"version": 1, "status": "blocked", "reason": " "}, "reason"),
    ("PATCH", "/items/{item}", {"version": 1, "status": "blocked", "reason": None}, "reason"),
    ("POST", "/items/{item}/comments", {"body": " \t\r\n\u00a0"}, "body"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), REFUSED)
@pytest.mark.parametrize("who", [World.CSM, World.CLIENT_A])
def test_what_the_document_does_not_allow_the_api_refuses(
    app, api, allows, token, world, who, method, path, body, field
):
    path = path.format(item=item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT))
    assert not allows(method, path, body)
    response = api(method, path, token(who), json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/items?due_after=2000-01-01&due_before=2100-12-31", None),
        ("GET", "/items?due_before=2096-02-29", None),
        ("GET", "/overdue?after=2000-01-01.1", None),
        ("GET", "/overdue?after=2100-12-31.2147483647", None),
        ("PATCH", "/items/{item}", {"version": 1, "status": "blocked", "reason": "VPN"}),
        ("PATCH", "/items/{item}", {"version": 1.0, "status": "done"}),  # 1.0 is 1 in JSON
        ("PATCH", "/items/{item}", {"version": 1, "comment": "Booked.", "reason": None}),
        ("POST", "/items/{item}/comments", {"body": " Booked. "}),
    ],
)
def test_what_the_document_allows_the_api_accepts(
    app, api, allows, token, world, method, path, body
):
    path = path.format(item=item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT))
    assert allows(method, path, body)
    assert api(method, path, token(World.CSM), json=body).status_code in (200, 201)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        # Numbers and flags as the document writes them (its validators cast more leniently).
        ("/items?limit=%2B1", "limit"),
        ("/items?limit=1_0", "limit"),
        ("/items?limit=%201", "limit"),
        ("/items?overdue=yes", "overdue"),
        ("/projects?archived=1", "archived"),
        # Unknown parameters (OpenAPI has no way to say that they are refused), such as the
        # overdue list's former cursor.
        ("/overdue?after_due=2024-01-01&after_id=5", "after_due"),
    ],
)
def test_query_values_are_read_only_as_the_document_writes_them(api, token, world, path, field):
    response = api("GET", path, token(World.CSM))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field


def test_the_date_pattern_is_the_days_from_earliest_to_latest():
    day, last = EARLIEST - timedelta(days=800), LATEST + timedelta(days=800)
    while day <= last:
        assert bool(re.fullmatch(DAY, day.isoformat())) is (EARLIEST <= day <= LATEST), day
        day += timedelta(days=1)
    for impossible in ("2100-02-29", "2023-02-29", "2024-02-30", "2024-04-31", "2024-13-01"):
        assert not re.fullmatch(DAY, impossible)


def test_an_empty_due_date_range_matches_nothing_and_is_no_error(api, allows, token, world):
    path = "/items?due_after=2030-01-02&due_before=2030-01-01"
    assert allows("GET", path)
    response = api("GET", path, token(World.CSM))
    assert (response.status_code, response.get_json()["data"]) == (200, [])


def test_the_overdue_list_gives_its_cursor_as_one_parameter(api, token, world):
    body = api("GET", "/overdue?limit=1", token(World.CSM)).get_json()
    last = body["data"][0]
    assert body["next"].endswith(f"after={last['due_date']}.{last['id']}")


def test_a_blocked_item_stays_blocked_only_with_its_reason(app, api, token, world):
    target, value = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT), token(World.CLIENT_A)
    blocked = {"version": 1, "status": "blocked", "reason": "Waiting for the VPN"}
    assert api("PATCH", f"/items/{target}", value, json=blocked).status_code == 200
    again = {"version": 2, "status": "blocked", "comment": "Still waiting."}
    response = api("PATCH", f"/items/{target}", value, json=again)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "reason"


def test_a_client_marking_an_item_not_applicable_is_a_403_naming_status(app, api, token, world):
    target = item_id(app, world.project_a, CLIENT_ROW, Party.CLIENT)
    change = {"version": 1, "status": "not_applicable", "reason": "We have no webinar."}
    response = api("PATCH", f"/items/{target}", token(World.CLIENT_A), json=change)
    assert response.status_code == 403
    assert response.get_json()["errors"] == [
        {"field": "status", "message": "Only the project's CSM may mark an item not applicable."}
    ]
    with app.app_context():
        assert db.session.get(ChecklistItem, target).status is Status.TODO


def test_no_query_parameter_is_documented_as_null(_app):
    for path, operations in document(_app)["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                assert "anyOf" not in parameter["schema"], (path, parameter["name"])


def test_every_401_is_documented_with_its_www_authenticate_header(_app):
    for operations in document(_app)["paths"].values():
        for operation in operations.values():
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]


def test_no_operation_documents_a_400_which_the_api_never_answers(_app):
    for operations in document(_app)["paths"].values():
        for operation in operations.values():
            assert "400" not in operation["responses"]
