from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.enums import Role, enum_column
from tracker.extensions import db
from tracker.models.link import SingleUseLink, hash_link_token
from tracker.models.organisation import Organisation
from tracker.timeutil import utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # Indexed: the users who may be assigned a project's items are every Infor user (a few
    # dozen among thousands of client users) and the project's client and partner users.
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    # A lead of a customer or partner organisation (client or partner users only) invites
    # and deactivates colleagues of their own organisation, and may sign go-live off.
    is_lead: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The language of the interface and of e-mails: "en" or "fr".
    language: Mapped[str] = mapped_column(sa.String(5), default="en", server_default="en")
    # The IANA time zone times are shown in ("Europe/Paris", tracker/timezones.py): guessed
    # from the browser at the first sign-in, changed on My account. None: not known yet, times
    # are shown in the default zone (DEFAULT_TIME_ZONE, UTC).
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))
    # The daily reminder e-mail of overdue and soon-due items.
    digest_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # E-mails about notifications (tracker/notifications): "at_once" (batched), "digest"
    # (in the daily digest only) or "off"; and when the last batched one was made.
    notification_email: Mapped[str] = mapped_column(
        sa.String(10), default="at_once", server_default="at_once"
    )
    notification_emailed_at: Mapped[datetime | None]
    # The private calendar feed: 0 when off; otherwise part of the feed URL's signature,
    # so that increasing it revokes the previous URL.
    calendar_feed_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Part of the identity that sessions and "keep me signed in" cookies carry (get_id):
    # increasing it ends every session of the user, copied cookies included.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    # Loaded where it is shown (the signed-in user, the users list): not joined to every user
    # a page reads (assignees, event actors, the assignee menus).
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What a session and a "keep me signed in" cookie hold: ``id.generation``."""
        return f"{self.id}.{self.session_generation}"

    def end_sessions(self) -> None:
        """Every session of this user ends: the cookies of each browser, copies included,
        no longer sign anyone in."""
        self.session_generation = (self.session_generation or 0) + 1

    def set_password(self, password: str) -> None:
        """A new password; the sessions opened with the old one end (``end_sessions``)."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        if self.id is not None:
            self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_infor_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.CSM)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"


# The reset links' name for the hash of single-use links (tracker.models.link).
hash_reset_token = hash_link_token


class PasswordResetToken(SingleUseLink, db.Model):
    """A single-use link to set a new password, issued by an administrator (shown to them
    once) or asked for with "Forgot password?" (sent by e-mail to the account's address).

    Only the token's hash is stored (tracker.models.link).
    """

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<PasswordResetToken {self.id} user={self.user_id}>"
