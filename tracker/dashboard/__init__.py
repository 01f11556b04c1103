"""Cross-project views: overdue and soon-due items, and each user's tasks."""
