"""Moving running projects to a newer catalogue version (issue 15, section 5)."""
