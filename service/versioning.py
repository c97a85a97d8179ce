"""Optimistic concurrency: the row version behind every ETag, checked against If-Match."""

from __future__ import annotations

from .errors import PreconditionFailed


def check_version(obj, expected: list[int] | None) -> None:
    """Refuse a change made against a version the client no longer holds (If-Match)."""
    if expected is not None and obj.version not in expected:
        raise PreconditionFailed(
            f"The record is at version {obj.version}; fetch it again and retry.",
            code="stale_etag", current_etag=f'"{obj.version}"')
