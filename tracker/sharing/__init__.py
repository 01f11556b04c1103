"""Progress links: a read-only page of one project's progress for people without an account
(the customer's executives), reached by a link its CSM creates, that expires and can be
revoked, and whose every view is recorded."""
