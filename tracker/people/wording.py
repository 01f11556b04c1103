"""The people's events written out in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from tracker.models import PeopleEvent


def people_event_text(event: PeopleEvent) -> str:
    """What happened, and who did it (none for the invitee's own acceptance)."""
    actor = event.actor.name if event.actor is not None else _("someone")
    texts = {
        "invitation_sent": lambda: _(
            "%(actor)s invited %(email)s.", actor=actor, email=event.email
        ),
        "invitation_resent": lambda: _(
            "%(actor)s sent the invitation to %(email)s again.", actor=actor, email=event.email
        ),
        "invitation_cancelled": lambda: _(
            "%(actor)s cancelled the invitation to %(email)s.", actor=actor, email=event.email
        ),
        "invitation_replaced": lambda: _(
            "The invitation to %(email)s was replaced by a newer one.", email=event.email
        ),
        "invitation_accepted": lambda: _("%(email)s accepted the invitation.", email=event.email),
        "user_deactivated": lambda: _(
            "%(actor)s deactivated %(email)s.", actor=actor, email=event.email
        ),
        "reset_link_requested": lambda: _(
            "A password reset link was sent to %(email)s.", email=event.email
        ),
    }
    text = texts.get(event.action)
    return text() if text else event.action
