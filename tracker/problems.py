"""Problem documents (RFC 9457): how every answer under /api/ reports an error, never as an
HTML page. Their shape is documented by ``tracker.api.schemas.Problem``."""

from __future__ import annotations

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"

# Werkzeug's descriptions speak of pages; these speak of an API's resources.
_DETAILS = {
    404: "There is no such resource, or you may not see it.",
    405: "This resource does not accept that method.",
}


def is_api_request() -> bool:
    """Answers under /api/ are problem documents, never HTML pages."""
    return request.path.startswith("/api/")


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra,
) -> Response:
    """A problem document; ``errors`` name the fields at fault ({"field", "message"})."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update({key: value for key, value in extra.items() if value is not None})
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def http_problem(error: HTTPException) -> Response:
    """A werkzeug HTTP error (404, 405, 413...) as a problem document."""
    code = error.code or 500
    headers = (
        {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else None
    )
    return problem_response(
        code, error.name, _DETAILS.get(code, error.description), headers=headers
    )
