"""Users, sign-in and sign-out."""
