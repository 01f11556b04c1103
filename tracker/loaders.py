"""Load an object for a view, answering 404 or 403 as the permissions say."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tracker.checklist.models import ChecklistItem
from tracker.extensions import db
from tracker.permissions import can_view_project
from tracker.projects.models import Project


def get_project_or_404(project_id: int) -> Project:
    """A project the current user may see; 404 otherwise, so existence does not leak."""
    project = db.session.get(
        Project, project_id, options=[joinedload(Project.customer), joinedload(Project.csm)]
    )
    if project is None or not can_view_project(current_user, project):
        abort(404)
    return project


def get_item_or_404(project: Project, item_id: int) -> ChecklistItem:
    item = db.session.get(
        ChecklistItem, item_id, options=[joinedload(ChecklistItem.responsibility)]
    )
    if item is None or item.project_id != project.id:
        abort(404)
    return item
