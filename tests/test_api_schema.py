"""Schemathesis against the API's own OpenAPI document, through the app in process, with a
CSM's token and with a client's: every operation gets the document's examples, its coverage
cases (each bound, each enum value, each parameter left out, unsupported methods, bodies of
other media types...) and generated requests, valid ones and invalid ones, the same on every
run; every answer goes through every check schemathesis has.

So the document says what the API refuses: a request it allows is never refused as invalid
(``positive_data_acceptance``: a 404, 403 or 409 may still answer it), a request it does not
allow is refused with a 4xx (``negative_data_rejection``), and every answer has a documented
status, content type, headers and schema. A finding is fixed in the API or its document,
never by leaving a check out.
"""

from __future__ import annotations

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.config._operations import OperationConfig

from tests.factories import World
from tracker.api.services import create_token
from tracker.extensions import db
from tracker.models import User

load_all_checks()  # the OpenAPI checks register themselves on import

# Every check schemathesis registers (schemathesis/checks.py `CHECKS`, filled by the
# `@schemathesis.check` functions of schemathesis/checks.py and specs/openapi/checks.py).
# Three of them can find nothing here, and run all the same, so that they would if the API
# grew what they need:
# - use_after_free looks for a successful read after a successful DELETE of the same
#   resource in a stateful run; the API has no DELETE.
# - ensure_resource_availability looks for a 404 on reading what a POST just created, in a
#   stateful run over links; nothing the API creates (a comment) has a URL to read it at.
# - object_level_authorization replays one identity's reads as another's; it needs the
#   identities of an `[auth.wfc]` configuration (specs/openapi/object_authorization.py,
#   `escalating_provider`). tests/test_route_matrix.py checks who sees what.
CHECKS = [check for check in REGISTERED_CHECKS.get_all() if not isinstance(check, type)]
EVERY_CHECK = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
    "object_level_authorization",
}

# The users whose tokens call the API: a CSM (project_a's and project_b's), who may change
# any item of their projects, and a client of customer_a, who sees only project_a and may
# change only its client items.
ROLES = ["csm", "client_a"]


def test_every_check_schemathesis_has_is_run():
    assert {check.__name__ for check in CHECKS} == EVERY_CHECK


@pytest.fixture(params=ROLES)
def api_schema(request, app, world):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == World.EMAILS[request.param]))
        _, token = create_token(user, name="schemathesis")
        db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)  # as served
    # In the configuration, not in each call: the coverage cases that leave the token out
    # (and the checks that probe without it) can then do so.
    schema.config.update(headers={"Authorization": f"Bearer {token}"})
    # A file the document allows may still be refused for what it holds: its type is
    # checked on its bytes (tracker/files/rules.py), which a schema cannot say. The API
    # answers 422 with the reason, and the document lists it; every other check stands.
    schema.config.operations.operations.append(
        OperationConfig.from_dict(
            {
                "include-operation-id": "attachFile",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": [
                            "2xx",
                            "3xx",
                            "401",
                            "403",
                            "404",
                            "409",
                            "422",
                            "429",
                            "5xx",
                        ]
                    }
                },
            }
        )
    )
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=10,  # generated requests per operation and kind (valid, invalid)
    derandomize=True,  # the same requests on every run
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_does_what_its_document_says(case, count_hostile_input):
    count_hostile_input()
    case.call_and_validate(checks=CHECKS)
