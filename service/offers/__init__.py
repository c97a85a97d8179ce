"""Enterprise idle-equipment offers, each addressed to one school, and their lifecycle."""
