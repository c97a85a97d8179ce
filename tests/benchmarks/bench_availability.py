"""Micro-benchmark of one week's availability of a busy item (issue 11), in-process.

From the repository root: `.venv/bin/python -m tests.benchmarks.bench_availability`.

It starts a throw-away embedded PostgreSQL, seeds one item in Asia/Shanghai (open every day
00:00-23:59, 30-minute slots, `--buffer` minutes of setup buffer, 0 by default) with a booking
of 60 minutes every 2 hours (85 read for the week asked for), then times, on the same process
and data:

- `availability`: the whole read (its three statements included), as a student;
- `bookable`: trimming that week's free spans to the slot grid, alone;
- `format`: the answer's instants as text, alone.

`availability` and `bookable` take the code as it is; so the script compares two versions when
run from each one's checkout (`cd` there, same command).

Each figure is the median of `--repeats` rounds of `--number` calls (µs per call), with the
range of the rounds. `--dump FILE` writes the answer as JSON, to compare two versions of the
code byte for byte. Timings on a shared machine are noisy: compare medians of interleaved runs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import timeit
from datetime import UTC, datetime, time, timedelta

from service import create_app, embedded, schema
from service.calendar import grid as slot_grid
from service.calendar import spans as span_rules
from service.calendar import wallclock
from service.config import PROJECT_ROOT
from service.db import db
from service.reservations import queries
from service.reservations.policy import BookingPolicy
from tests.factories import Factory

ZONE = "Asia/Shanghai"
# A Monday well inside every horizon: 2027-03-01 00:00 in Shanghai.
WEEK_START = datetime(2027, 2, 28, 16, tzinfo=UTC)
NOW = WEEK_START - timedelta(days=30)


def seed(session, buffer: int) -> tuple[object, int]:
    make = Factory(session)
    school = make.organisation("school")
    student = make.user("student", school)
    base = make.base(school, timezone=ZONE, opening_hours=[
        {"weekday": d, "opens": time(0), "closes": time(23, 59)} for d in range(1, 8)])
    item = make.equipment(base, make.category(), school, slot_minutes=30,
                          min_duration_minutes=30, max_duration_minutes=240,
                          setup_buffer_minutes=buffer, booking_horizon_days=730)
    for n in range(-1, 85):
        starts = WEEK_START + timedelta(hours=2 * n)
        make.reservation(item, student, starts, starts + timedelta(hours=1), status="confirmed")
    session.commit()
    # Loaded and detached, like the actor of a request: the rollbacks between calls below
    # would otherwise expire it and make every call load it again.
    item_id = item.id
    session.refresh(student)
    session.expunge(student)
    return student, item_id


def measure(label: str, call, number: int, repeats: int) -> None:
    rounds = [t / number * 1e6 for t in timeit.repeat(call, number=number, repeat=repeats)]
    print(f"{label:<14} median {statistics.median(rounds):8.1f} µs"
          f"   range {min(rounds):8.1f} .. {max(rounds):8.1f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--buffer", type=int, default=0, help="setup buffer, minutes")
    parser.add_argument("--dump")
    args = parser.parse_args(argv)
    data_dir = tempfile.mkdtemp(prefix="bench-availability-")
    try:
        url = embedded.start(data_dir)
        schema.upgrade(str(PROJECT_ROOT / "migrations"), url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING",
                          "SCHEDULER_ENABLED": False, "ARGON2_TIME_COST": 1,
                          "ARGON2_MEMORY_KIB": 64})
        with app.app_context():
            student, item_id = seed(db.session, args.buffer)
            policy, end = BookingPolicy(), WEEK_START + timedelta(days=7)

            def read():
                answer = queries.availability(db.session, student, item_id, start=WEEK_START,
                                              end=end, policy=policy, now=NOW)
                db.session.rollback()
                return answer

            answer = read()
            print(f"{len(answer['busy'])} busy spans, {len(answer['free'])} free spans")
            if args.dump:
                with open(args.dump, "w") as out:
                    json.dump(answer, out, sort_keys=False)
            free = [(datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
                    for s in answer["free"]]
            busy = [(datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
                    for s in answer["busy"]]
            # The free spans before trimming: open time less the busy spans and their buffers.
            pad = timedelta(minutes=args.buffer)
            untrimmed = span_rules.subtract(
                wallclock.opening_windows([(d, time(0), time(23, 59)) for d in range(1, 8)], ZONE,
                                      WEEK_START, end),
                [(s - pad, e + pad) for s, e in busy])
            instants = [t for span in busy + free for t in span] + [e + pad for s, e in busy]
            # The answer's formatter where there is one (older code called isoformat).
            iso = getattr(queries, "_iso", datetime.isoformat)
            for _ in range(2):  # interleaved: a slow spell weighs on every figure
                measure("availability", read, args.number, args.repeats)
                measure("bookable", lambda: slot_grid.bookable(untrimmed, 30, 30, ZONE),
                        args.number, args.repeats)
                measure(f"format x{len(instants)}", lambda: [iso(t) for t in instants],
                        args.number, args.repeats)
        with app.app_context():
            db.engine.dispose()
    finally:
        embedded.stop(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
