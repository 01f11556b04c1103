"""What a project's events name by code (an item, catalogue rows by key), written out in
the reader's language for the pages that show a history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.audit.queries import rows_of_items, rows_of_version
from tracker.extensions import db
from tracker.i18n import localized
from tracker.models import Event, Project, Responsibility

# An item is named by its row's text, shortened to this many characters.
ITEM_NAME_LENGTH = 70


@dataclass(frozen=True)
class EventNames:
    """Rows by key and items' rows by item id, as far as a page's events name them."""

    rows_by_key: dict[str, Responsibility]
    rows_by_item: dict[int, Responsibility]

    def item(self, item_id: int) -> str | None:
        """The item's row text in the reader's language, shortened; None if unknown."""
        row = self.rows_by_item.get(item_id)
        if row is None:
            return None
        text = localized(row, "text") or ""
        if len(text) <= ITEM_NAME_LENGTH:
            return text
        return text[: ITEM_NAME_LENGTH - 1].rstrip() + "…"

    def rows(self, keys: str) -> str:
        """A stored list of row keys ("a, b") as the rows' texts in the reader's language
        (a key no row of the version has stays as it is)."""
        names = []
        for key in (part.strip() for part in keys.split(",")):
            row = self.rows_by_key.get(key)
            names.append(localized(row, "text") if row is not None else key)
        return "; ".join(names)


# An item's own history names no item (the page is the item's) and no IMS scope.
NO_NAMES = EventNames(rows_by_key={}, rows_by_item={})


def event_names(project: Project, events: Sequence[Event]) -> EventNames:
    """The names ``events`` need: the rows of the items they name, and the version's rows
    whose keys an IMS-scope change lists. Two queries whatever the events (a page reads a
    fixed number of queries), each returning only the rows named."""
    item_ids = {event.item_id for event in events if event.item_id is not None}
    keys = {
        key.strip()
        for event in events
        if event.field == "ims_scope"
        for value in (event.old_value, event.new_value)
        if value
        for key in value.split(",")
    }
    rows = db.session.scalars(rows_of_version(project.catalogue_version_id, keys))
    return EventNames(
        rows_by_key={row.key: row for row in rows},
        rows_by_item=dict(db.session.execute(rows_of_items(item_ids)).all()),
    )
