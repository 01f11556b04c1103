"""Load an object for a view, answering 404 or 403 as the permissions say."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tracker.checklist.models import ChecklistItem
from tracker.extensions import db
from tracker.permissions import can_view_project
from tracker.projects.models import Project

# What every page of a project shows of it; loader options are immutable, built once.
EVERY_PAGE = (
    joinedload(Project.customer),
    joinedload(Project.csm),
    joinedload(Project.partner),
    joinedload(Project.catalogue_version),
)


def get_project_or_404(project_id: int, *, options: Sequence = (), shown: bool = True) -> Project:
    """A project the current user may see; 404 otherwise, so existence does not leak.
    Loaded with what every page of a project shows of it (its customer, CSM, partner and
    catalogue version; not when it is not ``shown``, for a save that redirects), and
    ``options``: as many statements for any project."""
    project = db.session.get(
        Project, project_id, options=[*EVERY_PAGE, *options] if shown else options
    )
    if project is None or not can_view_project(current_user, project):
        abort(404)
    return project


def get_item_or_404(project: Project, item_id: int, *, shown: bool = True) -> ChecklistItem:
    """An item of ``project``; 404 otherwise. Loaded with its catalogue row, which its pages
    show (not when it is not ``shown``, for a save that redirects)."""
    options = [joinedload(ChecklistItem.responsibility)] if shown else []
    item = db.session.get(ChecklistItem, item_id, options=options)
    if item is None or item.project_id != project.id:
        abort(404)
    return item
