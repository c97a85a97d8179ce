"""The dashboard's answers for an operator over ten whole weeks, for bench_reports: which
periods to build, the hand-written SQL floors, and the requests to measure."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import time
from urllib.parse import urlencode

import psycopg

WEEKS = 10
TARGET_P99_MS = 150.0
OPERATOR = "operator@bench.example"
PASSWORD = "bench-password"

# The floor of the heat map: one hand-written aggregate over the reservations of the ten
# weeks, booked hours by the local weekday and hour each reservation starts in (not cut at
# hours nor clipped to opening hours: less than the map does, so a floor).
HEATMAP_FLOOR_SQL = """
SELECT extract(isodow FROM r.starts_at AT TIME ZONE b.timezone) AS weekday,
       extract(hour FROM r.starts_at AT TIME ZONE b.timezone) AS hour,
       sum(extract(epoch FROM r.ends_at - r.starts_at)) / 3600 AS booked_hours
FROM equipment e
JOIN training_bases b ON b.id = e.base_id
JOIN reservations r ON r.equipment_id = e.id
     AND tstzrange(r.starts_at, r.ends_at)
         && tstzrange(CAST(%(first)s AS timestamp) AT TIME ZONE b.timezone,
                      CAST(%(end)s AS timestamp) AT TIME ZONE b.timezone)
     AND r.status IN ('confirmed', 'checked_in', 'completed', 'no_show')
GROUP BY 1, 2
"""


def ten_weeks(end_day: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """(first Monday, the Monday after the last week, the first Monday of the ten weeks
    before): the last ten whole ISO weeks ending at least a week before end_day."""
    end = end_day - dt.timedelta(days=7 + end_day.weekday())
    first = end - dt.timedelta(weeks=WEEKS)
    return first, end, first - dt.timedelta(weeks=WEEKS)


def build(url: str, days: list[dt.date], weeks: list[dt.date],
          runs: int) -> tuple[float, dict[str, float]]:
    """Build the days' reports (with the heat map's hours) and the weeks', as
    `benchshare reports build` does; answers the seconds it took, and the median seconds of
    the heat map's own statements over the days: read from the kept hours, and all computed
    live from the reservations (what it cost before the hours were kept)."""
    os.environ.update({"DATABASE_URL": url, "SCHEDULER_ENABLED": "false",
                       "LOG_LEVEL": "WARNING"})
    from service import create_app
    from service.db import db
    from service.reports import hours, services
    from service.reports.heatmap import heatmap_cells

    started = time.perf_counter()
    with create_app().app_context():
        services.build_requested_reports(db.session, "day", days)
        services.build_requested_reports(db.session, "week", weeks)
        built = time.perf_counter() - started
        first, end = days[0], days[-1] + dt.timedelta(days=1)
        live = {"firsts": [first], "ends": [end], "owner_id": None, "base_id": None,
                "category_id": None}
        statements = {"heat map's SQL, kept hours": lambda: heatmap_cells(db.session, first, end),
                      "heat map's SQL, all live": lambda: db.session.execute(
                          hours.LIVE_SQL, live).all()}
        timings: dict[str, float] = {}
        for name, statement in statements.items():
            seconds = []
            for _ in range(runs if "kept" in name else 1):
                begun = time.perf_counter()
                statement()
                seconds.append(time.perf_counter() - begun)
                db.session.rollback()
            timings[name] = statistics.median(seconds)
    return built, timings


def time_floors(conn: psycopg.Connection, floor_sql: str, first: dt.date, end: dt.date,
                runs: int) -> dict[str, float]:
    """Median seconds of each floor statement over the ten weeks, run in turn."""
    statements = {"floor: one SQL, ten weeks' booked hours per item": floor_sql,
                  "floor: one SQL, ten weeks' booked hours per weekday x hour":
                      HEATMAP_FLOOR_SQL}
    params = {"first": first, "end": end}
    timings: dict[str, list[float]] = {name: [] for name in statements}
    for statement in statements.values():
        conn.execute(statement, params).fetchall()  # warm the cache
    for _ in range(runs):
        for name, statement in statements.items():
            started = time.perf_counter()
            conn.execute(statement, params).fetchall()
            timings[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in timings.items()}


def paths(first: dt.date, end: dt.date, previous: dt.date) -> dict[str, str]:
    """What the dashboard asks for an operator over the ten weeks, by label."""
    days = {"from": first.isoformat(), "to": end.isoformat()}

    def utilisation(group_by: str, **span) -> str:
        return "/api/v1/reports/utilisation?" + urlencode(
            {"granularity": "week", "group_by": group_by, **(span or days)})

    return {
        "/me (the machine's floor for a request)": "/api/v1/me",
        "utilisation by school": utilisation("school"),
        "utilisation by item": utilisation("item"),
        "utilisation by kind": utilisation("kind"),
        "utilisation by school, previous": utilisation(
            "school", **{"from": previous.isoformat(), "to": first.isoformat()}),
        "utilisation by item, previous": utilisation(
            "item", **{"from": previous.isoformat(), "to": first.isoformat()}),
        "heatmap": "/api/v1/reports/heatmap?" + urlencode(days),
        "idle": "/api/v1/reports/idle",
        "drill-down of a heat-map cell": "/api/v1/reports/reservations?" + urlencode(
            {**days, "weekday": 2, "hour": 10}),
    }


def measure_all(server, call, measure, clients: int, seconds: float,
                asked: dict[str, str]) -> dict[str, tuple]:
    """Each path measured in turn on a started server as the operator: label -> (load, status,
    bytes)."""
    status, body = call(server.port, "POST", "/api/v1/auth/token",
                        {"email": OPERATOR, "password": PASSWORD})
    token = json.loads(body)["access_token"]
    loads = {}
    for label, path in asked.items():
        status, body = call(server.port, "GET", path, token=token)
        print(f"measuring GET {path} ({status}, {len(body)} bytes)...", flush=True)
        if status == 404 and "reservations" in path:  # the drill-down is not in this code
            loads[label] = (None, status, len(body))
            continue
        # A short load first, so that every worker has been asked once (a running dashboard's
        # workers have): with answers kept, what follows is what its viewers meet; with none
        # kept (REPORTS_CACHE_SECONDS=0) every request is computed anyway.
        measure(server.port, path, token, clients, min(2.0, seconds))
        loads[label] = (measure(server.port, path, token, clients, seconds), status, len(body))
    return loads


def rows(loads: dict[str, tuple], clients: int, kept: bool) -> tuple[list[tuple], list[bool]]:
    """The table's rows of measured answers, and whether each met the target (answers kept
    between requests, as served; not kept: shown for reference)."""
    table, outcomes = [], []
    for label, (load, status, size) in loads.items():
        name = f"GET {label}, {WEEKS} weeks{'' if kept else ', not kept'}"
        if load is None:
            table.append((name, "-", "", "", f"{status}: not in this code", "-", "-"))
            continue
        ok = load.p99_ms < TARGET_P99_MS and load.errors == 0 and status == 200
        reference = label.startswith("/me")
        name = f"GET {label}" if reference else name
        if reference and not kept:
            continue
        if kept and not reference:
            outcomes.append(ok)
        table.append((name, f"{load.rate:.1f} req/s", f"{load.p50_ms:.1f}",
                       f"{load.p99_ms:.1f}", f"{clients} clients, {load.tool}, {load.requests}"
                       f" req, {load.errors} err, {size // 1024} KiB",
                       f"p99 < {TARGET_P99_MS:g} ms" if kept and not reference else "(info)",
                       ("PASS" if ok else "FAIL") if kept and not reference else "-"))
    return table, outcomes
