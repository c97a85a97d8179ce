"""Idempotency-Key: a retried POST gets the first answer again and never acts twice."""
