"""The catalogue draft's use cases: start it from the newest version, change its areas and
rows, discard it, publish it as the next version. Administrators only.

The draft holds the catalogue in the loader's file format; publishing validates it with the
loader's rules (``validate_catalogue``, as ``catalogue load`` validates a file) and loads it
with ``load_catalogue``. Every change names the draft version it is based on: a stale one is
a conflict. Every change is recorded in the catalogue's audit trail. Services flush and
never commit.
"""

from __future__ import annotations

import copy

from flask_babel import gettext as _

from tracker.boundary import flush
from tracker.catalogue.diff import CatalogueDiff, compare
from tracker.catalogue.drafts.queries import the_draft
from tracker.catalogue.loader import (
    CatalogueError,
    CatalogueSpec,
    LoadResult,
    load_catalogue,
    spec_of,
    validate_catalogue,
)
from tracker.catalogue.queries import current_version
from tracker.errors import Conflict, NotAllowed, NotFound, RuleBroken
from tracker.extensions import db
from tracker.models import CatalogueDraft, CatalogueEvent, User
from tracker.permissions import can_manage_catalogue
from tracker.timeutil import utcnow

UP, DOWN = "up", "down"


def _require_admin(actor: User) -> None:
    if not can_manage_catalogue(actor):
        raise NotAllowed(_("Only administrators edit the catalogue."))


def _record(
    actor: User,
    action: str,
    target: str | None = None,
    number: int | None = None,
    fields: list[str] | None = None,
):
    db.session.add(
        CatalogueEvent(
            actor_id=actor.id, action=action, target=target, version_number=number, fields=fields
        )
    )


def start_draft(*, actor: User) -> CatalogueDraft:
    """A draft holding the newest version (or nothing, before any version is loaded)."""
    _require_admin(actor)
    if the_draft() is not None:
        raise Conflict(_("A draft exists already: edit it, or discard it first."))
    newest = current_version()
    content = (
        spec_of(newest).model_dump(mode="json")
        if newest is not None
        else {"source": "catalogue", "areas": []}
    )
    draft = CatalogueDraft(
        content=content,
        based_on=newest.number if newest else None,
        created_by_id=actor.id,
        updated_by_id=actor.id,
    )
    db.session.add(draft)
    _record(actor, "draft_started", number=draft.based_on)
    flush()
    return draft


def _check(draft: CatalogueDraft, actor: User, version: int | None) -> None:
    _require_admin(actor)
    if version != draft.version:
        raise Conflict(
            _("Someone else changed the draft after you loaded it."),
            current_version=draft.version,
        )


def _save(
    draft: CatalogueDraft,
    actor: User,
    content: dict,
    action: str,
    target: str,
    fields: list[str] | None = None,
) -> None:
    draft.content = content  # a new object: the JSON column sees the change
    draft.updated_by_id = actor.id
    draft.updated_at = utcnow()
    _record(actor, action, target, fields=fields)
    flush(current_version=lambda: draft.version)


def _area(content: dict, key: str) -> dict:
    for area in content["areas"]:
        if area["key"] == key:
            return area
    raise NotFound(_("The draft has no such area."))


def _row(content: dict, key: str) -> tuple[dict, dict]:
    for area in content["areas"]:
        for row in area["rows"]:
            if row["key"] == key:
                return area, row
    raise NotFound(_("The draft has no such row."))


def find_area(draft: CatalogueDraft, key: str) -> dict:
    return _area(draft.content, key)


def find_row(draft: CatalogueDraft, key: str) -> tuple[dict, dict]:
    return _row(draft.content, key)


def save_area(
    draft: CatalogueDraft, *, actor: User, version: int | None, key: str | None, values: dict
) -> None:
    """Change area ``key``'s titles and notes, or add an area (``key`` None) at the end,
    with the key ``values["key"]``."""
    _check(draft, actor, version)
    content = copy.deepcopy(draft.content)
    fields = {name: values[name] for name in ("title_fr", "title_en", "note_fr", "note_en")}
    if key is None:
        new_key = values["key"]
        if any(area["key"] == new_key for area in content["areas"]):
            raise RuleBroken("key", _("Another area has this key."))
        content["areas"].append({"key": new_key, **fields, "rows": []})
        _save(draft, actor, content, "area_added", f"area:{new_key}")
    else:
        area = _area(content, key)
        changed = _changed(area, fields)
        area.update(fields)
        _save(draft, actor, content, "area_changed", f"area:{key}", changed)


def save_row(
    draft: CatalogueDraft,
    *,
    actor: User,
    version: int | None,
    area_key: str,
    key: str | None,
    values: dict,
) -> None:
    """Change row ``key`` (moving it to area ``area_key`` if it is elsewhere), or add a row
    (``key`` None) at the end of area ``area_key``, with the key ``values["key"]``."""
    _check(draft, actor, version)
    content = copy.deepcopy(draft.content)
    area = _area(content, area_key)
    if key is None:
        new_key = values["key"]
        if any(row["key"] == new_key for a in content["areas"] for row in a["rows"]):
            raise RuleBroken("key", _("Another row has this key."))
        area["rows"].append(values)
        _save(draft, actor, content, "row_added", f"row:{new_key}")
        return
    current_area, row = _row(content, key)
    changed = _changed(row, {**values, "key": key})
    row.update({**values, "key": key})
    if current_area is not area:
        current_area["rows"].remove(row)
        area["rows"].append(row)
        changed.append("area")
    _save(draft, actor, content, "row_changed", f"row:{key}", changed)


def _changed(before: dict, after: dict) -> list[str]:
    """The fields ``after`` gives another value than ``before`` has, in its order."""
    return [name for name, value in after.items() if before.get(name) != value]


def _siblings(content: dict, kind: str, key: str) -> tuple[list[dict], dict]:
    if kind == "area":
        return content["areas"], _area(content, key)
    area, row = _row(content, key)
    return area["rows"], row


def move(
    draft: CatalogueDraft, *, actor: User, version: int | None, kind: str, key: str, direction: str
) -> None:
    """Move an area, or a row within its area, one place up or down (at an end: nothing)."""
    _check(draft, actor, version)
    content = copy.deepcopy(draft.content)
    siblings, item = _siblings(content, kind, key)
    index = siblings.index(item)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    _save(draft, actor, content, f"{kind}_moved_{direction}", f"{kind}:{key}")


def remove(draft: CatalogueDraft, *, actor: User, version: int | None, kind: str, key: str):
    """Remove an area (with its rows) or a row from the draft."""
    _check(draft, actor, version)
    content = copy.deepcopy(draft.content)
    siblings, item = _siblings(content, kind, key)
    siblings.remove(item)
    _save(draft, actor, content, f"{kind}_removed", f"{kind}:{key}")


def discard(draft: CatalogueDraft, *, actor: User, version: int | None) -> None:
    _check(draft, actor, version)
    db.session.delete(draft)
    _record(actor, "draft_discarded")
    flush(current_version=lambda: draft.version)


def validated(draft: CatalogueDraft) -> CatalogueSpec:
    """The draft as the loader reads a file; ``RuleBroken`` naming the row and the field
    when the loader would refuse it."""
    try:
        return validate_catalogue(draft.content)
    except CatalogueError as error:
        raise RuleBroken(
            None, _("The draft cannot be published: %(reason)s", reason=error)
        ) from error


def preview(draft: CatalogueDraft) -> CatalogueDiff | None:
    """What publishing would change against the newest version (None when the draft does
    not validate, or there is no version yet)."""
    newest = current_version()
    try:
        spec = validate_catalogue(draft.content)
    except CatalogueError:
        return None
    return compare(spec_of(newest), spec) if newest is not None else None


def publish(draft: CatalogueDraft, *, actor: User, version: int | None) -> LoadResult:
    """Load the draft as the next version, as ``catalogue load`` loads a file; the draft is
    gone then. New projects use that version; running projects keep theirs."""
    _check(draft, actor, version)
    spec = validated(draft)
    result = load_catalogue(spec, source=_source(draft))
    if not result.created:
        raise RuleBroken(
            None, _("The draft holds the newest version as it is: nothing to publish.")
        )
    db.session.delete(draft)
    _record(actor, "published", number=result.version.number)
    flush(current_version=lambda: draft.version)
    return result


def _source(draft: CatalogueDraft) -> str:
    return f"web draft (on version {draft.based_on})" if draft.based_on else "web draft"
