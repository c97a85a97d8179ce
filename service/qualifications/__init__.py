"""Qualifications over HTTP, and revoking one: above the catalogue and the booking engine."""
