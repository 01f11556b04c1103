"""The API's own refusals of a request it cannot read (no token, not JSON, parameters that
do not validate), as problem documents. Refusals of a change itself come from the services
(tracker.errors) and are answered by the request boundary the same way."""

from __future__ import annotations

from pydantic import ValidationError

from tracker.problems import problem_response


class ApiError(Exception):
    """Raised by API views to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors

    def response(self):
        headers = {"WWW-Authenticate": 'Bearer realm="tracker"'} if self.status == 401 else None
        return problem_response(
            self.status, self.title, self.detail, errors=self.errors, headers=headers
        )


TITLES = {409: "Conflict", 422: "Invalid request"}


def field_error(field: str, message: str, status: int = 422) -> ApiError:
    return ApiError(
        status, TITLES[status], f"{field}: {message}", [{"field": field, "message": message}]
    )


def from_validation_error(error: ValidationError, *, location: str = "") -> ApiError:
    """A 422 naming each invalid field (``body.status``-style paths are shortened)."""
    errors = []
    for detail in error.errors():
        field = ".".join(str(part) for part in detail["loc"]) or location or "body"
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = "Unknown field."
        errors.append({"field": field, "message": message})
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return ApiError(422, "Invalid request", summary, errors)
