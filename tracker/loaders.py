"""Load what a page's URL names, for the signed-in user: ``NotFound`` when they may not see
it (existence does not leak), ``NotAllowed`` when they see it but the page is not for them
(``may``, a permission predicate)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tracker.errors import NotAllowed, NotFound
from tracker.extensions import db
from tracker.models import ChecklistItem, Project
from tracker.permissions import can_view_project

# What every page of a project shows of it; loader options are immutable, built once.
EVERY_PAGE = (
    joinedload(Project.customer),
    joinedload(Project.csm),
    joinedload(Project.partner),
    joinedload(Project.catalogue_version),
)


def load_project(
    project_id: int,
    *,
    may: Callable[..., bool] | None = None,
    options: Sequence = (),
    shown: bool = True,
) -> Project:
    """A project the current user may see, loaded with what every page of a project shows of
    it (its customer, CSM, partner and catalogue version; not when it is not ``shown``, for a
    save that redirects) and ``options``: as many statements for any project."""
    project = db.session.get(
        Project, project_id, options=[*EVERY_PAGE, *options] if shown else options
    )
    if project is None or not can_view_project(current_user, project):
        raise NotFound(_("There is nothing here, or you cannot see it."))
    if may is not None and not may(current_user, project):
        raise NotAllowed(_("You do not have permission to do this."))
    return project


def load_item(
    project: Project,
    item_id: int,
    *,
    may: Callable[..., bool] | None = None,
    shown: bool = True,
) -> ChecklistItem:
    """An item of ``project``, loaded with its catalogue row, which its pages show (not when
    it is not ``shown``, for a save that redirects)."""
    options = [joinedload(ChecklistItem.responsibility)] if shown else []
    item = db.session.get(ChecklistItem, item_id, options=options)
    if item is None or item.project_id != project.id:
        raise NotFound(_("There is nothing here, or you cannot see it."))
    if may is not None and not may(current_user, item):
        raise NotAllowed(_("You do not have permission to do this."))
    return item


def require(allowed: bool) -> None:
    """Refuse the page (``NotAllowed``) unless ``allowed``: a permission of the signed-in user
    that no object of the URL carries (``can_create_project(current_user)``)."""
    if not allowed:
        raise NotAllowed(_("You do not have permission to do this."))
