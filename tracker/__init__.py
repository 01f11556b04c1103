"""The onboarding tracker: a Flask application factory that only wires things together."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from tracker.config import Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: object | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config or Config())
    _configure_database(app)
    _check_secret_key(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
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
        raise RuntimeError(
            "SECRET_KEY is not set. Set it in the environment for production, or set "
            "TRACKER_ENV=development to run locally."
        )
    app.config["SECRET_KEY"] = "development-only-insecure-key"  # noqa: S105


def register_extensions(app: Flask) -> None:
    from tracker.extensions import bootstrap, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from tracker import models  # noqa: F401  (register every model with the metadata)
    from tracker.auth.models import User

    @login_manager.user_loader
    def load_user(user_id: str):
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        # A deactivated user is signed out on their next request.
        return user if user is not None and user.active else None


def register_blueprints(app: Flask) -> None:
    from tracker.admin.views import bp as admin_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.catalogue.views import bp as catalogue_bp
    from tracker.checklist.views import bp as checklist_bp
    from tracker.dashboard.views import bp as dashboard_bp
    from tracker.projects.views import bp as projects_bp

    for blueprint in (auth_bp, projects_bp, checklist_bp, dashboard_bp, catalogue_bp, admin_bp):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from tracker.errorpages import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from tracker import permissions
    from tracker.templating import register

    app.jinja_env.globals["can"] = permissions
    register(app)


def register_commands(app: Flask) -> None:
    from tracker.catalogue.cli import catalogue_cli
    from tracker.demo.cli import demo_command

    app.cli.add_command(catalogue_cli)
    app.cli.add_command(demo_command)
