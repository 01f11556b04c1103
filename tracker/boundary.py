"""The request boundary: one transaction per request, and one way of answering a refusal.

Views and services never commit or roll back. ``App`` runs each view, then:

- commits once, when the view answered below 400 (a page, a redirect, JSON);
- rolls back when the view raised, or answered 400 or above: a refused request writes
  nothing, whatever a service flushed before refusing.

A refusal (``tracker.errors``) raised by a service or a view is answered, after the rollback,
in one place (``answer``):

- under /api/: a problem document with its status, the field at fault and, for a
  conflict, the version to base a new change on;
- on a page that said how to show refusals (``refusals_shown_by``): that page again, with
  the error where it belongs (a form field, the form, the in-place row), at the refusal's
  status;
- elsewhere: the error page, with the refusal's message.

A commit can still refuse: another transaction saved the same row first (a conflict), or a
row that clashes with this one (a conflict too).

The command line has its own boundary (``unit_of_work``): a command's changes are committed
when it ends without error, and rolled back otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, g, make_response, message_flashed, session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tracker.errorpages import error_page
from tracker.errors import Conflict, Refusal
from tracker.extensions import db
from tracker.problems import is_api_request, problem_response

log = logging.getLogger(__name__)


class App(Flask):
    """Flask, with every view run inside the request boundary."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        message_flashed.connect(_count_flash, self)

    def dispatch_request(self) -> ResponseReturnValue:
        try:
            response = make_response(super().dispatch_request())
        except BaseException:
            db.session.rollback()
            raise
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            _commit()
        except BaseException:
            # Nothing was saved: no "saved" message of this request may show.
            added = g.pop("flashed", 0)
            if added:
                session["_flashes"] = session["_flashes"][:-added]
            raise
        return response


def _count_flash(_app, **_message) -> None:
    """Count the messages this request flashes: the ones a failed commit takes back."""
    g.flashed = g.get("flashed", 0) + 1


def _concurrent(error: Exception) -> bool:
    """Whether a failed write met another transaction's: the row it changes was changed
    meanwhile (the version column), or a row it adds clashes with one just added (a unique
    key). Other violations are the code's mistakes, not conflicts."""
    if isinstance(error, StaleDataError):
        return True
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(
        original
    )


def _conflict() -> Conflict:
    return Conflict(
        _("Someone else saved a change at the same moment. Reload the page and try again.")
    )


def _commit() -> None:
    """Commit the request's changes; a conflict found by the database is a refusal."""
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError) as error:
        db.session.rollback()
        if not _concurrent(error):
            raise
        log.info("a commit met a concurrent change: %s", error)
        raise _conflict() from error
    except BaseException:
        db.session.rollback()
        raise


def flush(*, current_version: Callable[[], int] | None = None) -> None:
    """Send the changes so far to the database, for a service that must know whether they
    hold before going on; a concurrent change found there is a conflict, as at commit, whose
    ``current_version`` (read after the rollback) tells what to base a new change on."""
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as error:
        if not _concurrent(error):
            raise
        db.session.rollback()  # as the boundary would: then the saved version can be read
        conflict = _conflict()
        conflict.current_version = current_version() if current_version else None
        raise conflict from error


@contextmanager
def separate_transaction() -> Iterator[Session]:
    """A transaction of its own beside the request's, committed at once: for a record that is
    kept whatever the request ends with (an API token's last use). Under the test suite's
    transaction it is a savepoint of it."""
    own = Session(bind=db.session.get_bind(), join_transaction_mode="create_savepoint")
    with own, own.begin():
        yield own


# --- answering refusals --------------------------------------------------------------------

_SHOWN_BY = "tracker_refusals_shown_by"


def refusals_shown_by(render: Callable[[Refusal], ResponseReturnValue]) -> None:
    """Answer a refusal met later in this request with ``render(refusal)``: the view's page
    again, showing the error where it belongs (or a redirect back where a message is
    flashed). Called by a view before it changes anything; the transaction is rolled back
    before ``render`` runs, and a page answered has the refusal's status."""
    setattr(g, _SHOWN_BY, render)


def answer(refusal: Refusal) -> ResponseReturnValue:
    """The one answer to a refusal (see the module's docstring)."""
    if is_api_request():
        errors = [{"field": refusal.field, "message": refusal.message}] if refusal.field else None
        return problem_response(
            refusal.status,
            refusal.title,
            f"{refusal.field}: {refusal.message}" if refusal.field else refusal.message,
            errors=errors,
            current_version=getattr(refusal, "current_version", None),
        )
    render = g.get(_SHOWN_BY)
    if render is None:
        return error_page(refusal.status, refusal.message)
    response = make_response(render(refusal))
    if not 300 <= response.status_code < 400:  # a page, not a way back elsewhere
        response.status_code = refusal.status
    return response


def register(app: Flask) -> None:
    app.register_error_handler(Refusal, answer)


# --- the command line ----------------------------------------------------------------------


@contextmanager
def unit_of_work() -> Iterator[None]:
    """The command line's boundary: commit what the block changed, or roll it back if it
    raised (a refusal included)."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    _commit()
