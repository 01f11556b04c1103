"""Single-use links (tracker.models.link): issuing one, using one up (finding one by its
token: ``tracker.auth.queries.link_of``). Password reset links and invitations share these;
each says in its own words why a link cannot be used (``LinkUnusable``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from tracker.errors import Refusal
from tracker.extensions import db
from tracker.models.link import SingleUseLink, hash_link_token, new_link_token
from tracker.timeutil import utcnow


class LinkUnusable(Refusal):
    """A single-use link that cannot be followed: unknown (404), or used, expired or
    cancelled (410). ``title`` heads the page that says so."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title


def new_token() -> tuple[str, str]:
    """A new token, to give once, and the hash to store."""
    token = new_link_token()
    return token, hash_link_token(token)


def use_up(model: type[SingleUseLink], link_id: int, *conditions: sa.ColumnElement[bool]) -> bool:
    """Mark the link used, if it still may be (not used, not expired, and ``conditions``):
    a conditional UPDATE, so that two submissions racing with the same link cannot both
    succeed. Whether this one did."""
    now: datetime = utcnow()
    used = db.session.execute(
        sa.update(model)
        .where(
            model.id == link_id,
            model.used_at.is_(None),
            model.expires_at > now,
            *conditions,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1
