"""Audit history: who changed what, when, with the before and after of the changed fields."""
