"""Error pages: HTML for people, in their language; problem documents under /api/ (in
English). The same status codes everywhere."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, current_app, g, make_response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.extensions import login_manager
from tracker.problems import http_problem, is_api_request, problem_response

log = logging.getLogger(__name__)

NOT_SAVED = "The change was not saved. Please try again; if it keeps happening, tell us."


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_page(
            400,
            _("The form was too old or came from elsewhere. Go back, reload and try again."),
            title=_("Form expired"),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 413:
            return _too_large()
        if is_api_request():
            return http_problem(error)
        return error_page(error.code, _message(error), title=_title(error))

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    def database_unavailable(error: sa.exc.DBAPIError):
        """The database does not answer (down, restarting, out of connections, locked):
        503, shown without reading the database again (the signed-in user included)."""
        log.error("database unavailable: %s", error.orig or error)
        g._login_user = login_manager.anonymous_user()  # Flask-Login's: no user to load
        if is_api_request():
            response = problem_response(
                503,
                "Service Unavailable",
                "The database is not available: nothing was read "
                "or changed. Try again in a minute.",
            )
        else:
            response = make_response(
                error_page(
                    503,
                    _(
                        "The tracker cannot reach its database just now: nothing was read or "
                        "changed. Try again in a minute."
                    ),
                    title=_("Temporarily unavailable"),
                )
            )
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        # The request boundary has rolled back whatever the failed request had written.
        if is_api_request():
            return problem_response(500, "Internal Server Error", NOT_SAVED)
        return error_page(
            500,
            _("The change was not saved. Please try again; if it keeps happening, tell us."),
            title=_("Something went wrong"),
        )


def _too_large():
    """A request over MAX_CONTENT_LENGTH (an upload over MAX_UPLOAD_MB): refused before it
    is read, nothing stored; the answer says the limit."""
    limit = current_app.config.get("MAX_UPLOAD_MB", 25)
    if is_api_request():
        return problem_response(
            413,
            "Content Too Large",
            f"The request is too large: a file may be at most {limit} MB. Nothing was stored.",
        )
    return error_page(
        413,
        _(
            "What was sent is too large: a file may be at most %(num)d MB. Nothing was stored; "
            "go back and choose a smaller file.",
            num=limit,
        ),
        title=_("File too large"),
    )


def error_page(code: int, message: str | None = None, *, title: str | None = None):
    """The error page for ``code``: its title and ``message`` (ours for the usual codes)."""
    return render_template(
        "errors/error.html",
        code=code,
        title=title or str(_TITLES.get(code, "Error")),
        message=message if message is not None else str(_MESSAGES.get(code, "")),
    ), code


# Werkzeug's names and descriptions of the errors people may meet, in their language.
_TITLES = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    409: _l("Conflict"),
    410: _l("Gone"),
    413: _l("Request Entity Too Large"),
    414: _l("Request URI Too Large"),
    415: _l("Unsupported Media Type"),
    422: _l("Unprocessable Entity"),
    429: _l("Too Many Requests"),
    431: _l("Request Header Fields Too Large"),
}
_MESSAGES = {
    400: _l("The request could not be understood. Go back, reload and try again."),
    403: _l("You do not have permission to do this."),
    404: _l("There is nothing here, or you cannot see it."),
    405: _l("This address does not accept that kind of request."),
    409: _l("Someone else changed this at the same moment. Reload the page and try again."),
    410: _l("This is no longer available."),
    413: _l("What was sent is too large."),
    414: _l("This address is too long."),
    429: _l("Too many requests. Please wait a moment before trying again."),
}


def _title(error: HTTPException) -> str:
    return str(_TITLES.get(error.code or 0, error.name))


def _message(error: HTTPException) -> str:
    """A sentence of ours for the usual errors; werkzeug's English description for others,
    or the message a view gave (``abort(404, "...")``), which is English too."""
    if error.code in _MESSAGES and error.description == type(error).description:
        return str(_MESSAGES[error.code])
    return error.description or ""


# --- pages whose address holds a secret (reset links, invitations) ---------------------------


def no_store(body: str):
    """A response that no browser or proxy keeps: its URL holds a secret."""
    return body, {"Cache-Control": "no-store"}


def unusable_link_page(unusable):
    """The page of a single-use link that cannot be followed (tracker.auth.links.LinkUnusable:
    unknown, used, cancelled or expired), its title and message saying which."""
    return no_store(
        render_template(
            "auth/reset_link_unusable.html", title=unusable.title, message=unusable.message
        )
    )
