"""Checklist items: a project's instance of the catalogue, their statuses and comments."""
