"""The refusals a use case raises: the few ways a change can fail, whatever door it came in by
(``NotFound``, ``NotAllowed``, ``RuleBroken`` and its ``InvalidInput`` for a whole form,
``Conflict``; a feature may add its own, such as a reset link that cannot be used).

Services raise them; the request boundary (``tracker.boundary``) rolls the transaction back
and answers each the same way everywhere: the form again with the error where it belongs, the
error page, or a problem document in the API. Messages are written for the person who made
the request, in their language (gettext, at the moment of refusal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class Refusal(Exception):
    """A change that cannot be made. ``status`` is the HTTP status it is answered with."""

    status = 400
    title = "Bad Request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(Refusal):
    """There is no such thing, or the actor may not see it (the same answer, on purpose)."""

    status = 404
    title = "Not Found"


class NotAllowed(Refusal):
    """The actor sees the thing but may not do this to it; ``field``, when one field is what
    they may not change."""

    status = 403
    title = "Forbidden"


class RuleBroken(Refusal, ValueError):
    """Input that breaks a rule; ``field`` names the input at fault."""

    status = 422
    title = "Invalid request"

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message, field=field)


class InvalidInput(RuleBroken):
    """A form whose fields did not validate; its errors are on the form itself."""

    def __init__(self, form) -> None:
        super().__init__(None, "The form has errors.")
        self.form = form


@dataclass(frozen=True)
class Change:
    """One field a refused change would have overwritten: its value now, and the one sent."""

    field: str
    saved: object
    sent: object


class Conflict(Refusal):
    """The thing changed since the actor read it (``current_version``): applying the change
    would overwrite someone else's. ``changes`` lists what it would overwrite, when known."""

    status = 409
    title = "Conflict"

    def __init__(
        self,
        message: str,
        *,
        current_version: int | None = None,
        changes: Sequence[Change] = (),
    ) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changes = tuple(changes)
