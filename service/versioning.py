"""Optimistic concurrency: the row version behind every ETag, checked against If-Match."""

from __future__ import annotations

from .errors import PreconditionFailed
from .i18n import gettext


def check_version(obj, expected: list[int] | None) -> None:
    """Refuse a change made against a version the client no longer holds (If-Match)."""
    if expected is not None and obj.version not in expected:
        raise PreconditionFailed(
            gettext("The record is at version %(version)s; fetch it again and retry.",
                    version=obj.version),
            code="stale_etag", current_etag=f'"{obj.version}"')
