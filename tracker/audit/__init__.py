"""The audit trail: every change to a project or an item, as an event."""
