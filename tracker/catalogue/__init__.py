"""The responsibility catalogue: versions, areas and rows (responsibilities)."""
