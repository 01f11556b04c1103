"""The daily reminder digest: which items each user hears about, the message in their
language, and the run that sends one digest per user per day.

Each user's day is their own: the run (``flask reminders send``, every hour) sends a user
the digest of their date once their local time, in their time zone (tracker/timezones.py),
has reached DIGEST_HOUR (8 o'clock); users for whom it is earlier are left for a later run.
So every recipient gets their digest in their morning, whatever their zone, and a run missed
at 8 o'clock is caught up by the next one.

The run is idempotent per user and day (the user's date), and safe to resume after a
crash. For each user it commits a ReminderDelivery row (status "sending") *before* handing
the message to the mail server, then marks the row "sent", or "failed" with the error. A
user who already has a row for the day is skipped: a second run sends nothing, and a
"sending" row left by a run that stopped half-way is reported as uncertain rather than sent
again (a missed digest is better than a double one). A user with nothing to report gets a
row "empty" and no e-mail.

The protocol above is made of commits, user by user: each is a unit of work of its own
(tracker.boundary.unit_of_work), like a command's.
"""

from __future__ import annotations

import smtplib
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, gettext, ngettext
from flask_mail import BadHeaderError, Message

from tracker.boundary import unit_of_work
from tracker.enums import Party, Role, Status
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.i18n import language_of, localized
from tracker.mailer import MailConnection
from tracker.models import Notification, ReminderDelivery, User
from tracker.notifications import emails as notification_emails
from tracker.reminders.queries import deliveries_on, digest_select, recipients_select
from tracker.timeutil import utcnow
from tracker.timezones import localized_time, reading_in, zone, zone_name_of
from tracker.urls import Links

SENDING, SENT, FAILED, EMPTY = "sending", "sent", "failed", "empty"

# Responsibilities are paragraphs; the digest shows their start, the item page the rest.
ITEM_TEXT_WIDTH = 160


# --- what a digest holds ----------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    id: int
    text: str  # in the recipient's language, shortened
    party: Party
    status: Status
    due_date: date
    days_overdue: int  # 0 for an item not yet due
    assignee_name: str | None
    url: str


@dataclass
class ProjectGroup:
    name: str
    items: list[DigestItem] = field(default_factory=list)


@dataclass
class CustomerGroup:
    name: str
    projects: list[ProjectGroup]


@dataclass
class Digest:
    """One user's items for one day: overdue, and due within ``days``, each grouped by
    customer then project (customers and projects by name, items by due date)."""

    user: User
    day: date
    days: int
    overdue: list[CustomerGroup]
    due_soon: list[CustomerGroup]
    overdue_count: int
    due_soon_count: int
    # Unread notifications, for a user who chose to read them in the digest only.
    notifications: list[Notification] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.overdue_count or self.due_soon_count or self.notifications)


def _grouped(entries: list[tuple[sa.Row, DigestItem]]) -> list[CustomerGroup]:
    customers: dict[str, dict[tuple[str, int], ProjectGroup]] = {}
    for row, item in entries:
        projects = customers.setdefault(row.customer_name, {})
        key = (row.project_name, row.project_id)
        projects.setdefault(key, ProjectGroup(row.project_name)).items.append(item)
    return [
        CustomerGroup(name, [projects[key] for key in sorted(projects)])
        for name, projects in sorted(customers.items())
    ]


def _shortened(text: str) -> str:
    return textwrap.shorten(text, ITEM_TEXT_WIDTH, placeholder=" …")


def build_digest(user: User, day: date, days: int, links: Links) -> Digest:
    """``user``'s digest for ``day`` (empty when they have nothing overdue or due soon)."""
    language = language_of(user)
    overdue, due_soon = [], []
    for row in db.session.execute(digest_select(user, day, days)):
        item = DigestItem(
            id=row.id,
            text=_shortened(localized(row, "text", language)),
            party=row.party,
            status=row.status,
            due_date=row.due_date,
            days_overdue=max(0, (day - row.due_date).days),
            assignee_name=row.assignee_name,
            url=links("checklist.item", project_id=row.project_id, item_id=row.id),
        )
        # The query selected open items overdue or due soon; the due date tells which.
        (overdue if row.due_date < day else due_soon).append((row, item))
    return Digest(
        user=user,
        day=day,
        days=days,
        overdue=_grouped(overdue),
        due_soon=_grouped(due_soon),
        overdue_count=len(overdue),
        due_soon_count=len(due_soon),
        notifications=notification_emails.for_digest(user),
    )


# --- the message --------------------------------------------------------------------------


def digest_subject(digest: Digest) -> str:
    """'Onboarding tracker: 3 overdue, 5 due this week', in the current locale."""
    overdue, soon = digest.overdue_count, digest.due_soon_count
    if overdue and soon:
        return gettext(
            "Onboarding tracker: %(overdue)d overdue, %(soon)d due this week",
            overdue=overdue,
            soon=soon,
        )
    if overdue:
        return gettext("Onboarding tracker: %(overdue)d overdue", overdue=overdue)
    if soon:
        return gettext("Onboarding tracker: %(soon)d due this week", soon=soon)
    return ngettext(
        "Onboarding tracker: %(num)d unread notification",
        "Onboarding tracker: %(num)d unread notifications",
        len(digest.notifications),
    )


def digest_message(digest: Digest, links: Links) -> Message:
    """The e-mail of a digest, in its recipient's language: plain text and HTML
    (multipart/alternative), with an absolute link to each item's page."""
    user = digest.user
    language = language_of(user)
    if user.role is Role.CSM:
        more_url = links("dashboard.overdue", csm=user.id)
    else:
        more_url = links("dashboard.my_tasks")
    zone_name = zone_name_of(user)
    with force_locale(language), reading_in(zone_name):
        subject = digest_subject(digest)
        context = dict(
            digest=digest,
            subject=subject,
            language=language,
            zone_name=zone_name,
            # The labels of the web pages (tracker/enums.py), translated once per message.
            party_labels={party: str(party.label) for party in Party},
            status_labels={status: str(status.label) for status in Status},
            more_url=more_url,
            account_url=links("account.index") + "#preferences",
            notifications=notification_emails.lines_of(digest.notifications, links),
            notifications_url=links("notifications.index"),
        )
        body = render_template("email/digest.txt", **context)
        html = render_template("email/digest.html", **context)
    return Message(
        subject=subject,
        recipients=[user.email],
        body=body,
        html=html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        # RFC 3834: an automatic message, so that out-of-office replies are not sent back.
        extra_headers={"Auto-Submitted": "auto-generated"},
    )


# --- sending ------------------------------------------------------------------------------


@dataclass
class RunResult:
    """What a run did, by recipient address. ``day`` is the day every digest was for, when
    the run was asked for one; otherwise each recipient's own date at ``at`` (UTC)."""

    day: date | None = None
    at: datetime | None = None
    hour: int | None = None  # the local hour from which digests go out
    dry_run: bool = False
    sent: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # a row for the day already
    uncertain: list[str] = field(default_factory=list)  # of those, "sending" ones
    failed: list[tuple[str, str]] = field(default_factory=list)  # (address, error)
    planned: list[tuple[str, str]] = field(default_factory=list)  # dry run: (address, subject)
    waiting: list[str] = field(default_factory=list)  # before the hour, in their zone

    def _when(self) -> str:
        if self.day is not None:
            return f"for {self.day.isoformat()}"
        return f"at {self.at:%Y-%m-%d %H:%M} UTC"

    def _waiting(self) -> str:
        if self.day is not None:
            return ""
        return f", {len(self.waiting)} waiting (before {self.hour:02d}:00 their time)"

    def summary(self) -> str:
        skipped = f"{len(self.skipped)} skipped"
        if self.uncertain:
            skipped += f" ({len(self.uncertain)} uncertain)"
        if self.dry_run:
            return (
                f"Dry run {self._when()}: {len(self.planned)} to send, "
                f"{len(self.empty)} empty, {skipped}{self._waiting()}; nothing was sent or "
                "recorded."
            )
        return (
            f"Reminders {self._when()}: {len(self.sent)} sent, "
            f"{len(self.empty)} empty, {skipped}, {len(self.failed)} failed{self._waiting()}."
        )


def recipients() -> list[User]:
    """Active users who want the digest, detached from the session so that the run's
    commits neither expire nor reload them."""
    users = list(db.session.scalars(recipients_select()))
    for user in users:
        db.session.expunge(user)
    return users


def _claim(user: User, digest: Digest, status: str, *, after_failure: bool) -> bool:
    """Record (and commit) that ``user``'s digest for the day is being sent, or is empty.
    False when another run got there first."""
    values = dict(
        status=status,
        overdue_count=digest.overdue_count,
        due_soon_count=digest.due_soon_count,
        created_at=utcnow(),
        sent_at=None,
        error=None,
    )
    try:
        with unit_of_work():
            claimed = _record_claim(user, digest, values, after_failure=after_failure)
            if claimed:  # with the claim: in this digest, in no other
                notification_emails.mark_digested(digest.notifications)
    except (sa.exc.IntegrityError, Conflict):  # another run inserted this user's row
        return False
    return claimed


def _record_claim(user: User, digest: Digest, values: dict, *, after_failure: bool) -> bool:
    if after_failure:
        return (
            db.session.execute(
                sa.update(ReminderDelivery)
                .where(
                    ReminderDelivery.user_id == user.id,
                    ReminderDelivery.day == digest.day,
                    ReminderDelivery.status == FAILED,
                )
                .values(**values)
            ).rowcount
            == 1
        )
    db.session.execute(
        sa.insert(ReminderDelivery).values(user_id=user.id, day=digest.day, **values)
    )
    return True


def _finish(user: User, day: date, status: str, *, error: str | None = None) -> None:
    with unit_of_work():
        db.session.execute(
            sa.update(ReminderDelivery)
            .where(ReminderDelivery.user_id == user.id, ReminderDelivery.day == day)
            .values(status=status, error=error, sent_at=utcnow() if status == SENT else None)
        )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def day_of(user: User, now: datetime, hour: int) -> date | None:
    """The date of ``user``'s digest at ``now`` (naive UTC): their date, in their time zone,
    once their local time has reached ``hour``; None before it."""
    local = localized_time(now, zone(zone_name_of(user)))
    return local.date() if local.hour >= hour else None


def send_reminders(
    day: date | None = None,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    retry_failed: bool = False,
) -> RunResult:
    """Send each active user who wants it their digest, once a day.

    Without ``day``, each user's digest for their own date at ``now`` (naive UTC; default:
    the clock), if their local time has reached DIGEST_HOUR; the others are "waiting". With
    ``day``, everyone's digest for ``day``, whatever their time (to catch up a day).

    Users with a row for their day are skipped, except "failed" ones when ``retry_failed``.
    ``dry_run`` builds every message but sends and records nothing. Queries: two for the
    run, then one to read each user's items, and one or two writes per user who had no row.
    """
    app = current_app._get_current_object()
    links = Links(app, app.config["BASE_URL"])
    if not app.config.get("MAIL_DEFAULT_SENDER"):
        raise ValueError("MAIL_DEFAULT_SENDER must be set: the address reminders are sent from.")
    days = app.config["DUE_SOON_DAYS"]
    hour = app.config["DIGEST_HOUR"]
    now = now or utcnow()
    result = RunResult(day=day, at=now, hour=hour, dry_run=dry_run)
    users = recipients()
    # Each user's day: at most three dates, around the world, at any moment.
    day_by_user = {user.id: day or day_of(user, now, hour) for user in users}
    on = {d for d in day_by_user.values() if d is not None}
    earlier = {(user_id, d): status for user_id, d, status in db.session.execute(deliveries_on(on))}
    outbox = None if dry_run else MailConnection(app)
    try:
        for user in users:
            user_day = day_by_user[user.id]
            if user_day is None:
                result.waiting.append(user.email)
                continue
            status = earlier.get((user.id, user_day))
            if status == SENDING:
                result.skipped.append(user.email)
                result.uncertain.append(user.email)
                continue
            after_failure = status == FAILED and retry_failed
            if status is not None and not after_failure:
                result.skipped.append(user.email)
                continue
            digest = build_digest(user, user_day, days, links)
            if digest.is_empty:
                if dry_run or _claim(user, digest, EMPTY, after_failure=after_failure):
                    result.empty.append(user.email)
                else:
                    result.skipped.append(user.email)
                continue
            message = digest_message(digest, links)
            if dry_run:
                result.planned.append((user.email, message.subject))
                continue
            if not _claim(user, digest, SENDING, after_failure=after_failure):
                result.skipped.append(user.email)
                continue
            try:
                outbox.send(message)
            except (smtplib.SMTPException, OSError, BadHeaderError) as error:
                _finish(user, user_day, FAILED, error=_describe(error))
                result.failed.append((user.email, _describe(error)))
            else:
                _finish(user, user_day, SENT)
                result.sent.append(user.email)
    finally:
        if outbox is not None:
            outbox.close()
    return result
