"""Builds the demo portfolio: 3 customers, a partner, 6 projects, one account per role."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta

from flask import current_app

from tracker.admin.queries import users_exist
from tracker.admin.services import create_user
from tracker.checklist.queries import items_of_project
from tracker.checklist.services import add_comment
from tracker.enums import (
    Deployment,
    Environment,
    Implementer,
    OrganisationKind,
    Party,
    Role,
    Status,
)
from tracker.extensions import db
from tracker.files.services import attach_file
from tracker.golive.queries import readiness_of
from tracker.golive.services import confirm_go_live, designate_approver, sign_off, waive_item
from tracker.models import ChecklistItem, Event, Organisation, Project, User
from tracker.people.services import InvitationData, invite
from tracker.projects.services import ProjectData, create_project
from tracker.timeutil import recorded_at, utcnow
from tracker.urls import mail_url

DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential

CUSTOMERS = ["Acme Manufacturing", "Globex Distribution", "Initech Foods"]
PARTNER = "Northwind Consulting"

ACCOUNTS = [
    # email, name, role, organisation
    ("admin@demo.test", "Ada Admin", Role.ADMIN, None),
    ("csm@demo.test", "Camille Martin", Role.CSM, None),
    ("csm2@demo.test", "Jordan Lee", Role.CSM, None),
    ("ims@demo.test", "Inès Moreau", Role.IMS, None),
    ("partner@demo.test", "Paul Dupont", Role.PARTNER, PARTNER),
    ("client@acme.demo.test", "Alice Archer", Role.CLIENT, "Acme Manufacturing"),
    ("client@globex.demo.test", "Gabriel Gray", Role.CLIENT, "Globex Distribution"),
    ("client@initech.demo.test", "Iris Ito", Role.CLIENT, "Initech Foods"),
]

# A client lead, who invites and deactivates colleagues from Acme's people page.
LEADS = {"client@acme.demo.test"}

# The project that went live: signed off by the client (who rated it), go-live confirmed,
# its operations rows now standing responsibilities.
LIVE_PROJECT = "Initech HR single-tenant"
WAIVER_REASON = "Agreed at the go-live steering committee: finished in the first month."

BLOCK_REASONS = [
    "Waiting for the customer's identity provider metadata.",
    "Firewall change request pending on the customer side.",
    "Needs a decision on the test scenarios from the steering committee.",
]
# On each blocked item: the client's answer, then the CSM's internal note.
DEMO_COMMENTS = (
    "We are on it: you will have an answer by the end of the week.",
    "If still blocked on Friday, raise it at the steering committee with their sponsor.",
)


def _projects(today: date) -> list[dict]:
    d = lambda days: today + timedelta(days=days)  # noqa: E731
    return [
        dict(
            name="Acme CloudSuite Industrial",
            customer="Acme Manufacturing",
            csm="csm@demo.test",
            deployment=Deployment.MULTI_TENANT,
            environment=Environment.PROD,
            ims_contract=False,
            implementer=Implementer.INFOR,
            data_migration=False,
            vpn_required=False,
            kickoff_date=d(-110),
            go_live_date=d(25),
        ),
        dict(
            name="Acme PRE-PROD sandbox",
            customer="Acme Manufacturing",
            csm="csm@demo.test",
            deployment=Deployment.MULTI_TENANT,
            environment=Environment.PRE_PROD,
            ims_contract=False,
            implementer=Implementer.INFOR,
            data_migration=False,
            vpn_required=False,
            kickoff_date=d(-35),
            go_live_date=d(80),
        ),
        dict(
            name="Globex WMS rollout",
            customer="Globex Distribution",
            csm="csm@demo.test",
            deployment=Deployment.SINGLE_TENANT,
            environment=Environment.PROD,
            ims_contract=True,
            implementer=Implementer.PARTNER,
            data_migration=True,
            vpn_required=True,
            kickoff_date=d(-190),
            go_live_date=d(-20),
        ),
        dict(
            name="Globex Finance cloud",
            customer="Globex Distribution",
            csm="csm2@demo.test",
            deployment=Deployment.MULTI_TENANT,
            environment=Environment.PROD,
            ims_contract=True,
            implementer=Implementer.INFOR,
            data_migration=False,
            vpn_required=False,
            kickoff_date=d(-12),
            go_live_date=d(150),
        ),
        dict(
            name="Initech Food & Beverage",
            customer="Initech Foods",
            csm="csm2@demo.test",
            deployment=Deployment.MULTI_TENANT,
            environment=Environment.PROD,
            ims_contract=False,
            implementer=Implementer.PARTNER,
            data_migration=True,
            vpn_required=False,
            kickoff_date=d(-50),
            go_live_date=d(95),
        ),
        dict(
            name="Initech HR single-tenant",
            customer="Initech Foods",
            csm="csm@demo.test",
            deployment=Deployment.SINGLE_TENANT,
            environment=Environment.PRE_PROD,
            ims_contract=False,
            implementer=Implementer.INFOR,
            data_migration=False,
            vpn_required=True,
            kickoff_date=d(-400),
            go_live_date=d(-280),
        ),
    ]


def database_is_empty() -> bool:
    return not db.session.scalar(users_exist())


def create_demo_data(today: date, *, seed: int = 2026) -> dict[str, int]:
    """Create the demo portfolio. Flushes, never commits. Needs a loaded catalogue."""
    rng = random.Random(seed)
    organisations = {
        name: Organisation(name=name, kind=OrganisationKind.CUSTOMER) for name in CUSTOMERS
    }
    organisations[PARTNER] = Organisation(name=PARTNER, kind=OrganisationKind.PARTNER)
    db.session.add_all(organisations.values())
    db.session.flush()
    users = {
        email: create_user(
            actor=None,
            email=email,
            name=name,
            role=role,
            organisation_id=organisations[org].id if org else None,
            password=DEMO_PASSWORD,
            is_lead=email in LEADS,
        )
        for email, name, role, org in ACCOUNTS
    }
    partner = organisations[PARTNER]
    projects: dict[str, Project] = {}
    for spec in _projects(today):
        csm = users[spec.pop("csm")]
        customer = organisations[spec.pop("customer")]
        data = ProjectData(
            customer_id=customer.id,
            csm_id=csm.id,
            partner_id=partner.id if spec["implementer"] is Implementer.PARTNER else None,
            **spec,
        )
        # Created a week before kickoff, before any of its work (the first items fall due
        # at K+5): the history reads in order with the changes made since.
        with recorded_at(datetime.combine(data.kickoff_date - timedelta(days=7), time(9))):
            project = create_project(data, actor=csm)
        client_user = next(u for u in users.values() if u.organisation_id == customer.id)
        _progress(project.id, today, rng, csm, client_user, users)
        projects[project.name] = project
    db.session.flush()
    _went_live(projects[LIVE_PROJECT], users["csm@demo.test"], users["client@initech.demo.test"])
    _evidence(projects["Acme CloudSuite Industrial"], users["client@acme.demo.test"], today)
    _invitation(organisations["Acme Manufacturing"], users["csm@demo.test"], today)
    db.session.flush()
    return {"organisations": len(organisations), "users": len(users), "projects": 6}


def _progress(
    project_id: int,
    today: date,
    rng: random.Random,
    csm: User,
    client_user: User,
    users: dict[str, User],
) -> None:
    """Advance the items as a real project would be: most past items done, some late."""
    by_party = {
        Party.INFOR: csm,
        Party.CLIENT: client_user,
        Party.IMS: users["ims@demo.test"],
        Party.PARTNER: users["partner@demo.test"],
    }
    items = db.session.scalars(items_of_project(project_id)).all()
    for item in items:
        days_left = (item.due_date - today).days
        roll = rng.random()
        actor = by_party[item.party]
        if (days_left < -3 and roll < 0.8) or (days_left < 0 and roll < 0.35):
            finished = datetime.combine(item.due_date - timedelta(days=rng.randint(0, 4)), time(10))
            _set_status(item, Status.DONE, actor, finished)
            item.completed_at = finished
            item.completed_by_id = actor.id
        elif days_left < 0 and roll < 0.9:
            _set_status(item, Status.IN_PROGRESS, actor, _this_morning(today, time(9)))
        elif days_left < 0:
            _set_status(item, Status.BLOCKED, actor, _this_morning(today, time(9)))
            item.reason = rng.choice(BLOCK_REASONS)
            _discuss(item, csm, client_user, _this_morning(today, time(9, 30)))
        elif days_left < 14 and roll < 0.4:
            _set_status(item, Status.IN_PROGRESS, actor, _this_morning(today, time(9)))
    db.session.flush()


def _this_morning(today: date, at: time) -> datetime:
    """``at`` on ``today``, for the demo's latest changes; an hour ago at the latest, so that
    a demo loaded early in the day has no change dated after the ones people make in it."""
    return min(datetime.combine(today, at), utcnow() - timedelta(hours=1))


def _discuss(item: ChecklistItem, csm: User, client_user: User, when: datetime) -> None:
    """A blocked item's conversation: the client's answer, and the CSM's internal note
    (which the client never sees)."""
    with recorded_at(when):
        add_comment(item, actor=client_user, body=DEMO_COMMENTS[0])
    with recorded_at(when + timedelta(minutes=20)):
        add_comment(item, actor=csm, body=DEMO_COMMENTS[1], internal=True)


def _set_status(item: ChecklistItem, status: Status, actor: User | None, when: datetime) -> None:
    db.session.add(
        Event(
            project_id=item.project_id,
            item_id=item.id,
            actor_id=actor.id if actor else None,
            created_at=when,
            action="item.status",
            field="status",
            old_value=item.status.value,
            new_value=status.value,
        )
    )
    item.status = status


def _went_live(project: Project, csm: User, client_user: User) -> None:
    """The client signed go-live off two days before it (the CSM waived what was still
    open, and made the client an approver); the CSM confirmed it on the day."""
    signed = datetime.combine(project.go_live_date - timedelta(days=2), time(15))
    with recorded_at(signed - timedelta(hours=2)):
        designate_approver(project, client_user.id, actor=csm)
        for entry in readiness_of(project).outstanding:
            waive_item(project, entry.item.id, WAIVER_REASON, actor=csm)
    with recorded_at(signed):
        sign_off(
            project,
            actor=client_user,
            note="Ready: the payroll test run matched.",
            rating=4,
            rating_comment="A clear plan; the VPN set-up took longer than expected.",
        )
    with recorded_at(datetime.combine(project.go_live_date, time(17))):
        confirm_go_live(project, actor=csm, on=project.go_live_date, today=project.go_live_date)


def _evidence(project: Project, client_user: User, today: date) -> None:
    """The client's minutes, attached to the first item they closed."""
    item = next(
        (
            item
            for item in db.session.scalars(items_of_project(project.id))
            if item.party is Party.CLIENT and item.status is Status.DONE
        ),
        None,
    )
    if item is None:
        return
    minutes = (
        b"Kickoff minutes\n\nAttendees: Acme project team, Infor CSM.\n"
        b"Decisions: go-live target confirmed; weekly status call on Tuesdays.\n"
    )
    with recorded_at(_this_morning(today, time(8))):
        attach_file(
            item, actor=client_user, filename="kickoff-minutes.txt", stream=io.BytesIO(minutes)
        )


def _invitation(organisation: Organisation, csm: User, today: date) -> None:
    """A colleague of Acme's client, invited by the CSM and not yet accepted: its e-mail
    waits in the outbox (`make run` writes it to instance/mail/)."""
    with recorded_at(_this_morning(today, time(8, 30))):
        invite(
            organisation,
            InvitationData(
                email="bob.baker@acme.demo.test", name="Bob Baker", is_lead=False, language="en"
            ),
            actor=csm,
            lifetime=timedelta(days=current_app.config["INVITATION_LINK_DAYS"]),
            link_for=lambda token: mail_url("people.accept", token=token),
        )
