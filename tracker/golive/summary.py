"""The handover summary: what was done, what was waived, what is still open, and who owns
what in operations; shown on the handover page and e-mailed at go-live."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.enums import Party
from tracker.golive.queries import BlockingItem, Readiness, operations_items, readiness_of
from tracker.models import ChecklistItem, Project, Responsibility


@dataclass(frozen=True)
class HandoverSummary:
    readiness: Readiness
    operations: dict[Party, list[tuple[ChecklistItem, Responsibility]]]

    @property
    def done(self) -> list[BlockingItem]:
        return [entry for entry in self.readiness.items if not entry.is_open]

    @property
    def waived(self) -> list[BlockingItem]:
        return self.readiness.waived

    @property
    def still_open(self) -> list[BlockingItem]:
        return [entry for entry in self.readiness.items if entry.is_open]


def handover_summary(project: Project) -> HandoverSummary:
    operations: dict[Party, list] = {}
    for item, row in operations_items(project):
        operations.setdefault(item.party, []).append((item, row))
    return HandoverSummary(readiness=readiness_of(project), operations=operations)
