"""The utilisation answer as JSON, and answers of closed periods kept: a built period's rows
change only through a rebuild, which records a new run, so an answer keyed by the runs it was
read from stays true until one.

Each process keeps its own small cache (a dashboard asks the same report again and again);
group names, which may be renamed meanwhile, are kept at most REPORTS_CACHE_SECONDS.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..fast_dump import fast_dump
from .queries import (
    answer_heatmap,
    answer_key,
    answer_utilisation,
    ask_heatmap,
    ask_utilisation,
    heatmap_key,
)
from .schemas import HeatmapSchema, UtilisationSchema

# The schema's dump through orjson: a month per item is a thousand rows, which marshmallow
# takes a hundred times longer to walk (and the day per item answer thirty times more).
UTILISATION_JSON = fast_dump(UtilisationSchema())
HEATMAP_JSON = fast_dump(HeatmapSchema())


class AnswerCache:
    """Bytes of answers by key, least recently used dropped past `max_bytes`, each kept at
    most `seconds` (0: nothing is kept)."""

    def __init__(self, seconds: float, max_bytes: int = 32 * 2**20):
        self.seconds = seconds
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, now: float | None = None) -> bytes | None:
        now = time.monotonic() if now is None else now
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if now - entry[0] >= self.seconds:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: tuple, body: bytes, now: float | None = None) -> None:
        if self.seconds <= 0 or len(body) > self.max_bytes:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (now, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple) -> None:
        _, body = self._entries.pop(key)
        self._bytes -= len(body)


def utilisation_json(session: Session, actor: User, *, kept: AnswerCache, **question) -> bytes:
    """The answer to a question of `ask_utilisation` as its schema dumps it; one read only
    from built periods is kept, and given again until a rebuild."""
    asked = ask_utilisation(session, actor, **question)
    key = answer_key(asked)
    body = kept.get(key) if key is not None else None
    if body is None:
        body = UTILISATION_JSON(answer_utilisation(session, asked))
        if key is not None:
            kept.put(key, body)
    return body


def heatmap_json(session: Session, actor: User, *, kept: AnswerCache, **question) -> bytes:
    """The heat map asked (`ask_heatmap`) as its schema dumps it; one read only from kept
    days is kept, and given again until one of them is rebuilt."""
    asked = ask_heatmap(session, actor, **question)
    key = heatmap_key(asked)
    body = kept.get(key) if key is not None else None
    if body is None:
        body = HEATMAP_JSON(answer_heatmap(session, asked))
        if key is not None:
            kept.put(key, body)
    return body
