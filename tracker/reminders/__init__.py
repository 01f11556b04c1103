"""Reminder e-mails: one daily digest per user of overdue and soon-due items."""
