"""Pure rules of outcomes: free tags in one normal form, the skills' count, the edit window,
the hours a session can account for."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

TAG_MAX_LENGTH = 60
MAX_TAGS = 10  # skills and free tags together


def normalise_tag(raw: str) -> str:
    """A free tag as stored: trimmed, inner whitespace runs made one space, lower-case."""
    return " ".join(raw.split()).lower()


def tag_problem(tag: str) -> str | None:
    """Why a normalised free tag cannot be kept, or None."""
    if not 1 <= len(tag) <= TAG_MAX_LENGTH:
        return f"A free tag is 1 to {TAG_MAX_LENGTH} characters."
    if any(unicodedata.category(ch).startswith("C") for ch in tag):
        return "A free tag holds printable characters only."
    return None


def unique(values: Iterable) -> list:
    """The values in their first order, each once."""
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class Tags:
    vocabulary: list[str]
    free: list[str]

    @property
    def count(self) -> int:
        return len(self.vocabulary) + len(self.free)


def split_tags(skills: Iterable[str], free_tags: Iterable[str], vocabulary: set[str]) -> Tags:
    """Vocabulary slugs and normalised free tags, each once; a free tag that is a vocabulary
    slug counts as that skill (the caller has checked the slugs and the free tags)."""
    free = unique(normalise_tag(t) for t in free_tags)
    chosen = unique([*skills, *(t for t in free if t in vocabulary)])
    return Tags(chosen, [t for t in free if t not in vocabulary])


def edit_deadline(created_at: datetime, edit_days: int) -> datetime:
    """The instant an outcome stops being editable by its author."""
    return created_at + timedelta(days=edit_days)


def editable(created_at: datetime, now: datetime, edit_days: int) -> bool:
    return now < edit_deadline(created_at, edit_days)


def booked_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    """The length of a booking in hours (exact: a fraction of seconds is never rounded up)."""
    return Decimal(int((ends_at - starts_at).total_seconds())) / Decimal(3600)
