"""What changed from one catalogue version to another: the areas and rows added, removed and
changed, matched by their keys, and for each change, field by field, the value before and
after. The page (/catalogue/diff), the API (/api/v1/catalogue/diff) and the command line
(``catalogue diff``) show this one comparison.

The fields compared are the loader's (``AreaSpec`` and ``RowSpec``): a field added to them
is compared, exported and shown without a change here (labelled by its name until
``FIELD_LABELS`` gives it a label). Besides its fields, an area or row may have moved: a row
to another area (``area``), an area or a row within its area to another place among the
ones both versions have (``position``, counted from 1 in its version).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Any

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic_core import to_jsonable_python

from tracker.catalogue.loader import AreaSpec, CatalogueSpec, RowSpec, spec_of
from tracker.enums import Labelled
from tracker.formatting import display_value
from tracker.i18n import localized
from tracker.models import CatalogueVersion


class Change(Labelled):
    ADDED = "added", _l("Added")
    REMOVED = "removed", _l("Removed")
    CHANGED = "changed", _l("Changed")


# Where an area or row stands, beside its fields.
AREA = "area"
POSITION = "position"
AREA_FIELDS = tuple(name for name in AreaSpec.model_fields if name not in ("key", "rows"))
ROW_FIELDS = tuple(name for name in RowSpec.model_fields if name != "key")

# The label of each field, in the reader's language; a field ending in _fr or _en is its
# text's label with the language ("Title (French)"), any other field its own name.
FIELD_LABELS = {
    "title": _l("Title"),
    "note": _l("Note"),
    "text": _l("Text"),
    "rationale": _l("Rationale"),
    "seed_row": _l("Source row"),
    "parties": _l("Parties"),
    "ims_eligible": _l("IMS-eligible"),
    "blocks_go_live": _l("Blocks go-live"),
    "condition": _l("Condition"),
    "phase": _l("Phase"),
    "due": _l("Due"),
    "marks_inferred": _l("Marks inferred"),
    "confidence": _l("Confidence"),
    "follows": _l("Follows"),
    "accountable": _l("Accountable"),
    "contributors": _l("Contributors"),
    "raci_confidence": _l("Confidence of accountable and contributors"),
    "raci_rationale": _l("Why accountable and contributors"),
    "review_every": _l("Review"),
    AREA: _l("Area"),
    POSITION: _l("Position"),
}
IN_LANGUAGE = {"fr": _l("%(field)s (French)"), "en": _l("%(field)s (English)")}


def field_label(name: str) -> str:
    """``name``'s label in the reader's language, or ``name`` for a field without one."""
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    text, _separator, language = name.rpartition("_")
    if text in FIELD_LABELS and language in IN_LANGUAGE:
        return str(IN_LANGUAGE[language]) % {"field": FIELD_LABELS[text]}
    return name


@dataclass(frozen=True)
class FieldChange:
    """One field of an area or row: its value before and after (None: no value, or no area or
    row to have one). Values are the loader's: enum members, lists of them, text, numbers."""

    field: str
    before: Any
    after: Any

    @property
    def label(self) -> str:
        return field_label(self.field)


@dataclass(frozen=True)
class AreaChange:
    key: str
    change: Change
    fields: tuple[FieldChange, ...]
    spec: AreaSpec  # as it is after the change (before it, for a removed area)


@dataclass(frozen=True)
class RowChange:
    key: str
    area: str  # the key of its area, after the change (before it, for a removed row)
    change: Change
    fields: tuple[FieldChange, ...]
    spec: RowSpec  # as it is after the change (before it, for a removed row)


@dataclass(frozen=True)
class Section:
    """An area, as the page shows the differences: its own change, if any, and its rows'."""

    key: str
    area: AreaSpec
    change: AreaChange | None
    rows: tuple[RowChange, ...]


@dataclass(frozen=True)
class CatalogueDiff:
    before: CatalogueSpec
    after: CatalogueSpec
    areas: tuple[AreaChange, ...]  # in the order of the areas after, then the removed ones
    rows: tuple[RowChange, ...]  # likewise
    before_version: int | None = None  # the numbers of the versions compared, if versions
    after_version: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.areas and not self.rows

    def sections(self) -> list[Section]:
        """The changes grouped by area: the areas after the change in their order, then the
        removed ones; only the areas with a change of their own or of a row."""
        area_changes = {change.key: change for change in self.areas}
        sections = []
        seen = set()
        for spec in [*self.after.areas, *self.before.areas]:
            if spec.key in seen:
                continue
            seen.add(spec.key)
            rows = tuple(row for row in self.rows if row.area == spec.key)
            if rows or spec.key in area_changes:
                sections.append(Section(spec.key, spec, area_changes.get(spec.key), rows))
        return sections

    def shown(self, field: str, value: Any) -> str:
        """A value of ``field`` as the reader reads it: labels in their language, an area by
        its title, a dash for nothing."""
        if field == AREA and value is not None:
            area = _area(self.after, value) or _area(self.before, value)
            return localized(area, "title") if area else value
        if isinstance(value, list | tuple):
            return ", ".join(display_value(item) for item in value) or display_value(None)
        return display_value(value)

    def document(self) -> dict:
        """The differences as JSON data, values as the catalogue file writes them (enum
        values, not labels): what the API answers and ``catalogue diff --json`` prints."""

        def fields(changes: Iterable[FieldChange]) -> list[dict]:
            return [
                {"field": c.field, "before": _json(c.before), "after": _json(c.after)}
                for c in changes
            ]

        return {
            "from_version": self.before_version,
            "to_version": self.after_version,
            "areas": [
                {"key": c.key, "change": c.change.value, "fields": fields(c.fields)}
                for c in self.areas
            ],
            "rows": [
                {"key": c.key, "area": c.area, "change": c.change.value, "fields": fields(c.fields)}
                for c in self.rows
            ],
        }

    def summary(self) -> str:
        """What changed, counted: "2 rows added and 1 row changed"; or that nothing did."""
        area = {kind: sum(1 for c in self.areas if c.change is kind) for kind in Change}
        row = {kind: sum(1 for c in self.rows if c.change is kind) for kind in Change}
        added, removed, changed = Change.ADDED, Change.REMOVED, Change.CHANGED
        parts = [
            area[added] and ngettext("%(num)s area added", "%(num)s areas added", area[added]),
            area[removed]
            and ngettext("%(num)s area removed", "%(num)s areas removed", area[removed]),
            area[changed]
            and ngettext("%(num)s area changed", "%(num)s areas changed", area[changed]),
            row[added] and ngettext("%(num)s row added", "%(num)s rows added", row[added]),
            row[removed] and ngettext("%(num)s row removed", "%(num)s rows removed", row[removed]),
            row[changed] and ngettext("%(num)s row changed", "%(num)s rows changed", row[changed]),
        ]
        if not any(parts):
            return _("No differences: both versions have the same areas and rows.")
        return format_list([part for part in parts if part], locale=get_locale() or "en")


def _json(value: Any) -> Any:
    return to_jsonable_python(value)


def _area(spec: CatalogueSpec, key: str) -> AreaSpec | None:
    return next((area for area in spec.areas if area.key == key), None)


def _moved(before: Sequence[str], after: Sequence[str]) -> set[str]:
    """The keys of both sequences that changed places: those outside a longest run of keys
    kept in the same order (what a reader sees moved)."""
    common = set(before) & set(after)
    old = [key for key in before if key in common]
    new = [key for key in after if key in common]
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    kept = {
        key
        for block in matcher.get_matching_blocks()
        for key in old[block.a : block.a + block.size]
    }
    return common - kept


def _fields(names: Iterable[str], old, new) -> list[FieldChange]:
    return [
        FieldChange(name, getattr(old, name), getattr(new, name))
        for name in names
        if getattr(old, name) != getattr(new, name)
    ]


def _whole(names: Iterable[str], spec, *, added: bool) -> tuple[FieldChange, ...]:
    """Every field of an added (or removed) area or row, from nothing (or to nothing)."""
    return tuple(
        FieldChange(name, None, getattr(spec, name))
        if added
        else FieldChange(name, getattr(spec, name), None)
        for name in names
    )


def compare(before: CatalogueSpec, after: CatalogueSpec) -> CatalogueDiff:
    """The differences from ``before`` to ``after``, areas and rows matched by key."""
    old_areas = {area.key: area for area in before.areas}
    new_areas = {area.key: area for area in after.areas}
    old_order = [area.key for area in before.areas]
    new_order = [area.key for area in after.areas]
    moved_areas = _moved(old_order, new_order)
    areas: list[AreaChange] = []
    for area in after.areas:
        old = old_areas.get(area.key)
        if old is None:
            areas.append(
                AreaChange(area.key, Change.ADDED, _whole(AREA_FIELDS, area, added=True), area)
            )
            continue
        fields = _fields(AREA_FIELDS, old, area)
        if area.key in moved_areas:
            position = (old_order.index(area.key) + 1, new_order.index(area.key) + 1)
            fields.append(FieldChange(POSITION, *position))
        if fields:
            areas.append(AreaChange(area.key, Change.CHANGED, tuple(fields), area))
    areas += [
        AreaChange(area.key, Change.REMOVED, _whole(AREA_FIELDS, area, added=False), area)
        for area in before.areas
        if area.key not in new_areas
    ]

    old_rows = {row.key: (area.key, row) for area in before.areas for row in area.rows}
    new_rows = {row.key: (area.key, row) for area in after.areas for row in area.rows}
    moved_rows: set[str] = set()  # within their area: a row in another area has moved there
    for key in old_areas.keys() & new_areas.keys():
        moved_rows |= _moved(
            [row.key for row in old_areas[key].rows], [row.key for row in new_areas[key].rows]
        )
    rows: list[RowChange] = []
    for area in after.areas:
        for index, row in enumerate(area.rows, start=1):
            if row.key not in old_rows:
                rows.append(
                    RowChange(
                        row.key, area.key, Change.ADDED, _whole(ROW_FIELDS, row, added=True), row
                    )
                )
                continue
            old_area, old = old_rows[row.key]
            fields = _fields(ROW_FIELDS, old, row)
            if old_area != area.key:
                fields.append(FieldChange(AREA, old_area, area.key))
            if row.key in moved_rows:
                old_index = [r.key for r in old_areas[old_area].rows].index(row.key) + 1
                fields.append(FieldChange(POSITION, old_index, index))
            if fields:
                rows.append(RowChange(row.key, area.key, Change.CHANGED, tuple(fields), row))
    rows += [
        RowChange(row.key, area.key, Change.REMOVED, _whole(ROW_FIELDS, row, added=False), row)
        for area in before.areas
        for row in area.rows
        if row.key not in new_rows
    ]
    return CatalogueDiff(before, after, tuple(areas), tuple(rows))


def versions_diff(before: CatalogueVersion, after: CatalogueVersion) -> CatalogueDiff:
    """The differences from version ``before`` to version ``after``."""
    diff = compare(spec_of(before), spec_of(after))
    return replace(diff, before_version=before.number, after_version=after.number)
