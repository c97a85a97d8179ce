"""Pure rules of the audit history: what a recorded value looks like, and what stays secret."""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.dialects.postgresql import Range

# Shown instead of a secret's value: the entry says that it changed, never what it became.
SECRET = "***"
# Bookkeeping every write moves, and the row's own id (the entry's entity_id): never listed.
UNLISTED = frozenset({"id", "version", "created_at", "updated_at"})


def is_secret(field: str) -> bool:
    """Password and token hashes (any column named *_hash) and a sign-on's client secret
    are never written out."""
    return field.endswith("_hash") or field == "client_secret"


def plain(value):
    """A JSON value for a column's value: instants, days and times as ISO 8601 text, decimals
    as text (no float rounding), arrays element by element."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Range):  # as PostgreSQL writes it: '[2026-12-08,)', '(,)'
        if value.empty:
            return "empty"
        lower = "(" if value.lower is None else value.bounds[0] + plain(value.lower)
        upper = ")" if value.upper is None else plain(value.upper) + value.bounds[1]
        return f"{lower},{upper}"
    # A SQL expression assigned to a column: its value exists only in the database.
    return str(value)


def recorded(field: str, value):
    """A value as the history shows it: secrets masked (a null stays null), a closing time
    of the end of the day as 24:00 (as the API shows it), the rest plain."""
    if value is not None and is_secret(field):
        return SECRET
    if field == "closes" and value == time(0):  # a close is never 00:00: this is 24:00
        return "24:00:00"
    return plain(value)


def change(field: str, before, after) -> list:
    """[before, after] of one field, as recorded."""
    return [recorded(field, before), recorded(field, after)]


def creation(values: dict) -> dict:
    """The changes of a new row: every listed field it was given a value for."""
    return {k: change(k, None, v) for k, v in values.items()
            if k not in UNLISTED and v is not None}


def deletion(values: dict) -> dict:
    """The changes of a removed row: every listed field it had a value in."""
    return {k: change(k, v, None) for k, v in values.items()
            if k not in UNLISTED and v is not None}
