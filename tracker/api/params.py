"""Query-string parameters of the API, validated like request bodies (unknown ones refused)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from tracker.enums import Party, Status
from tracker.queryargs import MAX_INT
from tracker.timeutil import EARLIEST, LATEST

Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Limit = Annotated[int, Field(ge=1, le=200, description="Page size (1-200).")]
Day = Annotated[date, Field(ge=EARLIEST, le=LATEST)]


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Limit = 50
    after: Id | None = Field(default=None, description="Cursor: the last id of the previous page.")


class CustomerQuery(Query):
    pass


class ProjectQuery(Query):
    customer: Id | None = None
    csm: Id | None = None
    archived: bool = False


class ItemQuery(Query):
    project: Id | None = None
    party: Party | None = None
    status: Status | None = None
    overdue: bool | None = Field(
        default=None,
        description="Only open items past due (true), or only items that are not (false).",
    )
    due_before: Day | None = Field(default=None, description="Due on or before this date.")
    due_after: Day | None = Field(default=None, description="Due on or after this date.")
    assignee: Annotated[int, Field(ge=0, le=MAX_INT)] | None = Field(
        default=None, description="A user id; 0 for unassigned items."
    )


class OverdueQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: Limit = 50
    after_due: Day | None = Field(
        default=None, description="Cursor, with `after_id`: from the previous page's `next` link."
    )
    after_id: Id | None = Field(default=None, description="Cursor, with `after_due`.")
    party: Party | None = None
    csm: Id | None = None
    customer: Id | None = None


class CatalogueQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Id | None = Field(
        default=None, description="A catalogue version number; default the newest."
    )
