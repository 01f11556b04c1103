"""Exports of the portfolio, a project's checklist and the overdue dashboard (CSV, Excel)."""
