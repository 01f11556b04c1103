"""The filters of the portfolio's pages, read from the query string: the CSM and customer
filters that the portfolio, the overdue dashboard and the heatmap share."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from tracker.portfolio.queries import (
    GO_LIVE_STATES,
    MAX_CUSTOMER_NAME,
    CustomerChoice,
    customer_choice,
    customer_named,
)
from tracker.queryargs import flag_arg, int_arg
from tracker.text import has_control_characters

# A customer id that no project has: the name typed in the customer filter matches nobody.
NO_CUSTOMER = -1


def customer_arg() -> int | None:
    """The customer filter: ``customer`` (an id, from a <select> or a link), else
    ``customer_name`` (the text field offered when there are too many customers to list)."""
    chosen = int_arg("customer")
    if chosen:
        return chosen
    name = request.args.get("customer_name", "")
    if not name.strip():
        return None
    if len(name) > MAX_CUSTOMER_NAME or has_control_characters(name):
        return NO_CUSTOMER
    return customer_named(current_user, name) or NO_CUSTOMER


def customer_filter(selected: int | None) -> CustomerChoice:
    """The customer filter as the templates show it: a list, or the name typed."""
    choice = customer_choice(current_user, selected)
    choice.typed = request.args.get("customer_name", "")[:MAX_CUSTOMER_NAME]
    return choice


def portfolio_filters() -> dict:
    """The portfolio's filters (shared with its exports and its heatmap)."""
    return {
        "csm_id": int_arg("csm"),
        "customer_id": customer_arg(),
        "archived": flag_arg("archived"),
        "catalogue_version": int_arg("version"),
        "behind": flag_arg("behind"),
        "go_live": go_live_arg(),
    }


def go_live_arg() -> str | None:
    """The go-live filter: one of ``GO_LIVE_STATES``; anything else is no filter."""
    value = request.args.get("go_live")
    return value if value in GO_LIVE_STATES else None
