"""Span algebra on half-open [start, end) spans of instants: merge, subtract, intersect, clip."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

Span = tuple[datetime, datetime]


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with touching or overlapping spans joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(spans: Iterable[Span], cuts: Iterable[Span]) -> list[Span]:
    """What remains of `spans` once every cut is removed (one sweep over both, sorted)."""
    remaining: list[Span] = []
    cuts = merge(cuts)
    i = 0
    for start, end in merge(spans):
        while i < len(cuts) and cuts[i][1] <= start:
            i += 1
        j = i
        while j < len(cuts) and cuts[j][0] < end:
            cut_start, cut_end = cuts[j]
            if cut_start > start:
                remaining.append((start, cut_start))
            start = max(start, cut_end)
            j += 1
        if start < end:
            remaining.append((start, end))
    return remaining


def intersect(spans: Iterable[Span], others: Iterable[Span]) -> list[Span]:
    """The parts of `spans` that lie inside `others` as well (both merged first)."""
    left, right = merge(spans), merge(others)
    result: list[Span] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start, end = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        if start < end:
            result.append((start, end))
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    return result


def clip(spans: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    """Each span cut to [start, end); those outside it dropped."""
    return [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]


def covers(spans: Iterable[Span], start: datetime, end: datetime) -> bool:
    """Whether one of the (merged) spans holds all of [start, end)."""
    return any(s <= start and end <= e for s, e in merge(spans))


def hours(spans: Iterable[Span]) -> float:
    """The hours the spans last, counted once where they overlap (absolute durations)."""
    return sum((end - start).total_seconds() for start, end in merge(spans)) / 3600
