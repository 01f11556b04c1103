"""The signed-in user's own settings: API tokens (and the password, in tracker.auth)."""
