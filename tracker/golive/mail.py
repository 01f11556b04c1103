"""The handover e-mail: the handover summary, in each recipient's language, queued in the
outbox with the confirmation of go-live."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale, gettext

from tracker.i18n import language_of
from tracker.models import Project
from tracker.urls import mail_url


def queue_handover_mail(project: Project) -> int:
    """Queue the handover summary for each of the project's people (the CSM, the customer's
    users, the partner's, IMS with a contract); returns how many."""
    from tracker.golive.queries import project_people
    from tracker.golive.summary import handover_summary
    from tracker.outbox import enqueue_mail

    link = mail_url("golive.handover", project_id=project.id)
    people = project_people(project)
    summary = handover_summary(project)  # rows and items: each e-mail words them itself
    for person in people:
        with force_locale(language_of(person)):
            subject = gettext("%(project)s is live: the handover", project=project.name)
            context = dict(
                project=project,
                summary=summary,
                person=person,
                link=link,
                subject=subject,
            )
            text = render_template("email/handover.txt", **context)
            html = render_template("email/handover.html", **context)
        enqueue_mail(to=person.email, subject=subject, text=text, html=html, kind="handover")
    return len(people)
