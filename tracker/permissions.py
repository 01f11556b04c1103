"""Who may do what: named predicates used by views, templates, queries and the API.

Each predicate about one object has an SQL twin (``*_filter``) used by list queries, so
that a list never shows what the object page would refuse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from tracker.enums import Implementer, OrganisationKind, Party, Role

if TYPE_CHECKING:
    from tracker.models import Attachment, ChecklistItem, Organisation, Project, RolloutRun, User


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user: User) -> bool:
    return _signed_in(user) and user.role is Role.ADMIN


def is_infor_staff(user: User) -> bool:
    """Admins and CSMs: they see every project."""
    return _signed_in(user) and user.role in (Role.ADMIN, Role.CSM)


def is_vendor(user: User) -> bool:
    """The vendor's people: admins, CSMs and IMS engineers (Infor Managed Services)."""
    return _signed_in(user) and user.role in (Role.ADMIN, Role.CSM, Role.IMS)


def sees_internal_comments(user: User) -> bool:
    """Internal comments are for the vendor's people, IMS and the partners: never for the
    customer's users."""
    return _signed_in(user) and user.role is not Role.CLIENT


def sees_catalogue_notes(user: User) -> bool:
    """How the catalogue's rows were read (parties inferred from the wording, and why) is
    the vendor's working note: for its own people only."""
    return is_vendor(user)


# --- projects -------------------------------------------------------------------------


def can_view_project(user: User, project: Project) -> bool:
    if not _signed_in(user):
        return False
    if user.role in (Role.ADMIN, Role.CSM):
        return True
    if user.role is Role.IMS:
        return project.ims_contract
    if user.role is Role.PARTNER:
        return (
            project.implementer is Implementer.PARTNER
            and user.organisation_id is not None
            and project.partner_id == user.organisation_id
        )
    if user.role is Role.CLIENT:
        return user.organisation_id is not None and project.customer_id == user.organisation_id
    return False


def visible_projects_filter(user: User) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_view_project``: a WHERE clause on ``Project``."""
    from tracker.models import Project

    if not _signed_in(user):
        return sa.false()
    if user.role in (Role.ADMIN, Role.CSM):
        return sa.true()
    if user.role is Role.IMS:
        return Project.ims_contract.is_(True)
    if user.role is Role.PARTNER and user.organisation_id is not None:
        return sa.and_(
            Project.implementer == Implementer.PARTNER,
            Project.partner_id == user.organisation_id,
        )
    if user.role is Role.CLIENT and user.organisation_id is not None:
        return Project.customer_id == user.organisation_id
    return sa.false()


def project_viewers_filter(project: Project) -> sa.ColumnElement[bool]:
    """The users who may see ``project``: a WHERE clause on ``User``, the twin of
    ``can_view_project`` read the other way (who, for one project)."""
    from tracker.models import User

    sees = [User.role.in_((Role.ADMIN, Role.CSM))]
    if project.ims_contract:
        sees.append(User.role == Role.IMS)
    if project.implementer is Implementer.PARTNER and project.partner_id is not None:
        sees.append(sa.and_(User.role == Role.PARTNER, User.organisation_id == project.partner_id))
    sees.append(sa.and_(User.role == Role.CLIENT, User.organisation_id == project.customer_id))
    return sa.and_(User.active.is_(True), sa.or_(*sees))


def can_watch(user: User, item: ChecklistItem) -> bool:
    """Anyone who may see an item may watch it (hear of its comments and changes)."""
    return can_view_project(user, item.project)


def can_create_project(user: User) -> bool:
    return is_infor_staff(user)


def manages_project(user: User, project: Project) -> bool:
    """Admins manage every project; a CSM manages the projects they are the CSM of."""
    if is_admin(user):
        return True
    return _signed_in(user) and user.role is Role.CSM and project.csm_id == user.id


def can_edit_project(user: User, project: Project) -> bool:
    """Change a project's attributes. An archived project is read-only until restored."""
    return project.archived_at is None and manages_project(user, project)


def can_archive_project(user: User, project: Project) -> bool:
    return can_edit_project(user, project)


def can_restore_project(user: User, project: Project) -> bool:
    return project.archived_at is not None and manages_project(user, project)


def can_share_progress(user: User, project: Project) -> bool:
    """See and revoke the project's progress links (read-only links for people without an
    account): whoever manages the project."""
    return manages_project(user, project)


def can_create_progress_link(user: User, project: Project) -> bool:
    """A new progress link: not on an archived project."""
    return can_edit_project(user, project)


# --- checklist items ------------------------------------------------------------------

_ROLE_PARTY = {Role.CLIENT: Party.CLIENT, Role.IMS: Party.IMS, Role.PARTNER: Party.PARTNER}


def own_party(user: User) -> Party | None:
    """The party whose items are ``user``'s to work (client, IMS or partner users); None
    for the vendor's staff, who follow every party."""
    return _ROLE_PARTY.get(user.role) if _signed_in(user) else None


def answerable_party(user: User) -> Party | None:
    """The party whose items ``user``'s side answers for ("my tasks", answerable for): their
    own party, Infor for a CSM (on the projects they manage); None for administrators."""
    if _signed_in(user) and user.role is Role.CSM:
        return Party.INFOR
    return own_party(user)


def updatable_parties(user: User, project: Project) -> frozenset[Party]:
    """The parties whose items ``user`` may update on ``project``."""
    if project.archived_at is not None or not can_view_project(user, project):
        return frozenset()
    if can_edit_project(user, project):
        return frozenset(Party)
    party = _ROLE_PARTY.get(user.role)
    return frozenset({party}) if party else frozenset()


def can_update_item(user: User, item: ChecklistItem) -> bool:
    """Change the status or the assignee of an item."""
    return item.party in updatable_parties(user, item.project)


def updatable_items_filter(user: User) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_update_item``: a WHERE clause on ``ChecklistItem`` joined to its
    ``Project``. Archived projects are read-only; whoever edits a project (its CSM, an
    admin) updates every item of it; clients, IMS engineers and partners update their own
    party's items on the projects they see."""
    from tracker.models import ChecklistItem, Project

    if not _signed_in(user):
        return sa.false()
    if user.role is Role.ADMIN:
        editable = sa.true()
    elif user.role is Role.CSM:
        editable = Project.csm_id == user.id
    elif user.role in _ROLE_PARTY:
        editable = ChecklistItem.party == _ROLE_PARTY[user.role]
    else:
        return sa.false()
    return sa.and_(Project.archived_at.is_(None), visible_projects_filter(user), editable)


def can_change_due_date(user: User, item: ChecklistItem) -> bool:
    """Due dates are the project's plan: only whoever edits the project moves them."""
    return can_edit_project(user, item.project)


def can_mark_not_applicable(user: User, item: ChecklistItem) -> bool:
    """Deciding that a responsibility does not apply is the project owner's call."""
    return can_edit_project(user, item.project)


def can_comment(user: User, item: ChecklistItem) -> bool:
    return item.project.archived_at is None and can_view_project(user, item.project)


def assignable_parties(user: User, project: Project) -> frozenset[Party]:
    """The parties whose items ``user`` may be assigned: Infor staff take Infor's items."""
    parties = updatable_parties(user, project)
    if is_infor_staff(user):
        return parties & {Party.INFOR}
    return parties


def can_be_assigned(user: User, item: ChecklistItem) -> bool:
    return item.party in assignable_parties(user, item.project)


# --- administration -------------------------------------------------------------------


def can_manage_users(user: User) -> bool:
    return is_admin(user)


def can_manage_catalogue(user: User) -> bool:
    return is_admin(user)


def can_view_catalogue(user: User) -> bool:
    """The catalogue, its versions and their differences: the vendor's staff, who create
    projects from it (administrators change it)."""
    return is_infor_staff(user)


def can_roll_out(user: User) -> bool:
    """Move projects to a newer catalogue version in bulk, from the catalogue page: the
    administrators (any project) and the CSMs (their own: ``rollout_projects_filter``)."""
    return is_infor_staff(user)


def rollout_projects_filter(user: User) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_edit_project`` for a bulk rollout: a WHERE clause on ``Project``."""
    from tracker.models import Project

    if is_admin(user):
        return Project.archived_at.is_(None)
    if is_infor_staff(user):
        return sa.and_(Project.csm_id == user.id, Project.archived_at.is_(None))
    return sa.false()


def can_follow_rollout_run(user: User, run: RolloutRun) -> bool:
    """See and continue a bulk rollout: the administrators, and the CSM who started it."""
    return is_admin(user) or (can_roll_out(user) and run.started_by_id == user.id)


def rollout_runs_filter(user: User) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_follow_rollout_run``: a WHERE clause on ``RolloutRun``."""
    from tracker.models import RolloutRun

    if is_admin(user):
        return sa.true()
    if can_roll_out(user):
        return RolloutRun.started_by_id == user.id
    return sa.false()


def can_manage_organisations(user: User) -> bool:
    """Admins keep customers and partners; CSMs may add and rename customers."""
    return is_infor_staff(user)


def can_edit_organisation(user: User, organisation: Organisation) -> bool:
    if is_admin(user):
        return True
    return is_infor_staff(user) and organisation.kind is OrganisationKind.CUSTOMER


# --- an organisation's people ---------------------------------------------------------

# The role of the people of each kind of organisation (and of their leads).
MEMBER_ROLE = {OrganisationKind.CUSTOMER: Role.CLIENT, OrganisationKind.PARTNER: Role.PARTNER}


def is_lead_of(user: User, organisation: Organisation) -> bool:
    """A client lead of this customer, or a partner lead of this partner."""
    return (
        _signed_in(user)
        and user.is_lead
        and user.organisation_id == organisation.id
        and user.role is MEMBER_ROLE.get(organisation.kind)
    )


def can_manage_people(user: User, organisation: Organisation) -> bool:
    """See an organisation's people page and invite, re-invite, cancel invitations and
    deactivate its people: administrators for any organisation; a CSM for a customer of
    a project they are the CSM of, and for the partner implementing such a project; the
    organisation's own leads."""
    if is_admin(user) or is_lead_of(user, organisation):
        return True
    if not (_signed_in(user) and user.role is Role.CSM):
        return False
    return any(project.csm_id == user.id for project in organisation.projects)


def can_see_people_page(user: User, organisation: Organisation) -> bool:
    """Who may know the page exists: the same people as ``can_manage_people``. Others get
    404, so that a customer's people page tells outsiders nothing."""
    return can_manage_people(user, organisation)


# --- evidence files -------------------------------------------------------------------


def can_attach_file(user: User, item: ChecklistItem) -> bool:
    """Attach a file to an item (or to a comment on it): whoever may update or comment on it."""
    return can_update_item(user, item) or can_comment(user, item)


def can_see_attachment(user: User, attachment: Attachment) -> bool:
    """A file is seen like its item; a file of an internal comment like the comment (never by
    the customer's users); a removed file only by whoever may restore it."""
    if not can_view_project(user, attachment.item.project):
        return False
    if attachment.internal and not sees_internal_comments(user):
        return False
    return not attachment.is_hidden or manages_project(user, attachment.item.project)


def can_hide_attachment(user: User, attachment: Attachment) -> bool:
    """Remove a file from view: its uploader (while they may still attach files to the
    item), or whoever edits the project."""
    item = attachment.item
    if can_edit_project(user, item.project):
        return True
    return _signed_in(user) and attachment.uploader_id == user.id and can_attach_file(user, item)


def can_restore_attachment(user: User, attachment: Attachment) -> bool:
    """Restore a removed file: the project's CSM (or an administrator)."""
    return can_edit_project(user, attachment.item.project)


# --- go-live --------------------------------------------------------------------------


def can_manage_go_live(user: User, project: Project) -> bool:
    """Designate approvers, waive blocking items and confirm go-live: whoever manages the
    project (its CSM, an administrator), while it is not archived."""
    return can_edit_project(user, project)


def can_sign_off(user: User, project: Project, *, approver: bool) -> bool:
    """Sign go-live off: a client lead of the project's customer, or a client user the CSM
    designated as approver (``approver``), on a project that is not archived."""
    return (
        project.archived_at is None
        and _signed_in(user)
        and user.role is Role.CLIENT
        and user.organisation_id == project.customer_id
        and (user.is_lead or approver)
    )
