"""The calendar feed's buttons on the account page."""

from __future__ import annotations

from tracker.forms import TrackerForm


class FeedForm(TrackerForm):
    """Turn on, reset or turn off: the button's URL says which; the form carries the CSRF
    token only."""
