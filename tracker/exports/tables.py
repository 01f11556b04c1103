"""The rows of each export, read with the same queries (filters, permissions) as its page,
in the language of the person who asks (headers, labels, catalogue texts), with times in
their time zone, which the column's header names ("Completed at (Europe/Paris)")."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from tracker.checklist.queries import progress_by_project
from tracker.dashboard.queries import due_soon_select, overdue_select
from tracker.enums import Party, Phase, Status
from tracker.exports.writers import Sheet
from tracker.extensions import db
from tracker.i18n import localized
from tracker.models import Project, User
from tracker.portfolio.queries import portfolio_ids, portfolio_select, sign_offs_of
from tracker.projects.queries import project_items
from tracker.timezones import current_zone, current_zone_name, localized_time
from tracker.wording import item_reason, next_milestone


def portfolio_sheets(user: User, today: date, **filters) -> list[Sheet]:
    projects = db.session.scalars(
        portfolio_select(user, **filters).options(joinedload(Project.partner))
    ).all()
    # Every project's progress in one grouped query, scoped by a subquery rather than a
    # list of thousands of ids.
    progress = progress_by_project(portfolio_ids(user, **filters), today)
    header = [
        _("Project"),
        _("Customer"),
        _("CSM"),
        _("Deployment"),
        _("Environment"),
        _("IMS contract"),
        _("Implemented by"),
        _("Kickoff"),
        _("Target go-live"),
        _("Next milestone"),
        _("Next milestone date"),
        _("Items"),
        _("Closed"),
        _("Overdue"),
        _("Went live on"),
        _("Signed off by"),
        _("Signed off at (%(zone)s)", zone=current_zone_name()),
        _("Rating"),
        _("Rating comment"),
    ]
    sign_offs = sign_offs_of(portfolio_ids(user, **filters))
    for phase in Phase:
        header += [
            _("%(phase)s closed", phase=phase.label),
            _("%(phase)s items", phase=phase.label),
        ]
    rows = []
    for project in projects:
        tally = progress[project.id]
        milestone = next_milestone(project, today)
        rows.append(
            [
                project.name,
                project.customer.name,
                project.csm.name,
                str(project.deployment.label),
                str(project.environment.label),
                project.ims_contract,
                project.partner.name if project.partner else "Infor",
                project.kickoff_date,
                project.go_live_date,
                milestone[0] if milestone else _("Live"),
                milestone[1] if milestone else None,
                tally.overall.total,
                tally.overall.closed,
                tally.overdue,
                project.went_live_on,
                signed.signed_by.name if (signed := sign_offs.get(project.id)) else None,
                local_time(signed.signed_at) if signed else None,
                signed.rating if signed else None,
                signed.rating_comment if signed else None,
            ]
            + [
                n
                for phase in Phase
                for n in (tally.phases[phase].closed, tally.phases[phase].total)
            ]
        )
    return [(_("Portfolio"), header, rows)]


def local_time(moment: datetime | None) -> datetime | None:
    """A stored timestamp as the reader's wall-clock time, without a zone (spreadsheets
    have none: the column's header names it)."""
    return localized_time(moment, current_zone()).replace(tzinfo=None) if moment else None


def _parties(parties) -> str | None:
    """Parties in one cell, by their labels ("IMS, Client"); None (empty) for none."""
    return ", ".join(str(party.label) for party in parties) or None


def checklist_header() -> list[str]:
    """The checklist's columns: the responsibility in the page's language, then the
    vendor's French source text. Times are in the reader's zone, named in the header."""
    return [
        _("Phase"),
        _("Area"),
        _("Responsibility"),
        "Responsabilité (FR)",
        _("Responsible"),
        _("Accountable"),
        _("Contributors"),
        _("Status"),
        _("Due date"),
        _("Assignee"),
        _("Reason"),
        _("Completed at (%(zone)s)", zone=current_zone_name()),
        _("Completed by"),
        _("Catalogue row"),
    ]


def checklist_sheets(
    project: Project,
    *,
    party: Party | None,
    status: Status | None,
    assignee_id: int | None,
    area: str | None = None,
    accountable: Party | None = None,
) -> list[Sheet]:
    """One sheet per phase, in phase order; only phases with items."""
    by_phase: dict[Phase, list[list]] = {phase: [] for phase in Phase}
    items = project_items(
        project,
        party=party,
        accountable=accountable,
        status=status,
        assignee_id=assignee_id,
        area=area,
        with_completer=True,
    )
    for item, row, area in items:
        by_phase[row.phase].append(
            [
                str(row.phase.label),
                localized(area, "title"),
                localized(row, "text"),
                row.text_fr,
                str(item.party.label),
                str(item.accountable.label),
                _parties(item.contributor_parties),
                str(item.status.label),
                item.due_date,
                item.assignee.name if item.assignee else None,
                item_reason(item),
                local_time(item.completed_at),
                item.completed_by.name if item.completed_by else None,
                row.key,
            ]
        )
    header = checklist_header()
    return [(str(phase.label), header, rows) for phase, rows in by_phase.items() if rows]


def dashboard_header() -> list[str]:
    return [
        _("Days overdue"),
        _("Due date"),
        _("Project"),
        _("Customer"),
        _("CSM"),
        _("Responsible"),
        _("Accountable"),
        _("Contributors"),
        _("Status"),
        _("Area"),
        _("Responsibility"),
        _("Assignee"),
    ]


def dashboard_sheets(user: User, today: date, days: int, **filters) -> list[Sheet]:
    def rows(select, overdue: bool) -> list[list]:
        return [
            [
                (today - r.due_date).days if overdue else None,
                r.due_date,
                r.project_name,
                r.customer_name,
                r.csm_name,
                str(r.party.label),
                str(r.accountable.label),
                _parties(Party(value) for value in r.contributors),
                str(r.status.label),
                localized(r, "area_title"),
                localized(r, "text"),
                r.assignee_name,
            ]
            for r in db.session.execute(select)
        ]

    header = dashboard_header()
    return [
        (_("Overdue"), header, rows(overdue_select(user, today, **filters), True)),
        (
            _("Due in %(days)d days", days=days),
            header,
            rows(due_soon_select(user, today, days, **filters), False),
        ),
    ]
