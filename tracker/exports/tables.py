"""The rows of each export, read with the same queries (filters, permissions) as its page."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.checklist.queries import progress_by_project
from tracker.dashboard.queries import due_soon_select, overdue_select
from tracker.enums import Party, Phase, Status
from tracker.exports.writers import Sheet
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.projects.queries import portfolio_select, project_items
from tracker.templating import next_milestone


def portfolio_sheets(user: User, today: date, **filters) -> list[Sheet]:
    projects = db.session.scalars(portfolio_select(user, **filters)).all()
    progress = progress_by_project([p.id for p in projects], today)
    header = [
        "Project",
        "Customer",
        "CSM",
        "Deployment",
        "Environment",
        "IMS contract",
        "Implemented by",
        "Kickoff",
        "Target go-live",
        "Next milestone",
        "Next milestone date",
        "Items",
        "Closed",
        "Overdue",
    ] + [f"{phase.label} {what}" for phase in Phase for what in ("closed", "items")]
    rows = []
    for project in projects:
        tally = progress[project.id]
        milestone = next_milestone(project, today)
        rows.append(
            [
                project.name,
                project.customer.name,
                project.csm.name,
                project.deployment.label,
                project.environment.label,
                project.ims_contract,
                project.partner.name if project.partner else "Infor",
                project.kickoff_date,
                project.go_live_date,
                milestone[0] if milestone else "Live",
                milestone[1] if milestone else None,
                tally.overall.total,
                tally.overall.closed,
                tally.overdue,
            ]
            + [
                n
                for phase in Phase
                for n in (tally.phases[phase].closed, tally.phases[phase].total)
            ]
        )
    return [("Portfolio", header, rows)]


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    query = sa.select(User.id, User.name).where(User.id.in_(user_ids))
    return {row.id: row.name for row in db.session.execute(query)}


CHECKLIST_HEADER = [
    "Phase",
    "Area",
    "Responsibility",
    "Responsabilité (FR)",
    "Party",
    "Status",
    "Due date",
    "Assignee",
    "Reason",
    "Completed at",
    "Completed by",
    "Catalogue row",
]


def checklist_sheets(
    project: Project, *, party: Party | None, status: Status | None, assignee_id: int | None
) -> list[Sheet]:
    """One sheet per phase, in phase order; only phases with items."""
    by_phase: dict[Phase, list[list]] = {phase: [] for phase in Phase}
    items = project_items(project, party=party, status=status, assignee_id=assignee_id)
    completers = _names({item.completed_by_id for item, _, _ in items} - {None})
    for item, row, area in items:
        by_phase[row.phase].append(
            [
                row.phase.label,
                area.title_en,
                row.text_en,
                row.text_fr,
                item.party.label,
                item.status.label,
                item.due_date,
                item.assignee.name if item.assignee else None,
                item.reason,
                item.completed_at,
                completers.get(item.completed_by_id),
                row.key,
            ]
        )
    return [(phase.label, CHECKLIST_HEADER, rows) for phase, rows in by_phase.items() if rows]


DASHBOARD_HEADER = [
    "Days overdue",
    "Due date",
    "Project",
    "Customer",
    "CSM",
    "Party",
    "Status",
    "Area",
    "Responsibility",
    "Assignee",
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
                r.party.label,
                r.status.label,
                r.area_title_en,
                r.text_en,
                r.assignee_name,
            ]
            for r in db.session.execute(select)
        ]

    return [
        ("Overdue", DASHBOARD_HEADER, rows(overdue_select(user, today, **filters), True)),
        (
            f"Due in {days} days",
            DASHBOARD_HEADER,
            rows(due_soon_select(user, today, days, **filters), False),
        ),
    ]
