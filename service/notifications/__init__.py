"""What happened to a user: an outbox of notifications, delivered once; calendar feeds."""
