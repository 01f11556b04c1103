"""The onboarding tracker: a Flask application factory that only wires things together."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import boundary
from tracker.config import Config, ConfigurationError
from tracker.queryargs import IdConverter

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: object | None = None) -> Flask:
    app = boundary.App(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config or Config())
    app.url_map.converters["int"] = IdConverter  # before any route is added
    _configure_database(app)
    _check_secret_key(app)
    _check_time_zone(app)
    _trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def _configure_database(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = Path(app.instance_path) / "tracker.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"


def _check_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("TRACKER_ENV") == "production":
        raise ConfigurationError(
            "SECRET_KEY is not set. Set it in the environment for production, or set "
            "TRACKER_ENV=development to run locally (`make run` writes it to .flaskenv)."
        )
    app.config["SECRET_KEY"] = "development-only-insecure-key"  # noqa: S105


def _check_time_zone(app: Flask) -> None:
    from tracker.timezones import is_zone

    name = app.config.setdefault("DEFAULT_TIME_ZONE", "UTC")
    if not is_zone(name):
        raise ConfigurationError(
            f"DEFAULT_TIME_ZONE must be an IANA time zone name such as Europe/Paris or UTC, "
            f"not {name!r}."
        )


def _trust_proxies(app: Flask) -> None:
    """Behind TRUST_PROXY reverse proxies, take the client's address, scheme (HTTPS), host
    and prefix from their X-Forwarded-* headers."""
    proxies = app.config.get("TRUST_PROXY", 0)
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )


def register_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from tracker import auth, pagecache
    from tracker.extensions import babel, bootstrap, csrf, db, login_manager, mail, migrate
    from tracker.files import storage as files
    from tracker.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    pagecache.init_app(app)
    files.init_app(app)
    bootstrap.init_app(app)
    mail.init_app(app)
    # Catalogues in tracker/translations (docs/development.md, "Translations"); pages in
    # the language select_locale picks, e-mails and calendar feeds in their recipient's.
    # Times in the reader's time zone (tracker/timezones.py), Flask-Babel's filters included.
    babel.init_app(app, locale_selector=select_locale)
    auth.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.localize_callback = str  # translated when flashed, in the page's language
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from sqlalchemy.orm import joinedload

    from tracker import models  # noqa: F401  (register every model with the metadata)
    from tracker.models import User

    @login_manager.user_loader
    def load_user(session_id: str):
        """The user of a session or "keep me signed in" cookie (``id.generation``, see
        User.get_id), if that user is active and has not ended their sessions since."""
        user_id, _, generation = session_id.partition(".")
        if not (user_id.isdigit() and generation.isdigit()):
            return None  # also a session from before generations existed: sign in again
        # Its organisation is in the navigation bar of every page: in the same statement.
        user = db.session.get(User, int(user_id), options=[joinedload(User.organisation)])
        if user is None or not user.active or user.session_generation != int(generation):
            return None
        return user


def register_blueprints(app: Flask) -> None:
    from tracker.account.language import bp as language_bp
    from tracker.account.views import bp as account_bp
    from tracker.admin.views import bp as admin_bp
    from tracker.api.views import bp as api_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.calendar.views import bp as calendar_bp
    from tracker.catalogue.drafts.views import bp as catalogue_drafts_bp
    from tracker.catalogue.views import bp as catalogue_bp
    from tracker.checklist.views import bp as checklist_bp
    from tracker.dashboard.views import bp as dashboard_bp
    from tracker.exports.views import bp as exports_bp
    from tracker.golive.views import bp as golive_bp
    from tracker.health import bp as health_bp
    from tracker.insights.views import bp as insights_bp
    from tracker.notifications.views import bp as notifications_bp
    from tracker.people.views import bp as people_bp
    from tracker.projects.views import bp as projects_bp
    from tracker.reviews.views import bp as reviews_bp
    from tracker.rollout.views import bp as rollout_bp
    from tracker.sharing.views import bp as sharing_bp

    for blueprint in (
        auth_bp,
        projects_bp,
        checklist_bp,
        golive_bp,
        dashboard_bp,
        exports_bp,
        catalogue_bp,
        catalogue_drafts_bp,
        admin_bp,
        people_bp,
        account_bp,
        language_bp,
        calendar_bp,
        api_bp,
        insights_bp,
        health_bp,
        rollout_bp,
        sharing_bp,
        reviews_bp,
        notifications_bp,
    ):
        app.register_blueprint(blueprint)
    # Browsers and tools that ask for /favicon.ico itself (the pages link the SVG one).
    app.add_url_rule(
        "/favicon.ico", "favicon", lambda: app.send_static_file("favicon.ico"), methods=["GET"]
    )


def register_errorhandlers(app: Flask) -> None:
    from tracker.errorpages import register

    register(app)
    boundary.register(app)


def register_security_headers(app: Flask) -> None:
    from tracker.security_headers import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from tracker import permissions
    from tracker.templating import register

    app.jinja_env.globals["can"] = permissions
    register(app)


def register_commands(app: Flask) -> None:
    from tracker.api.cli import tokens_cli
    from tracker.catalogue.cli import catalogue_cli
    from tracker.dataio.cli import register_dataio_commands
    from tracker.demo.cli import demo_command
    from tracker.notifications.emails import produce as produce_notification_emails
    from tracker.outbox import register_producer
    from tracker.outbox.cli import outbox_cli
    from tracker.reminders.cli import reminders_cli
    from tracker.reviews.cli import reviews_cli
    from tracker.rollout import cli as rollout_cli  # noqa: F401 - adds `catalogue upgrade`

    app.cli.add_command(catalogue_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(reviews_cli)
    register_producer(produce_notification_emails)
    register_dataio_commands(app)
