"""Random weekly opening hours in quarter hours, for the report and heatmap oracles."""

from __future__ import annotations

from datetime import time

from hypothesis import strategies as st

QUARTERS = st.integers(0, 24 * 4 - 1).map(lambda q: time(q // 4, q % 4 * 15))


@st.composite
def weekly_spans(draw, max_days: int = 7):
    """ISO weekday, opens, closes: up to two disjoint spans a day, early hours included."""
    spans = []
    for weekday in draw(st.sets(st.integers(1, 7), max_size=max_days)):
        points = sorted(draw(st.sets(QUARTERS, min_size=2, max_size=4)))
        pairs = list(zip(points[::2], points[1::2], strict=False))
        spans += [(weekday, opens, closes) for opens, closes in pairs]
    return spans
