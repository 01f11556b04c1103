"""The invitation e-mail, in the invitation's language, queued in the outbox with the change
that sent it."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale, gettext

from tracker.models import Invitation


def _role(invitation: Invitation) -> str:
    """ "a client lead", "a partner consultant"...: in the current (the e-mail's) language."""
    if invitation.organisation.is_customer:
        return gettext("a client lead") if invitation.is_lead else gettext("a client user")
    return gettext("a partner lead") if invitation.is_lead else gettext("a partner consultant")


def queue_invitation_mail(invitation: Invitation, *, link: str, days: int) -> None:
    """Queue the invitation e-mail carrying ``link`` (written with the request's changes)."""
    from tracker.outbox import enqueue_mail

    with force_locale(invitation.language):
        subject = gettext(
            "Invitation to %(organisation)s's onboarding",
            organisation=invitation.organisation.name,
        )
        context = dict(
            invitation=invitation,
            inviter=invitation.invited_by.name if invitation.invited_by else "",
            role=_role(invitation),
            link=link,
            days=days,
            subject=subject,
        )
        text = render_template("email/invitation.txt", **context)
        html = render_template("email/invitation.html", **context)
    enqueue_mail(to=invitation.email, subject=subject, text=text, html=html, kind="invitation")
