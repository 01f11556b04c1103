"""Editing the catalogue as a draft that publishing makes the next version."""
