"""Evidence files: attached to checklist items and comments, kept in a file store."""
