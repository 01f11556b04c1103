"""Error pages: HTML for people; the same status codes everywhere."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.api.errors import http_problem
from tracker.extensions import db


def _is_api() -> bool:
    """Answers under /api/ are always problem+json, never an HTML page."""
    return request.path.startswith("/api/")


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template(
            "errors/error.html",
            code=400,
            title="Form expired",
            message="The form was too old or came from elsewhere. Go back, reload and try again.",
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if _is_api():
            return http_problem(error)
        return render_template(
            "errors/error.html", code=error.code, title=error.name, message=_message(error)
        ), error.code

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        db.session.rollback()
        if _is_api():
            return http_problem(
                InternalServerError(
                    "The change was not saved. Please try again; if it keeps happening, tell us."
                )
            )
        return render_template(
            "errors/error.html",
            code=500,
            title="Something went wrong",
            message="The change was not saved. Please try again; if it keeps happening, tell us.",
        ), 500


_MESSAGES = {
    403: "You do not have permission to do this.",
    404: "There is nothing here, or you cannot see it.",
    405: "This address does not accept that kind of request.",
}


def _message(error: HTTPException) -> str:
    return _MESSAGES.get(error.code or 0, error.description or "")
