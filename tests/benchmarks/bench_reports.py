"""Benchmark of utilisation reports (issue 9) on an embedded PostgreSQL with 10 M reservations.

Run from the repository root (a standalone script, not a pytest test):

    .venv/bin/python -m tests.benchmarks.bench_reports [--data-dir DIR] [--items 1000]
        [--reservations 10000000] [--seconds 10] [--quick]

One run prints one table:

1. The floor: one hand-written SQL statement computing a month's booked hours per item (each
   reservation clipped to the month of its item's base zone), median of --floor-runs runs, with
   the indexes its plan uses.
2. Building that month's daily reports for all items, the path of `benchshare reports build
   --granularity day` (`build_requested_reports`, 31 periods a call; on code without it,
   `build_requested_report` a day at a time): total and per day; then the monthly report of
   the month. Target: the daily build within 3x the floor.
   Floor and build are measured in --rounds interleaved rounds (each starting from a month with
   no stored rows): the ratio is the median of the rounds' ratios, so that a slow spell of the
   machine weighs on both sides of it.
3. GET /api/v1/reports/utilisation for the month grouped by item, as an operator, with N
   clients (wrk when installed, else Python threads): granularity=day (30 periods x items rows)
   and granularity=month, from the stored rows (target p99 < 50 ms for the month grouped by
   item; the day x item answer, 31,000 rows, is shown for reference), and for reference a month
   that was not built (computed live).

4. The dashboard's answers for an operator over the last ten whole weeks (tests/benchmarks/
   dashboard_answers.py): utilisation per week by school, item and kind, and the ten weeks
   before by school and item, the heat map, the idle list and the drill-down of one heat-map
   cell, their days and weeks built first (the days with the heat map's hours). Target: p99 <
   150 ms each as served (answers of built periods kept); with answers never kept for
   reference; beside the floors timed in the same run: the month floor's statement over the
   ten weeks, and one aggregate of booked hours by weekday x hour.

Seeding 10 M rows takes minutes: with --data-dir the database is kept there and reused by the
next run with the same --items/--reservations (reports are cleared at each start). The exit
status is 0 when every target passes, 1 when one fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from psycopg import sql

from service import embedded, schema
from service.accounts import passwords
from service.config import PROJECT_ROOT

from . import dashboard_answers as dashboard
from .serving import HOST, REQUEST_TIMEOUT, Gunicorn, threaded_load
from .serving import call_raw as call

DATABASE = "benchshare_reports"
PASSWORD = "bench-password"
OPERATOR = "operator@bench.example"
SLOTS_PER_DAY = 14  # one grid slot an hour from 07:00 local, per item and day
CHUNK = 1_000_000
TARGET_BUILD_RATIO = 3.0
TARGET_API_P99_MS = 50.0
PRESETS = {"full": {"items": 1000, "reservations": 10_000_000, "seconds": 10.0},
           "quick": {"items": 100, "reservations": 300_000, "seconds": 3.0}}
BOOKED = ("confirmed", "checked_in", "completed", "no_show")


@dataclass(frozen=True)
class Settings:
    data_dir: Path | None
    items: int
    reservations: int
    seconds: float
    clients: int
    workers: int
    floor_runs: int
    rounds: int
    live: bool


def parse_args(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.bench_reports",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path,
                        help="keep the database here and reuse it when seeded with the same "
                        "sizes (default: a temporary directory, removed at the end)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 100 items, 300000 reservations, 3 s")
    parser.add_argument("--items", type=int, help="equipment rows (default 1000)")
    parser.add_argument("--reservations", type=int, help="reservations (default 10000000)")
    parser.add_argument("--seconds", type=float, help="length of each HTTP measurement (10)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--floor-runs", type=int, default=5,
                        help="runs of the floor query in each round (default 5)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds of floor and build (default 3)")
    parser.add_argument("--no-live", dest="live", action="store_false",
                        help="skip the API on a month not built (computed live)")
    args = parser.parse_args(argv)
    preset = PRESETS["quick" if args.quick else "full"]
    items = args.items or preset["items"]
    reservations = args.reservations or preset["reservations"]
    if items < 20 or reservations < items * SLOTS_PER_DAY * 70:
        parser.error("need at least 20 items and enough reservations for 70 days")
    return Settings(data_dir=args.data_dir, items=items, reservations=reservations,
                    seconds=args.seconds or preset["seconds"], clients=args.clients,
                    workers=args.workers, floor_runs=max(1, args.floor_runs),
                    rounds=max(1, args.rounds), live=args.live)


# ---------------------------------------------------------------- seeding

@dataclass(frozen=True)
class Seeded:
    first_day: dt.date  # local day of the first seeded reservations
    end_day: dt.date  # local day after the last


SETUP = """
INSERT INTO organisations (name, kind, contact_email, version) VALUES
  ('Bench Platform', 'platform', 'ops@bench.example', 1),
  ('Shanghai Vocational College', 'school', 'office@sh.example', 1),
  ('Berlin Berufsschule', 'school', 'office@be.example', 1),
  ('Shanghai Machine Works', 'enterprise', 'office@smw.example', 1),
  ('Berlin Werkzeugbau', 'enterprise', 'office@bwb.example', 1);
INSERT INTO users (organisation_id, email, full_name, role, password_hash, version)
SELECT o.id, u.email, u.name, u.role, %(hash)s, 1
FROM (VALUES ('Bench Platform', 'operator@bench.example', 'Bench Operator', 'operator'),
             ('Shanghai Vocational College', 'admin@sh.example', 'SH Admin', 'admin'),
             ('Berlin Berufsschule', 'admin@be.example', 'BE Admin', 'admin'),
             ('Shanghai Machine Works', 'staff@smw.example', 'SMW Staff', 'enterprise_staff'),
             ('Berlin Werkzeugbau', 'staff@bwb.example', 'BWB Staff', 'enterprise_staff'))
     AS u(org, email, name, role)
JOIN organisations o ON o.name = u.org;
INSERT INTO users (organisation_id, email, full_name, role, password_hash, version)
SELECT o.id, 'student' || n || '.' || o.id || '@bench.example', 'Student ' || n, 'student',
       %(hash)s, 1
FROM organisations o, generate_series(1, 50) AS n WHERE o.kind = 'school';
INSERT INTO training_bases (name, kind, organisation_id, timezone, version)
SELECT b.name, b.kind, o.id, b.tz, 1
FROM (VALUES ('Shanghai campus', 'campus', 'Shanghai Vocational College', 'Asia/Shanghai'),
             ('Berlin campus', 'campus', 'Berlin Berufsschule', 'Europe/Berlin'),
             ('SMW workshop', 'enterprise', 'Shanghai Machine Works', 'Asia/Shanghai'),
             ('BWB workshop', 'enterprise', 'Berlin Werkzeugbau', 'Europe/Berlin'))
     AS b(name, kind, org, tz)
JOIN organisations o ON o.name = b.org;
INSERT INTO training_base_owners (base_id, organisation_id)
SELECT id, organisation_id FROM training_bases;
-- Monday to Friday 07:00-21:00, Saturday 08:00-18:00, Sunday 09:00-17:00 (campuses only).
INSERT INTO opening_hours (base_id, weekday, opens, closes)
SELECT b.id, d, CASE d WHEN 6 THEN time '08:00' WHEN 7 THEN time '09:00' ELSE time '07:00' END,
       CASE d WHEN 6 THEN time '18:00' WHEN 7 THEN time '17:00' ELSE time '21:00' END
FROM training_bases b, generate_series(1, 7) AS d WHERE d < 7 OR b.kind = 'campus';
INSERT INTO equipment_categories (code, name, version) VALUES
  ('cnc', 'CNC machines', 1), ('welding', 'Welding stations', 1), ('plc', 'PLC trainers', 1),
  ('3d-print', '3D printers', 1);
-- Four items in ten in Shanghai, three in Berlin, two and one in the enterprise workshops.
INSERT INTO equipment (base_id, owner_organisation_id, category_id, name, asset_tag, status,
                       slot_minutes, min_duration_minutes, max_duration_minutes,
                       setup_buffer_minutes, booking_horizon_days, requires_approval,
                       requires_qualification, version)
SELECT b.id, b.organisation_id, c.id, 'Item ' || n, 'RPT-' || lpad(n::text, 6, '0'), 'active',
       15, 30, 240, CASE WHEN mod(n, 4) = 0 THEN 15 ELSE 0 END, 365, false, false, 1
FROM generate_series(1, %(items)s::int) AS n
JOIN training_bases b ON b.name = CASE
    WHEN n * 10 <= %(items)s * 4 THEN 'Shanghai campus'
    WHEN n * 10 <= %(items)s * 7 THEN 'Berlin campus'
    WHEN n * 10 <= %(items)s * 9 THEN 'SMW workshop' ELSE 'BWB workshop' END
JOIN equipment_categories c ON c.code = (ARRAY['cnc', 'welding', 'plc', '3d-print'])[1 + mod(n, 4)];
-- National holidays and a summer break closed the campuses.
INSERT INTO closures (base_id, starts_on, ends_on, reason)
SELECT b.id, h.starts_on, h.ends_on, h.reason
FROM training_bases b
JOIN (VALUES ('Asia/Shanghai', date '2025-01-28', date '2025-02-04', 'Spring festival'),
             ('Asia/Shanghai', date '2025-10-01', date '2025-10-07', 'National day'),
             ('Asia/Shanghai', date '2026-02-16', date '2026-02-22', 'Spring festival'),
             ('Asia/Shanghai', date '2026-10-01', date '2026-10-07', 'National day'),
             ('Europe/Berlin', date '2024-12-24', date '2025-01-01', 'Christmas'),
             ('Europe/Berlin', date '2025-08-04', date '2025-08-15', 'Summer break'),
             ('Europe/Berlin', date '2025-12-24', date '2026-01-01', 'Christmas'),
             ('Europe/Berlin', date '2026-08-03', date '2026-08-14', 'Summer break'),
             ('Europe/Berlin', date '2026-10-03', date '2026-10-03', 'Unity day'))
     AS h(tz, starts_on, ends_on, reason) ON h.tz = b.timezone
WHERE b.kind = 'campus';
-- One item in twenty is blacked out (maintenance) two days every month.
INSERT INTO blackouts (equipment_id, starts_at, ends_at, reason, created_by_id)
SELECT e.id, m + interval '9 days', m + interval '11 days', 'maintenance',
       (SELECT min(id) FROM users WHERE role = 'operator')
FROM equipment e, generate_series(%(first)s::timestamptz, %(end)s::timestamptz, interval '1 month')
     AS m
WHERE mod(e.id, 20) = 0;
-- Each enterprise offers all its items to the school of its city; approved. Shanghai: one
-- window over the whole seeded span (weekdays 08:00-18:00); Berlin: a window a year
-- (Monday to Saturday 09:00-17:00) and a withdrawn offer that no longer counts.
INSERT INTO offers (enterprise_id, school_id, created_by_id, status, weekly_hours_budget,
                    withdrawal_notice_days, asks_back, version)
SELECT e.id, s.id, (SELECT min(id) FROM users u WHERE u.organisation_id = e.id), p.status,
       400, 14, 'monthly_summary', 1
FROM (VALUES ('Shanghai Machine Works', 'Shanghai Vocational College', 'approved'),
             ('Berlin Werkzeugbau', 'Berlin Berufsschule', 'approved'),
             ('Berlin Werkzeugbau', 'Shanghai Vocational College', 'withdrawn'))
     AS p(enterprise, school, status)
JOIN organisations e ON e.name = p.enterprise JOIN organisations s ON s.name = p.school;
INSERT INTO offer_items (offer_id, equipment_id)
SELECT f.id, q.id FROM offers f JOIN equipment q ON q.owner_organisation_id = f.enterprise_id;
INSERT INTO offer_windows (offer_id, starts_on, ends_on)
SELECT f.id, w.starts_on, w.ends_on
FROM offers f JOIN organisations e ON e.id = f.enterprise_id
CROSS JOIN LATERAL (
    SELECT %(first)s::date AS starts_on, %(end)s::date AS ends_on
    WHERE e.name = 'Shanghai Machine Works'
    UNION ALL
    SELECT d::date, (d + interval '1 year' - interval '1 day')::date
    FROM generate_series(%(first)s::date, %(end)s::date, interval '1 year') AS d
    WHERE e.name = 'Berlin Werkzeugbau') AS w;
INSERT INTO offer_window_spans (window_id, weekday, opens, closes)
SELECT w.id, d, CASE WHEN e.name = 'Shanghai Machine Works' THEN time '08:00' ELSE time '09:00' END,
       CASE WHEN e.name = 'Shanghai Machine Works' THEN time '18:00' ELSE time '17:00' END
FROM offer_windows w JOIN offers f ON f.id = w.offer_id
JOIN organisations e ON e.id = f.enterprise_id
CROSS JOIN generate_series(1, 6) AS d
WHERE d <= 5 OR e.name = 'Berlin Werkzeugbau';
"""

# Row g goes to item g mod N, day (g div N) div SLOTS, slot (g div N) mod SLOTS of the grid:
# one slot an hour from 07:00 local, never overlapping (items with a 15-minute setup buffer
# book 45 minutes at most). Statuses from a hash of g: 6 % cancelled, 4 % no-shows, 3 %
# still confirmed, the rest completed (70 % of those checked in and out); the last two days
# are confirmed.
RESERVATIONS = """
INSERT INTO reservations (equipment_id, holder_id, created_by_id, status, starts_at, ends_at,
                          blocked_until, checked_in_at, checked_out_at, purpose, version,
                          created_at, updated_at)
SELECT x.equipment_id, x.holder, x.holder, x.status, x.starts_at, x.ends_at,
       x.ends_at + make_interval(mins => x.buffer),
       CASE WHEN x.status = 'completed' AND x.p2 < 70
            THEN x.starts_at + make_interval(mins => mod(x.p2, 10)) END,
       CASE WHEN x.status = 'completed' AND x.p2 < 70
            THEN x.ends_at - make_interval(mins => mod(x.p2, 7)) END,
       'seeded', 1, x.starts_at - interval '3 days', x.starts_at - interval '3 days'
FROM (
    SELECT s.*, s.starts_at + make_interval(mins => CASE
               WHEN s.buffer > 0 THEN 45 ELSE (ARRAY[30, 45, 60])[1 + mod(s.p2, 3)] END) AS ends_at,
           CASE WHEN s.starts_at >= %(recent)s THEN 'confirmed'
                WHEN s.p < 6 THEN 'cancelled' WHEN s.p < 10 THEN 'no_show'
                WHEN s.p < 13 THEN 'confirmed' ELSE 'completed' END AS status
    FROM (
        SELECT e.id AS equipment_id, e.setup_buffer_minutes AS buffer,
               (%(students)s::bigint[])[1 + mod(g, %(n_students)s)] AS holder,
               mod(abs(hashint8(g)), 100) AS p, mod(abs(hashint8(g + 7919)), 100) AS p2,
               ((%(first)s::date + (g / %(n_items)s / %(slots)s)::int)::timestamp
                + make_interval(hours => 7 + (mod(g / %(n_items)s, %(slots)s))::int))
                   AT TIME ZONE b.timezone AS starts_at
        FROM generate_series(%(low)s::bigint, %(high)s::bigint) AS g
        JOIN equipment e ON e.id = (%(items)s::bigint[])[1 + mod(g, %(n_items)s)]
        JOIN training_bases b ON b.id = e.base_id) AS s) AS x
"""

CANCELLATIONS = """
INSERT INTO reservation_events (reservation_id, at, actor_id, from_status, to_status, reason)
SELECT id, CASE WHEN mod(id, 3) = 0 THEN starts_at - interval '2 hours'
                ELSE starts_at - interval '3 days' END,
       holder_id, 'confirmed', 'cancelled', 'seeded'
FROM reservations WHERE status = 'cancelled'
"""


def seed(conn: psycopg.Connection, settings: Settings) -> Seeded:
    """Bases, items, offers and reservations, all through SQL. The reservations' secondary
    indexes and exclusion constraint are dropped while they load and built again after (the
    same definitions), and foreign keys are not checked row by row: the rows are built valid."""
    passwords.configure(time_cost=1, memory_kib=1024)
    per_item = math.ceil(settings.reservations / settings.items)
    days = math.ceil(per_item / SLOTS_PER_DAY)
    end_day = dt.date.today().replace(day=1)
    first_day = end_day - dt.timedelta(days=days)
    params = {"hash": passwords.hash_password(PASSWORD), "items": settings.items,
              "first": first_day, "end": end_day}
    for statement in SETUP.split(";\n"):
        if statement.strip():
            conn.execute(statement, params)
    items = [r[0] for r in conn.execute("SELECT id FROM equipment ORDER BY id")]
    students = [r[0] for r in conn.execute("SELECT id FROM users WHERE role = 'student'")]
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'reservations'"
        " AND indexname <> 'pk_reservations'").fetchall()
    constraints = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = 'reservations'::regclass AND contype = 'x'").fetchall()
    for name, _ in constraints:
        conn.execute(sql.SQL("ALTER TABLE reservations DROP CONSTRAINT {}").format(
            sql.Identifier(name)))
    for name, _ in indexes:
        if name not in {c for c, _ in constraints}:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    conn.execute("SET session_replication_role = replica")  # no FK trigger per row
    started = time.monotonic()
    for low in range(0, settings.reservations, CHUNK):
        high = min(low + CHUNK, settings.reservations) - 1
        conn.execute(RESERVATIONS, {
            "low": low, "high": high, "items": items, "n_items": len(items),
            "students": students, "n_students": len(students), "slots": SLOTS_PER_DAY,
            "first": first_day, "recent": dt.datetime.combine(
                end_day - dt.timedelta(days=2), dt.time(), dt.UTC)})
        print(f"  seeded {high + 1:>9} / {settings.reservations} reservations"
              f" ({time.monotonic() - started:.0f} s)", flush=True)
    conn.execute(CANCELLATIONS)
    conn.execute("SET session_replication_role = origin")
    conn.execute("SET maintenance_work_mem = '1GB'")
    for name, definition in indexes:
        if name not in {c for c, _ in constraints}:
            conn.execute(definition)
    for name, definition in constraints:
        conn.execute(sql.SQL("ALTER TABLE reservations ADD CONSTRAINT {} {}").format(
            sql.Identifier(name), sql.SQL(definition)))
    print(f"  indexes and constraints built again ({time.monotonic() - started:.0f} s)",
          flush=True)
    conn.execute("CREATE TABLE bench_seed (items int, reservations bigint, first_day date,"
                 " end_day date)")
    conn.execute("INSERT INTO bench_seed VALUES (%s, %s, %s, %s)",
                 (settings.items, settings.reservations, first_day, end_day))
    conn.execute("VACUUM ANALYZE")
    conn.execute("CHECKPOINT")
    return Seeded(first_day=first_day, end_day=end_day)


def seeded(conn: psycopg.Connection, settings: Settings) -> Seeded | None:
    """The seed already in the database when it has the sizes asked for."""
    if conn.execute("SELECT to_regclass('bench_seed')").fetchone()[0] is None:
        return None
    row = conn.execute("SELECT items, reservations, first_day, end_day FROM bench_seed").fetchone()
    if row is None or (row[0], row[1]) != (settings.items, settings.reservations):
        raise SystemExit(f"{row} seeded in the data directory, not {settings.items} items and"
                         f" {settings.reservations} reservations: use another --data-dir")
    return Seeded(first_day=row[2], end_day=row[3])


# ---------------------------------------------------------------- the floor and the build

# Each booked reservation clipped to the month of its item's base zone, summed per item.
FLOOR_SQL = """
SELECT e.id, coalesce(sum(extract(epoch FROM least(r.ends_at, m.upper_at)
                                             - greatest(r.starts_at, m.lower_at))), 0) / 3600
FROM equipment e
JOIN training_bases b ON b.id = e.base_id
CROSS JOIN LATERAL (SELECT CAST(%(first)s AS timestamp) AT TIME ZONE b.timezone AS lower_at,
                           CAST(%(end)s AS timestamp) AT TIME ZONE b.timezone AS upper_at) AS m
LEFT JOIN reservations r ON r.equipment_id = e.id
     AND tstzrange(r.starts_at, r.ends_at) && tstzrange(m.lower_at, m.upper_at)
     AND r.status IN ('confirmed', 'checked_in', 'completed', 'no_show')
GROUP BY e.id
"""


def plan_indexes(conn: psycopg.Connection, statement: str, params: dict) -> str:
    """The indexes a plan reads, or 'no index (scan)'."""
    plan = conn.execute(f"EXPLAIN (FORMAT JSON) {statement}", params).fetchone()[0]
    found: list[str] = []

    def walk(node: dict) -> None:
        if "Index Name" in node and node["Index Name"] not in found:
            found.append(node["Index Name"])
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") == "reservations":
            found.append("Seq Scan on reservations")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return ", ".join(found) or "no index"


def clear_reports(conn: psycopg.Connection) -> None:
    """No stored rows and no runs: each build starts as a first backfill does."""
    conn.execute("DELETE FROM utilisation_rows")
    conn.execute("DELETE FROM utilisation_hours")
    conn.execute("DELETE FROM report_runs")
    conn.execute("VACUUM ANALYZE utilisation_rows")
    conn.execute("VACUUM ANALYZE report_runs")


def time_floor(conn: psycopg.Connection, first: dt.date, end: dt.date,
               runs: int) -> tuple[float, str, float]:
    params = {"first": first, "end": end}
    conn.execute(FLOOR_SQL, params).fetchall()  # warm the cache
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = conn.execute(FLOOR_SQL, params).fetchall()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), plan_indexes(conn, FLOOR_SQL, params), \
        float(sum(r[1] for r in rows))


def build(url: str, days: list[dt.date], month: dt.date) -> tuple[list[float], float, float]:
    """Build the days' reports, then the month's, as `benchshare reports build` does: in
    batches when the service builds several periods at once, else one period at a time.
    Answers the seconds of each build call, the month's seconds and its booked hours."""
    os.environ.update({"DATABASE_URL": url, "SCHEDULER_ENABLED": "false",
                       "LOG_LEVEL": "WARNING"})
    from service import create_app
    from service.db import db
    from service.reports import services
    from service.reports.models import UtilisationRow

    app = create_app()
    with app.app_context():
        if hasattr(services, "build_requested_reports"):
            size = services.BATCH_PERIODS
            calls = [(services.build_requested_reports, days[i:i + size])
                     for i in range(0, len(days), size)]
        else:
            calls = [(services.build_requested_report, day) for day in days]
        seconds = []
        for function, periods in calls:
            started = time.perf_counter()
            function(db.session, "day", periods)
            seconds.append(time.perf_counter() - started)
        started = time.perf_counter()
        services.build_requested_report(db.session, "month", month)
        month_seconds = time.perf_counter() - started
        booked = db.session.scalar(db.select(db.func.sum(UtilisationRow.booked_hours)).where(
            UtilisationRow.granularity == "month", UtilisationRow.period_start == month))
        db.session.rollback()
    return seconds, month_seconds, float(booked or 0)


# ---------------------------------------------------------------- HTTP

@dataclass
class Load:
    tool: str
    requests: int
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int
    rows: int = 0
    bytes: int = 0
    status: int = 0


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    if text == "nan":
        return math.nan
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def load_wrk(port: int, path: str, token: str, clients: int, seconds: float) -> Load:
    out = subprocess.run(
        ["wrk", "-t", str(min(clients, 2)), "-c", str(clients),
         "-d", f"{max(1, round(seconds))}s", "--timeout", f"{int(REQUEST_TIMEOUT)}s", "--latency",
         "-H", f"Authorization: Bearer {token}", f"http://{HOST}:{port}{path}"],
        capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s*(50|99)%\s+(\S+)\s*$", out, re.M))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    if not total or set(latency) != {"50", "99"}:  # nothing finished within the time
        latency = {"50": "nan", "99": "nan"}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    # gunicorn's sync workers close every connection: wrk counts those closes as read errors.
    errors = (int(bad.group(1)) if bad else 0) + (
        int(socket_errors.group(1)) + int(socket_errors.group(4)) if socket_errors else 0)
    return Load("wrk", total, float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                _ms(latency["50"]), _ms(latency["99"]), errors)


def load_python(port: int, path: str, token: str, clients: int, seconds: float) -> Load:
    run = threaded_load(clients, seconds,
                        lambda tid: lambda: call(port, "GET", path, token=token)[0])
    errors = run.transport + sum(n for status, n in run.statuses.items() if status != 200)
    return Load("python", len(run.latencies), len(run.latencies) / run.elapsed,
                run.percentile_ms(0.5), run.percentile_ms(0.99), errors)


def measure(port: int, path: str, token: str, clients: int, seconds: float) -> Load:
    if shutil.which("wrk"):
        return load_wrk(port, path, token, clients, seconds)
    return load_python(port, path, token, clients, seconds)


# ---------------------------------------------------------------- the table

def render(rows: list[tuple[str, ...]]) -> str:
    headings = ("measurement", "figure", "p50 ms", "p99 ms", "detail", "target", "result")
    table = [headings, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headings))]
    lines = []
    for index, row in enumerate(table):
        cells = zip(row, widths, strict=True)
        lines.append("  ".join(cell.rjust(w) if i in (1, 2, 3) else cell.ljust(w)
                               for i, (cell, w) in enumerate(cells)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def month_after(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def run(settings: Settings, data_dir: Path) -> int:
    cpus = os.cpu_count()
    load_before = os.getloadavg()
    print(f"BenchShare reports benchmark: {settings.items} items, {settings.reservations}"
          f" reservations, {settings.clients} clients, {settings.workers} gunicorn workers,"
          f" {cpus} CPUs (shared by all); load average {load_before[0]:.2f}"
          f" {load_before[1]:.2f} {load_before[2]:.2f}", flush=True)
    url = embedded.start(data_dir, database=DATABASE)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    started = time.monotonic()
    schema.upgrade(str(PROJECT_ROOT / "migrations"), url)
    print(f"migrated in {time.monotonic() - started:.0f} s", flush=True)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        found = seeded(conn, settings)
        seed_note = "reused"
        if found is None:
            started = time.monotonic()
            found = seed(conn, settings)
            seed_note = f"seeded in {time.monotonic() - started:.0f} s"
        clear_reports(conn)
        version = conn.execute("SHOW server_version").fetchone()[0]
        buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
        count = conn.execute("SELECT count(*) FROM reservations").fetchone()[0]
        print(f"PostgreSQL {version} (shared_buffers={buffers}), {count} reservations"
              f" ({seed_note}), {found.first_day} to {found.end_day}", flush=True)
        # The second-to-last whole month is built; the last one is left for the live path.
        live_month = month_after(found.end_day - dt.timedelta(days=40))
        month = month_after(live_month - dt.timedelta(days=40))
        month_end = month_after(month)
        days = [month + dt.timedelta(days=n) for n in range((month_end - month).days)]
        floors, builds, ratios = [], [], []
        for round_number in range(1, settings.rounds + 1):
            clear_reports(conn)
            print(f"round {round_number}: the floor query for {month:%Y-%m}, then building"
                  f" {len(days)} daily reports and the month...", flush=True)
            floor, floor_plan, floor_hours = time_floor(conn, month, month_end,
                                                        settings.floor_runs)
            calls, month_seconds, month_hours = build(url, days, month)
            floors.append(floor)
            builds.append(sum(calls))
            ratios.append(sum(calls) / floor)
            print(f"  floor {floor * 1000:.0f} ms, build {sum(calls) * 1000:.0f} ms,"
                  f" ratio {ratios[-1]:.2f}x", flush=True)
    floor, build_total, ratio = (statistics.median(v) for v in (floors, builds, ratios))

    server = Gunicorn(url, settings.workers, data_dir.parent / "gunicorn-reports.log",
                      timeout=300)
    loads: dict[str, Load] = {}
    try:
        print(f"gunicorn ready in {server.wait_ready():.1f} s", flush=True)
        status, body = call(server.port, "POST", "/api/v1/auth/token",
                            {"email": OPERATOR, "password": PASSWORD})
        token = json.loads(body)["access_token"]
        cases = {"day": (month, month_end, "day"), "month": (month, month_end, "month")}
        if settings.live:
            cases["live"] = (live_month, month_after(live_month), "day")
        for name, (first, end, granularity) in cases.items():
            path = "/api/v1/reports/utilisation?" + urlencode(
                {"granularity": granularity, "from": first.isoformat(), "to": end.isoformat(),
                 "group_by": "item"})
            status, body = call(server.port, "GET", path, token=token)
            rows = len(json.loads(body)["rows"]) if status == 200 else 0
            print(f"measuring GET {path} ({status}, {rows} rows, {len(body)} bytes)...",
                  flush=True)
            load = measure(server.port, path, token, settings.clients, settings.seconds)
            load.rows, load.bytes, load.status = rows, len(body), status
            loads[name] = load
    finally:
        server.stop()
    # The same month per item with answers never kept: every request reads and writes the
    # thousand rows (the figure a first request, or a new question, costs).
    server = Gunicorn(url, settings.workers, data_dir.parent / "gunicorn-reports.log",
                      timeout=300, REPORTS_CACHE_SECONDS="0")
    try:
        server.wait_ready()
        status, body = call(server.port, "POST", "/api/v1/auth/token",
                            {"email": OPERATOR, "password": PASSWORD})
        token = json.loads(body)["access_token"]
        path = "/api/v1/reports/utilisation?" + urlencode(
            {"granularity": "month", "from": month.isoformat(), "to": month_end.isoformat(),
             "group_by": "item"})
        status, body = call(server.port, "GET", path, token=token)
        print(f"measuring GET {path} with answers not kept...", flush=True)
        load = measure(server.port, path, token, settings.clients, settings.seconds)
        load.rows, load.bytes, load.status = len(json.loads(body)["rows"]), len(body), status
        loads["unkept"] = load
    finally:
        server.stop()

    # The dashboard's answers for an operator over ten whole weeks, their periods built (the
    # days with the heat map's hours, the weeks and the ten weeks before), beside the floors.
    first, end, previous = dashboard.ten_weeks(found.end_day)
    print(f"building the dashboard's {dashboard.WEEKS} weeks from {first} (and the"
          f" {dashboard.WEEKS} before)...", flush=True)
    dash_build, dash_statements = dashboard.build(
        url, [first + dt.timedelta(days=n) for n in range((end - first).days)],
        [previous + dt.timedelta(weeks=n) for n in range(2 * dashboard.WEEKS)],
        settings.floor_runs)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        dash_floors = dashboard.time_floors(conn, FLOOR_SQL, first, end, settings.floor_runs)
    dash_loads = {}
    for kept in (True, False):
        server = Gunicorn(url, settings.workers, data_dir.parent / "gunicorn-reports.log",
                          timeout=300, **({} if kept else {"REPORTS_CACHE_SECONDS": "0"}))
        try:
            server.wait_ready()
            dash_loads[kept] = dashboard.measure_all(
                server, call, measure, settings.clients, settings.seconds,
                {label: path for label, path in dashboard.paths(first, end, previous).items()
                 if kept or not label.startswith("/me")})
        finally:
            server.stop()

    def spread(values: list[float], ratio: bool = False) -> str:
        low, high = (f"{v:.2f}" if ratio else f"{v * 1000:.0f}" for v in (min(values), max(values)))
        return f"median of {len(values)} rounds, {low}-{high}{'x' if ratio else ' ms'}"

    table = [
        ("floor: one SQL, month's booked hours per item", f"{floor * 1000:.0f} ms", "", "",
         f"{spread(floors)} (each the median of {settings.floor_runs}); {floor_plan}",
         "(info)", "-"),
        (f"build {len(days)} daily reports ({month:%Y-%m})", f"{build_total * 1000:.0f} ms",
         "", "", f"{spread(builds)}; {build_total / len(days) * 1000:.0f} ms a day;"
         f" {len(calls)} build call(s) a round", "-", "-"),
        ("  build / floor", f"{ratio:.2f}x", "", "", spread(ratios, ratio=True),
         f"<= {TARGET_BUILD_RATIO:g}x", verdict(ratio <= TARGET_BUILD_RATIO)),
        (f"build the monthly report ({month:%Y-%m})", f"{month_seconds * 1000:.0f} ms", "", "",
         f"booked {month_hours:.0f} h (floor, unclipped by hours: {floor_hours:.0f} h)",
         "(info)", "-"),
    ]
    outcomes = [ratio <= TARGET_BUILD_RATIO]
    labels = {"day": "GET utilisation, day x item, stored", "month":
              "GET utilisation, month x item, stored", "live": "GET utilisation, day x item, live",
              "unkept": "GET utilisation, month x item, not kept"}
    for name, load in loads.items():
        ok = load.p99_ms < TARGET_API_P99_MS and load.errors == 0 and load.status == 200
        info = name in ("day", "live", "unkept")
        target = "(info)" if info else f"p99 < {TARGET_API_P99_MS:g} ms"
        if not info:
            outcomes.append(ok)
        table.append((labels[name], f"{load.rate:.1f} req/s", f"{load.p50_ms:.1f}",
                      f"{load.p99_ms:.1f}", f"{settings.clients} clients, {load.tool},"
                      f" {load.requests} req, {load.errors} err, {load.rows} rows,"
                      f" {load.bytes // 1024} KiB", target,
                      "-" if info else verdict(ok)))
    table.append((f"build {dashboard.WEEKS} weeks' days and {2 * dashboard.WEEKS} weeks",
                  f"{dash_build * 1000:.0f} ms", "", "", f"from {first} (previous from"
                  f" {previous}), the days with the heat map's hours", "(info)", "-"))
    for name, seconds in {**dash_floors, **dash_statements}.items():
        runs = 1 if "live" in name else settings.floor_runs
        table.append((name, f"{seconds * 1000:.0f} ms", "", "",
                      f"median of {runs}, {first} to {end}", "(info)", "-"))
    for kept in (True, False):
        dash_rows, dash_outcomes = dashboard.rows(dash_loads[kept], settings.clients, kept)
        table += dash_rows
        outcomes += dash_outcomes
    print()
    print(render(table))
    print()
    load_after = os.getloadavg()
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f},"
          f" after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} (on {cpus} CPUs;"
          " other work on the machine skews every figure)")
    print(f"{sum(outcomes)}/{len(outcomes)} targets passed")
    return 0 if all(outcomes) else 1


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    keep = settings.data_dir is not None
    root = settings.data_dir.resolve() if keep else Path(tempfile.mkdtemp(prefix="bench-rpt-"))
    data_dir = root / "data"
    try:
        return run(settings, data_dir)
    finally:
        embedded.stop(data_dir)
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
