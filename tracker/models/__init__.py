"""The tracker's tables, one module per aggregate; importing this package registers every
model with the metadata (which Alembic reads)."""

from tracker.models.api_token import ApiToken, hash_api_token, new_token_value
from tracker.models.attachment import Attachment
from tracker.models.catalogue import Area, CatalogueVersion, Responsibility
from tracker.models.catalogue_draft import CatalogueDraft, CatalogueEvent
from tracker.models.checklist import OPEN_STATUS_SQL, ChecklistItem, Comment
from tracker.models.event import AppendOnlyError, Event
from tracker.models.golive import GoLiveApprover, GoLiveSignOff, GoLiveWaiver
from tracker.models.invitation import Invitation, InvitationState, PeopleEvent
from tracker.models.link import hash_link_token, new_link_token
from tracker.models.notification import Notification, Watch
from tracker.models.organisation import Organisation
from tracker.models.outbox import OutboxMessage
from tracker.models.progress_link import (
    ProgressLink,
    ProgressLinkView,
)
from tracker.models.project import ImsScope, Project
from tracker.models.reminder import ReminderDelivery
from tracker.models.review import StandingReview
from tracker.models.rollout_run import RolloutRun, RolloutRunProject
from tracker.models.user import PasswordResetToken, User, hash_reset_token

__all__ = [
    "OPEN_STATUS_SQL",
    "ApiToken",
    "AppendOnlyError",
    "Area",
    "Attachment",
    "CatalogueDraft",
    "CatalogueEvent",
    "CatalogueVersion",
    "ChecklistItem",
    "Comment",
    "Event",
    "GoLiveApprover",
    "GoLiveSignOff",
    "GoLiveWaiver",
    "ImsScope",
    "Invitation",
    "InvitationState",
    "Notification",
    "Organisation",
    "OutboxMessage",
    "PasswordResetToken",
    "PeopleEvent",
    "ProgressLink",
    "ProgressLinkView",
    "Project",
    "ReminderDelivery",
    "Responsibility",
    "RolloutRun",
    "RolloutRunProject",
    "StandingReview",
    "User",
    "Watch",
    "hash_api_token",
    "hash_link_token",
    "hash_reset_token",
    "new_link_token",
    "new_token_value",
]
