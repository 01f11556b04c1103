"""An organisation's people: the customer's (or partner's) page listing its users and the
invitations sent to it, inviting, re-inviting, cancelling and accepting invitations, and
leads deactivating colleagues."""
