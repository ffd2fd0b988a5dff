"""Use cases: one function per thing a user does; each commits once with its audit event."""
