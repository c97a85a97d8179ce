"""What happened to a user: an outbox of notifications, delivered at least once; calendar feeds."""
