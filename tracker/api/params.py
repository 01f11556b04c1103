"""Query-string parameters of the API, validated like request bodies (unknown ones refused),
each read as the OpenAPI document writes it (tracker.api.fields)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tracker.api.fields import Day, OverdueCursor, QueryBool, QueryInt
from tracker.enums import Party, Status

Id = QueryInt(minimum=1)
Limit = QueryInt(minimum=1, maximum=200)


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Limit = Field(default=50, description="Page size (1-200).")


class IdPagedQuery(Query):
    after: Id | None = Field(default=None, description="Cursor: the last id of the previous page.")


class CustomerQuery(IdPagedQuery):
    pass


class ProjectQuery(IdPagedQuery):
    customer: Id | None = None
    csm: Id | None = None
    archived: QueryBool = Field(
        default=False, description="Archived projects (true), or the others (false)."
    )


class ItemQuery(IdPagedQuery):
    project: Id | None = None
    party: Party | None = Field(default=None, description="The responsible party.")
    accountable: Party | None = Field(default=None, description="The accountable party.")
    status: Status | None = None
    overdue: QueryBool | None = Field(
        default=None,
        description="Only open items past due (true), or only items that are not (false).",
    )
    due_before: Day | None = Field(
        default=None,
        description="Due on or before this date. With `due_after` later, nothing matches.",
    )
    due_after: Day | None = Field(default=None, description="Due on or after this date.")
    assignee: QueryInt(minimum=0) | None = Field(
        default=None, description="A user id; 0 for unassigned items."
    )


class OverdueQuery(Query):
    after: OverdueCursor | None = Field(
        default=None,
        description="Cursor: the due date and id of the last item of the previous page, "
        "as its `next` link gives them (`2026-03-31.1234`).",
    )
    party: Party | None = Field(default=None, description="The responsible party.")
    accountable: Party | None = Field(default=None, description="The accountable party.")
    csm: Id | None = None
    customer: Id | None = None


class CatalogueQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Id | None = Field(
        default=None, description="A catalogue version number; default the newest."
    )


class CatalogueVersionQuery(Query):
    after: Id | None = Field(
        default=None, description="Cursor: the last version number of the previous page."
    )


class CatalogueDiffQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_: Id = Field(alias="from", description="The version number to compare from.")
    to: Id = Field(
        description="The version number to compare with: newer or older than `from`, or the "
        "same (no differences)."
    )
