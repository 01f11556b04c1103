"""The overdue dashboard's filters, read from the query string (shared with its export)."""

from __future__ import annotations

from tracker.enums import Party
from tracker.portfolio.filters import customer_arg
from tracker.queryargs import enum_arg, int_arg


def dashboard_filters() -> dict:
    """Party (responsible), accountable party, CSM and customer."""
    return {
        "party": enum_arg("party", Party),
        "accountable": enum_arg("accountable", Party),
        "csm_id": int_arg("csm"),
        "customer_id": customer_arg(),
    }
