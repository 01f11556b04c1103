"""Schemathesis against the API's own OpenAPI document, through the app in process, with a
CSM's token: generated requests for every operation never make the server fail, and every
answer has a documented content type and matches its documented schema."""

from __future__ import annotations

import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.factories import World
from tracker.api.openapi import document
from tracker.api.services import create_token
from tracker.extensions import db
from tracker.models import User

CHECKS = [
    checks.not_a_server_error,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def test_every_answer_is_documented(app, world, count_hostile_input):
    with app.app_context():
        csm = db.session.scalar(sa.select(User).where(User.email == World.CSM))
        _, token = create_token(csm, name="schemathesis")
        db.session.commit()
    schema = schemathesis.openapi.from_dict(document(app))
    headers = {"Authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            derandomize=True,  # the same requests on every run
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case) -> None:
            count_hostile_input()
            case.call_and_validate(app=app, headers=headers, checks=CHECKS)

        call()
