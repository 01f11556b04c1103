"""Errors as RFC 9457 problem details: every answer from /api/ is JSON, never an HTML page."""

from __future__ import annotations

from flask import Response, json
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from tracker.api.schemas import FieldError, Problem

PROBLEM_JSON = "application/problem+json"


class ApiError(Exception):
    """Raised by API views to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        errors: list[FieldError] | None = None,
        **extra,
    ) -> None:
        super().__init__(detail or title)
        self.problem = Problem(status=status, title=title, detail=detail, errors=errors, **extra)


def field_error(field: str, message: str, status: int = 422) -> ApiError:
    return ApiError(
        status,
        "Invalid request",
        f"{field}: {message}",
        errors=[FieldError(field=field, message=message)],
    )


def from_validation_error(error: ValidationError, *, location: str = "") -> ApiError:
    """A 422 naming each invalid field (``body.status``-style paths are shortened)."""
    errors = []
    for detail in error.errors():
        field = ".".join(str(part) for part in detail["loc"]) or location or "body"
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = "Unknown field."
        errors.append(FieldError(field=field, message=message))
    summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return ApiError(422, "Invalid request", summary, errors=errors)


def problem_response(problem: Problem, headers: dict | None = None) -> Response:
    body = problem.model_dump(exclude_none=True)
    response = Response(json.dumps(body), status=problem.status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def http_problem(error: HTTPException) -> Response:
    code = error.code or 500
    detail = {
        404: "There is no such resource, or you may not see it.",
        405: "This resource does not accept that method.",
    }.get(code, error.description)
    headers = (
        {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else None
    )
    return problem_response(Problem(status=code, title=error.name, detail=detail), headers)
