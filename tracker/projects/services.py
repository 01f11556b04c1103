"""The projects' use cases: creating, changing, archiving and restoring a project.

Each takes the acting user, enforces the permissions and rules itself, records its events
and raises a refusal (tracker.errors) when the change cannot be made. Services flush and
never commit: the request boundary commits (tracker.boundary).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from flask_babel import gettext as _

from tracker.audit import services as audit
from tracker.boundary import flush
from tracker.catalogue.queries import current_version, ims_eligible_rows
from tracker.catalogue.rules import shape_of
from tracker.checklist.services import instantiate_catalogue, reconcile_items, shift_due_dates
from tracker.enums import Deployment, Environment, Implementer, OrganisationKind, Role
from tracker.errors import Change, Conflict, NotAllowed, RuleBroken
from tracker.extensions import db
from tracker.models import ImsScope, Organisation, Project, User
from tracker.permissions import (
    can_archive_project,
    can_create_project,
    can_edit_project,
    can_restore_project,
)
from tracker.projects.queries import project_created_by, project_named
from tracker.timeutil import utcnow


@dataclass
class ProjectData:
    """What a user gives to create or edit a project."""

    name: str
    customer_id: int
    csm_id: int
    deployment: Deployment
    environment: Environment
    ims_contract: bool
    implementer: Implementer
    partner_id: int | None
    data_migration: bool
    vpn_required: bool
    kickoff_date: date
    go_live_date: date
    # Keys of IMS-eligible rows the contract covers; None means all of them.
    ims_scope: set[str] | None = field(default=None)


def _validate(data: ProjectData, version_id: int, project_id: int | None = None) -> set[str]:
    """Check the rules a form cannot; return the IMS scope to store."""
    data.name = (data.name or "").strip()
    if not data.name:
        raise RuleBroken("name", _("Give the project a name."))
    if data.go_live_date < data.kickoff_date:
        raise RuleBroken("go_live_date", _("The go-live date cannot be before the kickoff date."))
    customer = db.session.get(Organisation, data.customer_id)
    if customer is None or customer.kind is not OrganisationKind.CUSTOMER:
        raise RuleBroken("customer_id", _("Choose a customer."))
    if db.session.scalar(project_named(customer.id, data.name, besides=project_id)):
        raise RuleBroken(
            "name",
            _(
                "%(customer)s already has a project called “%(name)s”: choose another name.",
                customer=customer.name,
                name=data.name,
            ),
        )
    csm = db.session.get(User, data.csm_id)
    if csm is None or csm.role not in (Role.CSM, Role.ADMIN) or not csm.active:
        raise RuleBroken("csm_id", _("Choose an active CSM."))
    if data.implementer is Implementer.PARTNER:
        partner = db.session.get(Organisation, data.partner_id) if data.partner_id else None
        if partner is None or partner.kind is not OrganisationKind.PARTNER:
            raise RuleBroken("partner_id", _("Choose the implementation partner."))
    else:
        data.partner_id = None
    eligible = {row.key for row in ims_eligible_rows(version_id)}
    if not data.ims_contract:
        return set()
    if data.ims_scope is None:
        return eligible
    unknown = data.ims_scope - eligible
    if unknown:
        raise RuleBroken(
            "ims_scope", _("Not IMS-eligible rows: %(keys)s.", keys=", ".join(sorted(unknown)))
        )
    return set(data.ims_scope)


def create_project(data: ProjectData, *, actor: User, creation_token: str | None = None) -> Project:
    """Create a project and its checklist from the newest catalogue version. A form posted
    again with the ``creation_token`` of a project it created gets that project back."""
    if not can_create_project(actor):
        raise NotAllowed(_("Only Infor staff create projects."))
    if creation_token:
        created = db.session.scalar(project_created_by(creation_token))
        if created is not None:
            return created
    version = current_version()
    if version is None:
        raise RuleBroken(
            "name", _("No catalogue is loaded yet: run 'flask --app app catalogue load'.")
        )
    scope = _validate(data, version.id)
    values = {f.name: getattr(data, f.name) for f in fields(ProjectData) if f.name != "ims_scope"}
    project = Project(**values, catalogue_version=version, creation_token=creation_token)
    project.ims_scope = [ImsScope(responsibility_key=key) for key in sorted(scope)]
    db.session.add(project)
    flush()
    audit.record("project.created", project_id=project.id, actor_id=actor.id, new=project.name)
    instantiate_catalogue(project, actor=actor)
    flush()
    return project


def project_changes(project: Project, data: ProjectData) -> list[Change]:
    """The fields ``data`` would change on ``project``, each with its value now and the one
    given, readable (names rather than ids), for the history and for conflicts."""
    changes = []
    for f in fields(ProjectData):
        if f.name == "ims_scope":
            continue
        old, new = getattr(project, f.name), getattr(data, f.name)
        if f.name == "partner_id" and data.implementer is not Implementer.PARTNER:
            new = None
        if old != new:
            changes.append(Change(f.name, _describe(f.name, old), _describe(f.name, new)))
    scope = set() if not data.ims_contract else data.ims_scope
    if scope is not None and scope != project.ims_scope_keys:
        changes.append(
            Change("ims_scope", _describe_scope(project.ims_scope_keys), _describe_scope(scope))
        )
    return changes


def update_project(project: Project, data: ProjectData, *, actor: User, version: int) -> list[str]:
    """Apply ``data`` to ``project`` for ``actor``, who read it at ``version``: record each
    change, move the due dates anchored to a moved milestone, and bring the checklist in line
    with the project (``reconcile_items``). Returns the fields changed (none for a form saved
    unchanged, whatever its version)."""
    if not can_edit_project(actor, project):
        raise NotAllowed(_("Only the project's CSM may change it."))
    if data.customer_id != project.customer_id:
        # Its people, comments and history belong to that customer: moving it would show
        # them to another customer's users.
        raise RuleBroken(
            "customer_id",
            _(
                "A project stays with its customer. Archive it and create a new project for "
                "the other customer."
            ),
        )
    # A form based on an older version is a conflict before anything else is said of it:
    # what it would overwrite comes first.
    if version != project.version and (typed := project_changes(project, data)):
        raise Conflict(
            _("Someone else saved this project after you opened the form."),
            current_version=project.version,
            changes=typed,
        )
    data.ims_scope = _validate(data, project.catalogue_version_id, project.id)
    changes = project_changes(project, data)
    if not changes:
        return []
    before = shape_of(project)
    for change in changes:
        audit.record(
            "project.updated",
            project_id=project.id,
            actor_id=actor.id,
            field=change.field,
            old=change.saved,
            new=change.sent,
        )
        if change.field == "ims_scope":
            project.ims_scope = [ImsScope(responsibility_key=key) for key in sorted(data.ims_scope)]
        else:
            setattr(project, change.field, getattr(data, change.field))
    changed = [change.field for change in changes]
    project.updated_at = utcnow()  # every change bumps the project's version
    flush()
    if "kickoff_date" in changed or "go_live_date" in changed:
        shift_due_dates(
            project,
            actor=actor,
            kickoff_delta=project.kickoff_date - before.kickoff_date,
            go_live_delta=project.go_live_date - before.go_live_date,
        )
    # At every change, dates included: what the rules give the project now (items left
    # open against them are found for its CSM: tracker.checklist.queries.items_to_decide).
    reconcile_items(project, actor=actor, before=before)
    return changed


def _describe_scope(keys: set[str]) -> str | None:
    return ", ".join(sorted(keys)) or None


def _describe(name: str, value):
    """Readable values for the history: names rather than ids."""
    if value is None:
        return None
    if name in ("customer_id", "partner_id"):
        organisation = db.session.get(Organisation, value)
        return organisation.name if organisation else value
    if name == "csm_id":
        user = db.session.get(User, value)
        return user.name if user else value
    return value


def project_data_from(project: Project) -> ProjectData:
    values = {
        f.name: getattr(project, f.name) for f in fields(ProjectData) if f.name != "ims_scope"
    }
    # Without a contract no scope is stored; None keeps the default (every eligible row)
    # should the contract be switched on, rather than a contract that covers nothing.
    scope = project.ims_scope_keys if project.ims_contract else None
    return ProjectData(**values, ims_scope=scope)


def archive_project(project: Project, *, actor: User) -> None:
    """Take a project out of the default views. Nothing is deleted; it can be restored."""
    if not can_archive_project(actor, project):
        raise NotAllowed(_("Only the project's CSM may archive it, and only once."))
    project.archived_at = utcnow()
    audit.record("project.archived", project_id=project.id, actor_id=actor.id)
    flush()


def restore_project(project: Project, *, actor: User) -> None:
    """Bring an archived project back into the default views."""
    if not can_restore_project(actor, project):
        raise NotAllowed(_("Only the project's CSM may restore it, once it is archived."))
    project.archived_at = None
    audit.record("project.restored", project_id=project.id, actor_id=actor.id)
    flush()
