"""Single-use links: a random token given once (in an e-mail, or shown to an administrator),
of which only a hash is stored. Password reset links and invitations are such links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.timeutil import utcnow


def new_link_token() -> str:
    """A new random token (256 bits), URL-safe."""
    return secrets.token_urlsafe(32)


def hash_link_token(token: str) -> str:
    """The stored form of a link's token. Tokens are random (256 bits), so a plain SHA-256 is
    enough: a leaked table gives no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


class SingleUseLink:
    """The columns of a single-use link: its token's hash, when it was made, when it expires
    and when it was used (None until then)."""

    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now
