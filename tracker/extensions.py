"""Extensions, created unbound and initialised by ``create_app``."""

from flask_babel import Babel
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


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()
babel = Babel()
# Flask-Mail reads the MAIL_* settings here at start-up; the reminder run reads them again
# when it starts (tracker.reminders.services.Outbox).
mail = Mail()
# Flask-Limiter keeps its counter store on this one object: each ``init_app`` gives it a fresh
# store from that app's RATELIMIT_STORAGE_URI. A process serves one app, so that is harmless;
# whether limits apply is read from the current app's config (SIGN_IN_RATE_LIMITS_ENABLED).
limiter = Limiter(key_func=get_remote_address)
