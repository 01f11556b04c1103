"""Extensions, created unbound and initialised by ``create_app``."""

from functools import cached_property

from flask import g
from flask_babel import Babel, Domain
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so that migrations can alter and drop them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RequestDomain(Domain):
    """Flask-Babel's message domain, keeping the request's catalogue at hand.

    Flask-Babel looks the locale and its catalogue up again for every string it translates
    (half a dozen context-local lookups each); a project page translates some 500 strings.
    This keeps the catalogue with the locale it was loaded for, so that a locale forced for
    an e-mail (``force_locale``) still gets its own.
    """

    def get_translations(self):
        try:
            state = getattr(g._get_current_object(), "_flask_babel", None)
        except RuntimeError:  # outside any context: Flask-Babel's own answer
            return super().get_translations()
        locale = getattr(state, "babel_locale", None)
        cached = getattr(state, "tracker_translations", None)
        if locale is None or cached is None or cached[0] is not locale:
            translations = super().get_translations()  # also settles the locale
            state = g._flask_babel
            state.tracker_translations = (state.babel_locale, translations)
            return translations
        return cached[1]


class TrackerBabel(Babel):
    """Flask-Babel, with the request's catalogue kept at hand (``RequestDomain``): 3 ms less
    on the portfolio, 0.7 to 1.8 ms on the other pages (python -m bench.tricks)."""

    @cached_property
    def domain_instance(self) -> Domain:
        return RequestDomain(domain=self.domain)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()
babel = TrackerBabel()
# Flask-Mail reads the MAIL_* settings here at start-up; the reminder run reads them again
# when it starts (tracker.reminders.services.Outbox).
mail = Mail()
# Flask-Limiter keeps its counter store on this one object: each ``init_app`` gives it a fresh
# store from that app's RATELIMIT_STORAGE_URI. A process serves one app, so that is harmless;
# whether limits apply is read from the current app's config (SIGN_IN_RATE_LIMITS_ENABLED).
limiter = Limiter(key_func=get_remote_address)
