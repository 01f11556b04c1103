"""Which projects a user sees, and the filters every list of them shares."""
