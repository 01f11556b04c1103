"""Imports every model so that the metadata (and Alembic) sees all tables."""

from tracker.api.models import ApiToken
from tracker.audit.models import Event
from tracker.auth.models import PasswordResetToken, User
from tracker.catalogue.models import Area, CatalogueVersion, Responsibility
from tracker.checklist.models import ChecklistItem, Comment
from tracker.organisations.models import Organisation
from tracker.projects.models import ImsScope, Project
from tracker.reminders.models import ReminderDelivery

__all__ = [
    "ApiToken",
    "Area",
    "CatalogueVersion",
    "ChecklistItem",
    "Comment",
    "Event",
    "ImsScope",
    "Organisation",
    "PasswordResetToken",
    "Project",
    "ReminderDelivery",
    "Responsibility",
    "User",
]
