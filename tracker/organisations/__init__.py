"""Customers and implementation partners."""
