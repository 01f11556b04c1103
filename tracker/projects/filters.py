"""The project page's item filters, read from the query string (shared with its export)."""

from __future__ import annotations

import re

from tracker.catalogue.loader import KEY_PATTERN
from tracker.enums import Party, Status
from tracker.queryargs import enum_arg, int_arg, pattern_arg

AREA_KEY = re.compile(KEY_PATTERN)


def checklist_filters() -> dict:
    """Party (responsible), accountable party, status, assignee (-1: nobody) and catalogue
    area."""
    return {
        "party": enum_arg("party", Party),
        "accountable": enum_arg("accountable", Party),
        "status": enum_arg("status", Status),
        "assignee_id": int_arg("assignee", minimum=-1),
        "area": pattern_arg("area", AREA_KEY),
    }
