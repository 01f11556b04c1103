"""Go-live readiness, the client's sign-off, and the handover to operations."""
