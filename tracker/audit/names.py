"""What a project's events name by code (an item, catalogue rows by key), written out in
the reader's language for the pages that show a history."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.audit.queries import rows_of_items, rows_of_version
from tracker.extensions import db
from tracker.i18n import localized
from tracker.models import Project, Responsibility

# An item is named by its row's text, shortened to this many characters.
ITEM_NAME_LENGTH = 70


@dataclass(frozen=True)
class EventNames:
    """A project's rows by key and its items' rows by item id (two queries per page)."""

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


def event_names(project: Project) -> EventNames:
    rows = db.session.scalars(rows_of_version(project.catalogue_version_id)).all()
    by_id = {row.id: row for row in rows}
    return EventNames(
        rows_by_key={row.key: row for row in rows},
        rows_by_item={
            item_id: by_id[row_id]
            for item_id, row_id in db.session.execute(rows_of_items(project.id))
            if row_id in by_id
        },
    )
