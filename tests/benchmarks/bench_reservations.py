"""Benchmark of the booking path, end to end, on a fresh embedded PostgreSQL.

Run from the repository root (a standalone script, not a pytest test):

    .venv/bin/python -m tests.benchmarks.bench_reservations [--items 1000]
        [--reservations 1000000] [--seconds 10] [--quick]

One run seeds a temporary database through SQL, serves the app with gunicorn on 127.0.0.1 and
prints one table:

1. POST /api/v1/reservations against GET /api/v1/me, with 1 and with N clients: throughput,
   p50/p99 latency, 201 and 409 counted apart; the create/me throughput ratio (target >= 0.5).
2. GET /api/v1/equipment/{id}/availability for one week with N clients (target p99 < 10 ms):
   weeks inside the seeded bookings (busy), and for reference weeks the seed left empty.
3. The exclusion constraint's cost: single-row autocommit INSERTs into `reservations` against
   the same table without the exclusion constraint (same indexes, keys and checks; target: at
   most 1.3 times slower), and for reference a bare copy with only a primary key.

Every 5xx, transport error or unexpected status is reported as an error. The exit status is 0
when every target passes, 1 when one fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import multiprocessing
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from psycopg import sql

from service import embedded, schema
from service.accounts import passwords
from service.config import PROJECT_ROOT

from .serving import HOST, REQUEST_TIMEOUT, Gunicorn
from .serving import call_json as call

DATABASE = "benchshare_bench"
PASSWORD = "bench-password"
# Asia/Shanghai has kept +08:00 without daylight saving since 1991.
SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

CREATE_FIRST_DAY, CREATE_LAST_DAY = 2, 700  # new bookings: days ahead of local today
HOT_ITEMS, HOT_LAST_DAY = 10, 8  # the crowded corner where bookings collide (409)
LAST_START_SLOT = 45  # 22:30 local: a 60-minute booking ends 23:30, inside 00:00-23:59
SEED_FUTURE_DAY = 705  # seeded confirmed bookings start here, past every new booking
HORIZON_DAYS = 730
QUIET_WEEK_DAYS = (CREATE_FIRST_DAY, CREATE_LAST_DAY - 7)  # weeks the seed left empty
SEED_SPACING = dt.timedelta(hours=2)  # seeded bookings: 60 minutes every 2 hours per item
SEED_DURATION = dt.timedelta(minutes=60)
SEED_CHUNK = 100_000
PHASE_GRACE = 120.0  # a measurement of S seconds must be over within S + this

PRESETS = {
    "full": {"items": 1000, "reservations": 1_000_000, "seconds": 10.0, "insert_rows": 5000},
    "quick": {"items": 100, "reservations": 20_000, "seconds": 3.0, "insert_rows": 1000},
}
TARGET_CREATE_ME_RATIO = 0.5
TARGET_AVAILABILITY_P99_MS = 10.0
TARGET_INSERT_RATIO = 1.3


# ---------------------------------------------------------------- settings

@dataclass(frozen=True)
class Settings:
    items: int
    reservations: int
    seconds: float
    clients: int
    workers: int
    insert_rows: int
    hot_share: float
    seed: int


def parse_args(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.bench_reservations",
        description="Benchmark reservations end to end on a fresh embedded PostgreSQL.")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 100 items, 20000 reservations, 3 s, 1000 inserts")
    parser.add_argument("--items", type=int, help="equipment rows (default 1000)")
    parser.add_argument("--reservations", type=int,
                        help="seeded reservations (default 1000000)")
    parser.add_argument("--seconds", type=float, help="length of each measurement (default 10)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--insert-rows", type=int,
                        help="timed INSERTs per table in the constraint test (default 5000)")
    parser.add_argument("--hot-share", type=float, default=0.2,
                        help=f"share of bookings aimed at {HOT_ITEMS} items in the next days, "
                        "so that some collide (default 0.2)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    preset = PRESETS["quick" if args.quick else "full"]

    def pick(name):
        value = getattr(args, name)
        return preset[name] if value is None else value

    settings = Settings(items=pick("items"), reservations=pick("reservations"),
                        seconds=pick("seconds"), clients=args.clients, workers=args.workers,
                        insert_rows=pick("insert_rows"), hot_share=args.hot_share,
                        seed=args.seed)
    if settings.items < HOT_ITEMS:
        parser.error(f"--items must be at least {HOT_ITEMS}")
    if settings.reservations < 0 or settings.insert_rows < 100:
        parser.error("--reservations must be >= 0 and --insert-rows >= 100")
    if not 0 < settings.seconds <= 600 or not 1 <= settings.clients <= 64:
        parser.error("--seconds must be in (0, 600] and --clients in [1, 64]")
    if not 1 <= settings.workers <= 64 or not 0 <= settings.hot_share <= 1:
        parser.error("--workers must be in [1, 64] and --hot-share in [0, 1]")
    return settings


def local_midnight() -> dt.datetime:
    return dt.datetime.now(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)


# ---------------------------------------------------------------- seeding

@dataclass(frozen=True)
class Seeded:
    item_ids: list[int]
    buffers: dict[int, int]
    student_emails: list[str]
    future_days: float  # the seeded confirmed bookings cover SEED_FUTURE_DAY + this many days
    free_from: dt.datetime  # nothing is booked from here on: the INSERT test's region


def seed(conninfo: str, settings: Settings) -> Seeded:
    """Organisations, users, a base open every day, items and reservations, all through SQL.

    Per item, half the reservations are completed ones in the past and half are confirmed
    ones from SEED_FUTURE_DAY on, 60 minutes every 2 hours: they never overlap, and no booking
    made by the benchmark can collide with them."""
    passwords.configure(time_cost=1, memory_kib=1024)  # signing in is not what is measured
    password_hash = passwords.hash_password(PASSWORD)
    today = local_midnight()
    per_item = math.ceil(settings.reservations / settings.items)
    past_per_item = per_item // 2
    future_per_item = per_item - past_per_item
    future_start = today + dt.timedelta(days=SEED_FUTURE_DAY)
    future_end = future_start + future_per_item * SEED_SPACING
    with psycopg.connect(conninfo, autocommit=True) as conn:
        org_id = conn.execute(
            "INSERT INTO organisations (name, kind, contact_email, version)"
            " VALUES ('Bench Vocational College', 'school', 'office@bench.example', 1)"
            " RETURNING id").fetchone()[0]
        conn.execute(
            "INSERT INTO users (organisation_id, email, full_name, role, password_hash, version)"
            " VALUES (%s, 'admin@bench.example', 'Bench Admin', 'admin', %s, 1)",
            (org_id, password_hash))
        students = conn.execute(
            "INSERT INTO users (organisation_id, email, full_name, role, password_hash, version)"
            " SELECT %s, 'student' || n || '@bench.example', 'Bench Student ' || n, 'student',"
            "        %s, 1 FROM generate_series(1, %s::int) AS n RETURNING id, email",
            (org_id, password_hash, max(16, settings.clients))).fetchall()
        base_id = conn.execute(
            "INSERT INTO training_bases (name, kind, organisation_id, timezone, version)"
            " VALUES ('Bench Training Base', 'campus', %s, 'Asia/Shanghai', 1) RETURNING id",
            (org_id,)).fetchone()[0]
        conn.execute("INSERT INTO training_base_owners (base_id, organisation_id)"
                     " VALUES (%s, %s)", (base_id, org_id))
        conn.execute(
            "INSERT INTO opening_hours (base_id, weekday, opens, closes)"
            " SELECT %s, d, '00:00', '23:59' FROM generate_series(1, 7) AS d", (base_id,))
        category_id = conn.execute(
            "INSERT INTO equipment_categories (code, name, version)"
            " VALUES ('bench', 'Bench machines', 1) RETURNING id").fetchone()[0]
        items = conn.execute(
            "INSERT INTO equipment (base_id, owner_organisation_id, category_id, name, asset_tag,"
            "  status, slot_minutes, min_duration_minutes, max_duration_minutes,"
            "  setup_buffer_minutes, booking_horizon_days, requires_approval,"
            "  requires_qualification, version)"
            " SELECT %s, %s, %s, 'Bench item ' || n, 'BENCH-' || lpad(n::text, 6, '0'),"
            "  'active', 30, 30, 240, CASE WHEN mod(n, 2) = 0 THEN 15 ELSE 0 END, %s,"
            "  false, false, 1"
            " FROM generate_series(1, %s::int) AS n RETURNING id, setup_buffer_minutes",
            (base_id, org_id, category_id, HORIZON_DAYS, settings.items)).fetchall()
        item_ids = [row[0] for row in items]
        student_ids = [row[0] for row in students]
        for low in range(0, settings.reservations, SEED_CHUNK):
            high = min(low + SEED_CHUNK, settings.reservations) - 1
            conn.execute(SEED_RESERVATIONS, {
                "low": low, "high": high, "items": item_ids, "n_items": len(item_ids),
                "students": student_ids, "n_students": len(student_ids),
                "past_per_item": past_per_item, "past_anchor": today - dt.timedelta(days=1),
                "future_anchor": future_start, "spacing": SEED_SPACING,
                "duration": SEED_DURATION})
            print(f"  seeded {high + 1:>9} / {settings.reservations} reservations", flush=True)
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")
    return Seeded(item_ids=item_ids, buffers=dict(items),
                  student_emails=[row[1] for row in students],
                  future_days=(future_end - future_start) / dt.timedelta(days=1),
                  free_from=future_end + dt.timedelta(days=1))


# Row g goes to item g mod N as that item's (g div N)-th reservation.
SEED_RESERVATIONS = """
INSERT INTO reservations (equipment_id, holder_id, created_by_id, status, starts_at, ends_at,
                          blocked_until, purpose, version, created_at, updated_at)
SELECT e.id, h.holder, h.holder, s.status, s.starts_at, s.starts_at + %(duration)s,
       s.starts_at + %(duration)s + make_interval(mins => e.setup_buffer_minutes),
       'seeded', 1, now(), now()
FROM generate_series(%(low)s::bigint, %(high)s::bigint) AS g
CROSS JOIN LATERAL (
    SELECT (%(items)s::bigint[])[1 + mod(g, %(n_items)s)] AS equipment_id,
           (%(students)s::bigint[])[1 + mod(g, %(n_students)s)] AS holder,
           g / %(n_items)s AS nth) AS h
JOIN equipment AS e ON e.id = h.equipment_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN h.nth < %(past_per_item)s THEN 'completed' ELSE 'confirmed' END AS status,
           CASE WHEN h.nth < %(past_per_item)s
                THEN %(past_anchor)s - (h.nth + 1) * %(spacing)s
                ELSE %(future_anchor)s + (h.nth - %(past_per_item)s) * %(spacing)s
           END AS starts_at) AS s
"""


# ---------------------------------------------------------------- the service

def sign_in(port: int, email: str) -> str:
    status, body = call(port, "POST", "/api/v1/auth/token",
                        {"email": email, "password": PASSWORD})
    if status != 200:
        raise RuntimeError(f"sign-in of {email} answered {status}: {body}")
    return body["access_token"]


# ---------------------------------------------------------------- clients

@dataclass(frozen=True)
class Job:
    """What one client process does for one measurement."""

    kind: str  # "create", "me" or "availability"
    port: int
    token: str
    item_ids: list[int]
    hot_share: float
    week_days: tuple[int, int]  # first and last day ahead a looked-up week may start
    start_at: float  # time.time() at which every client of the measurement starts
    seconds: float
    seed: int


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    samples: list[str] = field(default_factory=list)  # bodies of unexpected answers


EXPECTED = {"create": {201, 409}, "me": {200}, "availability": {200}}


def _request(job: Job, rng: random.Random, today: dt.datetime) -> tuple[str, str, bytes | None]:
    if job.kind == "me":
        return "GET", "/api/v1/me", None
    if job.kind == "availability":
        item = rng.choice(job.item_ids)
        start = today + dt.timedelta(days=rng.randint(*job.week_days))
        query = urlencode({"from": start.isoformat(),
                           "to": (start + dt.timedelta(days=7)).isoformat()})
        return "GET", f"/api/v1/equipment/{item}/availability?{query}", None
    hot = rng.random() < job.hot_share
    item = rng.choice(job.item_ids[:HOT_ITEMS] if hot else job.item_ids)
    day = rng.randint(CREATE_FIRST_DAY, HOT_LAST_DAY if hot else CREATE_LAST_DAY)
    starts = today + dt.timedelta(days=day, minutes=30 * rng.randint(0, LAST_START_SLOT))
    ends = starts + dt.timedelta(minutes=rng.choice((30, 60)))
    body = {"equipment_id": item, "starts_at": starts.isoformat(), "ends_at": ends.isoformat()}
    return "POST", "/api/v1/reservations", json.dumps(body).encode()


def run_client(job: Job) -> Result:
    """One client: a persistent connection, requests back to back until the time is up."""
    rng = random.Random(job.seed)
    today = local_midnight()
    headers = {"Authorization": f"Bearer {job.token}"}
    json_headers = {**headers, "Content-Type": "application/json"}
    conn = http.client.HTTPConnection(HOST, job.port, timeout=REQUEST_TIMEOUT)
    result = Result()
    time.sleep(max(0.0, job.start_at - time.time()))
    started = time.perf_counter()
    deadline = started + job.seconds
    finished = started
    while finished < deadline:
        method, path, body = _request(job, rng, today)
        sent = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=json_headers if body else headers)
            response = conn.getresponse()
            payload = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            conn.close()  # the next request opens a new connection
            status, payload = 0, repr(exc).encode()
        finished = time.perf_counter()
        result.latencies.append(finished - sent)
        result.statuses[status] += 1
        if status not in EXPECTED[job.kind]:
            if len(result.samples) < 3:
                result.samples.append(f"{method} {path} -> {status}: {payload[:300]!r}")
            if status == 0:
                time.sleep(0.05)
    conn.close()
    result.elapsed = finished - started
    return result


@dataclass
class Measurement:
    kind: str
    clients: int
    count: int
    statuses: Counter
    rate: float
    p50_ms: float
    p99_ms: float
    samples: list[str]

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status not in EXPECTED[self.kind])

    def responses(self) -> str:
        return " ".join(f"{status or 'transport'}={n}"
                        for status, n in sorted(self.statuses.items()))


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Clients:
    """A pool of client processes, started once and reused by every measurement."""

    def __init__(self, size: int, port: int, tokens: list[str], item_ids: list[int],
                 settings: Settings, week_days: tuple[int, int]) -> None:
        self.pool = multiprocessing.get_context("spawn").Pool(size)
        self.port, self.tokens, self.item_ids = port, tokens, item_ids
        self.settings, self.week_days = settings, week_days
        self.runs = 0

    def measure(self, kind: str, clients: int, seconds: float,
                week_days: tuple[int, int] | None = None) -> Measurement:
        start_at = time.time() + 1.0
        jobs = [Job(kind=kind, port=self.port, token=self.tokens[i % len(self.tokens)],
                    item_ids=self.item_ids, hot_share=self.settings.hot_share,
                    week_days=week_days or self.week_days, start_at=start_at, seconds=seconds,
                    seed=self.settings.seed * 1_000_003 + self.runs * 1000 + i)
                for i in range(clients)]
        self.runs += 1
        results = self.pool.map_async(run_client, jobs, chunksize=1).get(
            timeout=seconds + PHASE_GRACE)
        latencies = sorted(x for r in results for x in r.latencies)
        statuses = sum((r.statuses for r in results), Counter())
        elapsed = max(r.elapsed for r in results)
        return Measurement(kind=kind, clients=clients, count=len(latencies), statuses=statuses,
                           rate=len(latencies) / elapsed if elapsed else 0.0,
                           p50_ms=percentile(latencies, 0.50) * 1000,
                           p99_ms=percentile(latencies, 0.99) * 1000,
                           samples=[s for r in results for s in r.samples][:5])

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


# ---------------------------------------------------------------- INSERT cost

INSERT_TABLES = {
    "reservations": "real table: exclusion constraint, 4 b-trees, 4 FKs, checks",
    "reservations_noexcl": "the same table without the exclusion constraint",
    "reservations_plain": "bare copy: primary key only, no other index/FK/check (info)",
}
INSERT_ROW = """
INSERT INTO {} (equipment_id, holder_id, created_by_id, status, starts_at, ends_at,
                blocked_until, purpose, version, created_at, updated_at)
VALUES (%s, %s, %s, 'confirmed', %s, %s, %s, 'insert benchmark', 1, now(), now())
"""


def prepare_insert_tables(conn: psycopg.Connection) -> None:
    """Copies of `reservations` holding the same rows: one with only a primary key, one with
    everything but the exclusion constraint."""
    conn.execute("CREATE TABLE reservations_plain (LIKE reservations INCLUDING DEFAULTS)")
    conn.execute("INSERT INTO reservations_plain SELECT * FROM reservations")
    conn.execute("ALTER TABLE reservations_plain ADD PRIMARY KEY (id)")

    conn.execute("CREATE TABLE reservations_noexcl (LIKE reservations INCLUDING ALL)")
    for (name,) in conn.execute(
            "SELECT conname FROM pg_constraint"
            " WHERE conrelid = 'reservations_noexcl'::regclass AND contype = 'x'").fetchall():
        conn.execute(sql.SQL("ALTER TABLE reservations_noexcl DROP CONSTRAINT {}").format(
            sql.Identifier(name)))
    conn.execute("INSERT INTO reservations_noexcl SELECT * FROM reservations")
    for (name, definition) in conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'reservations'::regclass AND contype = 'f'").fetchall():
        conn.execute(sql.SQL("ALTER TABLE reservations_noexcl ADD CONSTRAINT {} {}").format(
            sql.Identifier(f"{name}_noexcl"), sql.SQL(definition)))
    conn.execute("VACUUM ANALYZE reservations_plain")
    conn.execute("VACUUM ANALYZE reservations_noexcl")
    conn.execute("CHECKPOINT")


def insert_rows(seeded: Seeded, holder: int, count: int) -> list[tuple]:
    """Confirmed (so active) bookings in the free region, never overlapping one another."""
    rows = []
    for i in range(count):
        item = seeded.item_ids[i % len(seeded.item_ids)]
        starts = seeded.free_from + (i // len(seeded.item_ids)) * SEED_SPACING
        ends = starts + SEED_DURATION
        blocked = ends + dt.timedelta(minutes=seeded.buffers[item])
        rows.append((item, holder, holder, starts, ends, blocked))
    return rows


def bench_inserts(conninfo: str, seeded: Seeded, settings: Settings) -> dict[str, float]:
    """Inserts per second into each table: one row per autocommit transaction, the same rows
    in each, in alternating blocks so that drift (checkpoints, caches) hits all alike."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        prepare_insert_tables(conn)
        holder = conn.execute("SELECT min(id) FROM users WHERE role = 'student'").fetchone()[0]
        warmup = max(50, settings.insert_rows // 10)
        rows = insert_rows(seeded, holder, warmup + settings.insert_rows)
        statements = {table: sql.SQL(INSERT_ROW).format(sql.Identifier(table))
                      for table in INSERT_TABLES}
        for statement in statements.values():
            for row in rows[:warmup]:
                conn.execute(statement, row, prepare=True)
        elapsed = dict.fromkeys(INSERT_TABLES, 0.0)
        timed = rows[warmup:]
        block = 500
        for number, low in enumerate(range(0, len(timed), block)):
            order = list(statements) if number % 2 == 0 else list(statements)[::-1]
            for table in order:
                started = time.perf_counter()
                for row in timed[low:low + block]:
                    conn.execute(statements[table], row, prepare=True)
                elapsed[table] += time.perf_counter() - started
    return {table: len(timed) / seconds for table, seconds in elapsed.items()}


# ---------------------------------------------------------------- the table

@dataclass
class Row:
    measurement: str
    clients: str = ""
    figure: str = ""
    p50: str = ""
    p99: str = ""
    detail: str = ""
    target: str = "-"
    result: str = "-"


HEADINGS = Row("measurement", "clients", "figure", "p50 ms", "p99 ms", "detail", "target",
               "result")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render(rows: list[Row]) -> str:
    names = list(vars(HEADINGS))
    table = [HEADINGS, *rows]
    widths = {name: max(len(getattr(row, name)) for row in table) for name in names}
    right = {"clients", "figure", "p50", "p99"}
    lines = []
    for index, row in enumerate(table):
        cells = [getattr(row, name).rjust(widths[name]) if name in right
                 else getattr(row, name).ljust(widths[name]) for name in names]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * widths[name] for name in names))
    return "\n".join(lines)


def http_row(m: Measurement, label: str) -> Row:
    return Row(label, str(m.clients), f"{m.rate:.1f} req/s", f"{m.p50_ms:.1f}",
               f"{m.p99_ms:.1f}", m.responses())


# ---------------------------------------------------------------- main

def run(settings: Settings, workdir: Path) -> int:
    cpus = os.cpu_count()
    print(f"BenchShare reservations benchmark: {settings.items} items, {settings.reservations}"
          f" reservations, {settings.seconds:g} s per measurement, {settings.clients} clients,"
          f" {settings.workers} gunicorn workers, {cpus} CPUs (shared by all)", flush=True)
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    url = embedded.start(workdir / "data", database=DATABASE)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    schema.upgrade(str(PROJECT_ROOT / "migrations"), url)
    with psycopg.connect(conninfo) as conn:
        version, fsync, sync_commit, buffers = conn.execute(
            "SELECT current_setting('server_version'), current_setting('fsync'),"
            " current_setting('synchronous_commit'), current_setting('shared_buffers')").fetchone()
    print(f"embedded PostgreSQL {version} started and migrated in"
          f" {time.monotonic() - started:.1f} s (fsync={fsync},"
          f" synchronous_commit={sync_commit}, shared_buffers={buffers})", flush=True)

    started = time.monotonic()
    seeded = seed(conninfo, settings)
    seed_seconds = time.monotonic() - started
    print(f"seeding took {seed_seconds:.1f} s", flush=True)

    week_last = min(HORIZON_DAYS - 8, SEED_FUTURE_DAY + max(0, int(seeded.future_days) - 7))
    week_days = (SEED_FUTURE_DAY, max(SEED_FUTURE_DAY, week_last))
    server = Gunicorn(url, settings.workers, workdir / "gunicorn.log")
    clients = None
    try:
        print(f"gunicorn ready in {server.wait_ready():.1f} s on {HOST}:{server.port}",
              flush=True)
        tokens = [sign_in(server.port, email)
                  for email in seeded.student_emails[:settings.clients]]
        clients = Clients(settings.clients, server.port, tokens, seeded.item_ids, settings,
                          week_days)
        warmup = min(2.0, settings.seconds)
        print(f"warming up ({warmup:g} s per kind)...", flush=True)
        warmups = [clients.measure(kind, settings.clients, warmup)
                   for kind in ("create", "me", "availability")]
        measured: dict[tuple[str, int], Measurement] = {}
        for kind, n in (("create", 1), ("me", 1), ("create", settings.clients),
                        ("me", settings.clients), ("availability", 1),
                        ("availability", settings.clients)):
            print(f"measuring {kind} with {n} client(s)...", flush=True)
            measured[kind, n] = clients.measure(kind, n, settings.seconds)
        print(f"measuring availability of quiet weeks with {settings.clients} clients...",
              flush=True)
        quiet = clients.measure("availability", settings.clients, settings.seconds,
                                week_days=QUIET_WEEK_DAYS)
    finally:
        if clients is not None:
            clients.close()
        server.stop()

    print("measuring single-row INSERTs...", flush=True)
    inserts = bench_inserts(conninfo, seeded, settings)

    rows: list[Row] = []
    outcomes: list[bool] = []
    for n in sorted({1, settings.clients}):
        create, me = measured["create", n], measured["me", n]
        rows.append(http_row(create, "POST /api/v1/reservations"))
        rows.append(http_row(me, "GET /api/v1/me"))
        ratio = create.rate / me.rate if me.rate else 0.0
        ok = ratio >= TARGET_CREATE_ME_RATIO
        outcomes.append(ok)
        rows.append(Row("  create/me throughput ratio", str(n), f"{ratio:.2f}",
                        target=f">= {TARGET_CREATE_ME_RATIO}", result=verdict(ok)))
    for n in sorted({1, settings.clients}):
        m = measured["availability", n]
        row = http_row(m, "GET availability, one week (busy)")
        if n == settings.clients:
            ok = m.p99_ms < TARGET_AVAILABILITY_P99_MS
            outcomes.append(ok)
            row.target, row.result = f"p99 < {TARGET_AVAILABILITY_P99_MS:g} ms", verdict(ok)
        else:
            row.target = "(info)"
        rows.append(row)
    rows.append(http_row(quiet, "GET availability, one week (quiet)"))
    rows[-1].target = "(info)"
    for table, description in INSERT_TABLES.items():
        rows.append(Row(f"INSERT {table}", "1", f"{inserts[table]:.0f} ins/s",
                        detail=description, target="(info)" if "plain" in table else "-"))
    # The constraint's cost is "with" against "without" it, all else equal; the bare copy
    # also drops the other indexes and foreign keys and is shown for scale only.
    ratio = inserts["reservations_noexcl"] / inserts["reservations"]
    ok = ratio <= TARGET_INSERT_RATIO
    outcomes.append(ok)
    rows.append(Row("  without/with constraint insert ratio", "", f"{ratio:.2f}x",
                    detail=f"bare copy / real: "
                    f"{inserts['reservations_plain'] / inserts['reservations']:.2f}x (info)",
                    target=f"<= {TARGET_INSERT_RATIO}x", result=verdict(ok)))
    everything = [*warmups, *measured.values(), quiet]
    errors = sum(m.errors for m in everything)
    outcomes.append(errors == 0)
    rows.append(Row("HTTP errors (5xx, transport, unexpected)", "", str(errors),
                    detail="warm-up included", target="0", result=verdict(errors == 0)))

    print()
    print(render(rows))
    print()
    print(f"seeding: {seed_seconds:.1f} s; busy weeks start {week_days[0]}-{week_days[1]} days"
          " ahead (seeded: 60 min every 2 h), quiet weeks"
          f" {QUIET_WEEK_DAYS[0]}-{QUIET_WEEK_DAYS[1]} (only the benchmark's own bookings)")
    print(f"1-minute load average: {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
          f" (on {cpus} CPUs; other work on the machine skews every figure)")
    print(f"{sum(outcomes)}/{len(outcomes)} targets passed")
    samples = [s for m in everything for s in m.samples]
    if samples:
        print("unexpected answers (first few):")
        for sample in samples[:10]:
            print(f"  {sample}")
        print(f"gunicorn log tail:\n{server.log_tail()}")
    return 0 if all(outcomes) else 1


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    workdir = Path(tempfile.mkdtemp(prefix="benchshare-bench-"))
    try:
        return run(settings, workdir)
    finally:
        embedded.stop(workdir / "data")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
