"""The API's documents, as pydantic models: they shape the responses, validate the requests
and give the OpenAPI 3.1 schemas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from tracker.api.fields import Day, JsonInt, Text
from tracker.enums import (
    Anchor,
    CatalogueParty,
    Condition,
    Deployment,
    Environment,
    Implementer,
    Party,
    Phase,
    Status,
)

# Times are stored as naive UTC; the API states the zone (RFC 3339 needs one).
UtcDateTime = Annotated[
    datetime, AfterValidator(lambda d: d if d.tzinfo else d.replace(tzinfo=UTC))
]
# The statuses that need a reason, sent with them.
NEEDS_REASON = [status.value for status in Status if status.needs_reason]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class FieldError(Model):
    field: str
    message: str


class Problem(Model):
    """An error, as RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None
    current_version: int | None = Field(
        default=None, description="On a 409 conflict: the version to base a new update on."
    )


class Ref(Model):
    id: int
    name: str


class Customer(Model):
    id: int
    name: str
    url: str


class Tally(Model):
    total: int
    closed: int
    open: int
    overdue: int
    percent: int


class Progress(Model):
    overall: Tally
    phases: dict[Phase, Tally]
    parties: dict[Party, Tally]


class Project(Model):
    id: int
    name: str
    customer: Ref
    csm: Ref
    deployment: Deployment
    environment: Environment
    ims_contract: bool
    implementer: Implementer
    partner: Ref | None
    data_migration: bool
    vpn_required: bool
    kickoff_date: date
    go_live_date: date
    archived: bool
    catalogue_version: int
    version: int
    progress: Progress
    url: str
    items_url: str


class Responsibility(Model):
    key: str
    area: str
    area_fr: str
    phase: Phase
    text_en: str
    text_fr: str


class Item(Model):
    id: int
    project: Ref
    responsibility: Responsibility
    responsible: Party = Field(description="The party that does the work.")
    accountable: Party = Field(description="The party that answers for it.")
    contributors: list[Party] = Field(description="The parties that take part in it.")
    party: Party = Field(description="The responsible party (`responsible`), kept for clients.")
    status: Status
    due_date: date
    overdue: bool
    days_overdue: int
    reason: str | None
    assignee: Ref | None
    completed_at: UtcDateTime | None
    completed_by: Ref | None
    version: int
    url: str


class ItemUpdate(Model):
    """Changes to an item. ``version`` is the version the change is based on. A status that
    needs a reason (blocked, not applicable) comes with one."""

    model_config = ConfigDict(
        extra="forbid",
        use_enum_values=True,
        strict=True,
        json_schema_extra={
            "if": {"properties": {"status": {"enum": NEEDS_REASON}}, "required": ["status"]},
            "then": {"properties": {"reason": {"type": "string"}}, "required": ["reason"]},
        },
    )

    version: JsonInt(minimum=1)
    status: Status | None = None
    reason: Text(max_length=1000) | None = Field(
        default=None, description="Why the item is blocked or not applicable."
    )
    assignee_id: JsonInt(minimum=0) | None = Field(
        default=None, description="A user id; 0 removes the assignee."
    )
    due_date: Day | None = None
    comment: Text(max_length=5000) | None = Field(
        default=None, description="A comment to add with the change."
    )
    comment_internal: bool = Field(
        default=False,
        description="Internal: for the vendor's people, IMS and partners only, never shown to "
        "client users (who may not write one: 403).",
    )

    @property
    def lacks_a_reason(self) -> bool:
        return self.status in NEEDS_REASON and self.reason is None


class CommentCreate(Model):
    model_config = ConfigDict(extra="forbid", strict=True)

    body: Text(max_length=5000)
    internal: bool = Field(
        default=False,
        description="Internal: for the vendor's people, IMS and partners only, never shown to "
        "client users (who may not write one: 403).",
    )


class Comment(Model):
    id: int
    item_id: int
    author: Ref
    body: str
    internal: bool
    created_at: UtcDateTime


class Attachment(Model):
    id: int
    item_id: int
    comment_id: int | None = Field(description="The comment the file came with, if any.")
    filename: str = Field(description="The name it was uploaded with: for display only.")
    content_type: str
    size: int = Field(description="In bytes.")
    sha256: str
    internal: bool = Field(description="The file of an internal comment: never for client users.")
    uploaded_by: Ref
    created_at: UtcDateTime
    url: str
    download_url: str


class AttachmentList(Model):
    items: list[Attachment]


class CatalogueRow(Model):
    key: str
    seed_row: int | None
    text_fr: str
    text_en: str
    parties: list[CatalogueParty]
    ims_eligible: bool
    condition: Condition | None
    phase: Phase
    due_anchor: Anchor
    due_offset_days: int
    marks_inferred: bool
    accountable: CatalogueParty | None = Field(
        description="The party answering for the row's items, when not the one it names."
    )
    contributors: list[CatalogueParty]


class CatalogueArea(Model):
    key: str
    title_fr: str
    title_en: str
    rows: list[CatalogueRow]


class Catalogue(Model):
    version: int
    loaded_at: UtcDateTime
    areas: list[CatalogueArea]


class CatalogueVersion(Model):
    number: int
    loaded_at: UtcDateTime
    source: str = Field(description="The name of the file it was loaded from.")
    areas: int
    rows: int
    url: str


DiffChange = Literal["added", "removed", "changed"]


class FieldDifference(Model):
    """A field of an area or row, before and after: values as the catalogue file writes
    them, null for none (or no area or row to have one)."""

    field: str = Field(
        description="A field of the catalogue file (`due`, `parties`, `text_en`...), or "
        "`area` (a row moved to another area: the areas' keys) or `position` (moved among "
        "the areas, or the rows of its area, that both versions have: its place from 1)."
    )
    before: Any
    after: Any


class AreaDifference(Model):
    key: str
    change: DiffChange
    fields: list[FieldDifference] = Field(
        description="The fields that changed; every field for an added or removed area."
    )


class RowDifference(Model):
    key: str
    area: str = Field(description="The key of its area (before the change, if removed).")
    change: DiffChange
    fields: list[FieldDifference] = Field(
        description="The fields that changed; every field for an added or removed row."
    )


class CatalogueDiff(Model):
    """What changed from version `from_version` to `to_version`: areas and rows matched by
    key, in the order of the areas of `to_version`, then the removed ones."""

    from_version: int
    to_version: int
    areas: list[AreaDifference]
    rows: list[RowDifference]


class Page(Model):
    """A page of results in a stable order; ``next`` is the URL of the next page or null."""

    next: str | None


class CustomerPage(Page):
    data: list[Customer]


class ProjectPage(Page):
    data: list[Project]


class ItemPage(Page):
    data: list[Item]


class CatalogueVersionPage(Page):
    data: list[CatalogueVersion]


# --- go-live readiness ------------------------------------------------------------------


class BlockingItem(Model):
    id: int
    text: str = Field(description="The item's catalogue row, in English.")
    responsible: Party
    status: Status
    due_date: date
    waived: bool
    waiver_reason: str | None = Field(description="Why the CSM let go-live go ahead without it.")


class SignOff(Model):
    signed_by: Ref
    signed_at: UtcDateTime
    note: str | None
    rating: int | None = Field(description="The client's rating of the onboarding, 1 to 5.")
    rating_comment: str | None


class Readiness(Model):
    project: Ref
    state: Literal["waiting", "signed_off", "live"] = Field(
        description="Waiting for the client's sign-off, signed off, or live (confirmed)."
    )
    go_live_date: date
    went_live_on: date | None
    blocking: list[BlockingItem] = Field(
        description="The items that must be closed before go-live: the go-live phase's and "
        "those due by the target go-live date, of rows that block go-live."
    )
    still_open: dict[str, int] = Field(
        description="Open blocking items not waived, per responsible party: sign-off is "
        "refused while any is."
    )
    sign_off: SignOff | None


class SignOffCreate(Model):
    model_config = ConfigDict(extra="forbid", strict=True)

    note: Text(max_length=2000) | None = None
    rating: JsonInt(minimum=1, maximum=5) | None = Field(
        default=None, description="Rate the onboarding, 1 to 5."
    )
    rating_comment: Text(max_length=2000) | None = None
