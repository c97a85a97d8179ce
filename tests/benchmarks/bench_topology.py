"""The scaled topology on one machine, measured: three `serve` behind nginx, two schedulers, an
embedded primary and a streaming replica (tests/rig/).

Run from the repository root (a standalone script, not a pytest test; needs nginx:
`apt-get install -y nginx`):

    .venv/bin/python -m tests.benchmarks.bench_topology [--clients 4] [--workers 1]
        [--notices 200] [--drain 2]

It prints: requests sent and failed through the proxy during a rolling restart of all three
instances; double bookings after twenty students race for one slot through the proxy; report
runs per period built by the two schedulers; notices lost after a kill -9 of the scheduler
delivering them (duplicates counted by Message-ID) and the standby's takeover time; the replica
staleness a report read through the proxy was told. Exit status 0 when nothing failed, nothing
was double-booked, each period was built once and no notice was lost; else 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from tests.rig.load import Load, booking, booking_race, double_bookings, make_world, slot_start
from tests.rig.processes import request
from tests.rig.scheduling import SlowSink, kill_leader_mid_delivery, report_runs
from tests.rig.topology import Topology

REPORT_DAYS = 14  # the schedulers build these closed days (and their weeks) from the start
PAUSED_SECONDS = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4, help="load threads in the restart")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per serve")
    parser.add_argument("--notices", type=int, default=200)
    parser.add_argument("--drain", type=int, default=2, help="DRAIN_SECONDS of each serve")
    parser.add_argument("--keep", action="store_true", help="keep the rig's directory (logs)")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="benchshare-rig-"))
    sink = SlowSink().start()
    scheduler_settings = {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": sink.port, "SMTP_STARTTLS": "false",
        "SMTP_FROM": "benchshare@rig.example", "NOTIFICATION_SENDERS": 2,
        "NOTIFICATION_BATCH_SIZE": 50, "NOTIFICATION_LEASE_SECONDS": 5,
        "SCHEDULER_LEASE_SECONDS": 5, "SCHEDULER_RENEW_SECONDS": 1,
        "REPORTS_START": (date.today() - timedelta(days=REPORT_DAYS)).isoformat()}
    rig = Topology(root, instances=3, workers=args.workers, schedulers=2, replica=True,
                   drain_seconds=args.drain, scheduler_settings=scheduler_settings)
    started = time.monotonic()
    try:
        with rig:
            print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}; rig up in "
                  f"{time.monotonic() - started:.1f} s (primary, replica, 3 serve x "
                  f"{args.workers} workers, nginx {rig.proxy_port}, 2 schedulers)")
            world = make_world(rig.database_url, students=20, items=10)
            healthy = measure(rig, world, sink, args)
        print(f"load average after: {os.getloadavg()[0]:.2f}; logs: "
              f"{root / 'logs' if args.keep else '(removed; --keep keeps them)'}")
    finally:
        sink.stop()
        if not args.keep:
            rig.clean_up()
    return 0 if healthy else 1


def measure(rig: Topology, world, sink: SlowSink, args) -> bool:
    load = Load(rig.proxy_port, world, clients=args.clients).start()
    try:
        turns = rig.rolling_restart()
    finally:
        tally = load.stop()
    print(f"rolling restart, requests sent:     {tally.sent} through nginx "
          f"({dict(sorted(tally.statuses.items()))})")
    print(f"rolling restart, requests failed:   {tally.failed}"
          f"{' ' + str(tally.examples) if tally.examples else ''}")
    for turn in turns:
        print(f"  {turn.old} -> {turn.new}: new one routed after {turn.new_in_rotation:.1f} s, "
              f"old one out of rotation {turn.old_out_of_rotation - turn.new_in_rotation:.2f} s "
              f"after SIGTERM, exited {turn.exit_status} "
              f"{turn.old_exited - turn.new_in_rotation:.1f} s after SIGTERM")
    print(f"nginx reloads by the readiness watcher: {rig.nginx.reloads}")

    outcomes = booking_race(rig.proxy_port, world)
    doubles = double_bookings(rig.database_url)
    print(f"booking race (20 students, 1 slot): {dict(outcomes)}")
    print(f"double bookings:                    {doubles}")

    notices = kill_leader_mid_delivery(rig, sink, "s0@rig.example", count=args.notices)
    print(f"notices created:                    {notices.created} (SMTP sink 50 ms a message)")
    print(f"kill -9 of {notices.killed} after {notices.delivered_before_kill} delivered"
          + ("" if notices.lease_holder_killed is None else
             f"; it held the scheduler lease: {notices.lease_holder_killed}"))
    print(f"notices by state afterwards:        {dict(notices.states)}")
    print(f"messages received:                  {notices.received} ({notices.distinct} "
          f"distinct; duplicates with the same Message-ID {notices.duplicates_same_message_id},"
          f" other {notices.duplicates_other_message_id})")
    print(f"notices lost:                       {notices.lost}")
    takeover = (f"{notices.takeover_seconds:.2f} s" if notices.takeover_seconds is not None
                else "n/a (no scheduler lease held: the election is not in this build)")
    print(f"standby's takeover (lease):         {takeover}")
    print("delivery resumed after the kill:    " + (
        f"{notices.resumed_seconds:.2f} s" if notices.resumed_seconds is not None else "never"))
    print("all notices settled after the kill: " + (
        f"{notices.settled_seconds:.2f} s" if notices.settled_seconds is not None
        else "never (within 120 s)"))

    periods, runs, most = report_runs(rig.database_url)
    print(f"report runs:                        {runs} for {periods} periods "
          f"(most runs of one period: {most})")

    print("report read through nginx:          " + read_report(rig, world))
    # An honest staleness: the replica receives but stops applying WAL, a booking commits on
    # the primary, and the same read two seconds later (still within the bound).
    rig.replica_handle.pause_replay()
    try:
        request(rig.proxy_port, "POST", "/api/v1/reservations",
                booking(world.item_ids[1], slot_start(330, 9)), world.tokens[1])
        time.sleep(PAUSED_SECONDS)
        label = f"the same, replay paused {PAUSED_SECONDS} s:"
        print(f"{label:<36}{read_report(rig, world)}")
    finally:
        rig.replica_handle.resume_replay()
    return (tally.failed == 0 and doubles == 0 and most <= 1 and notices.lost == 0
            and all(turn.exit_status == 0 for turn in turns))


def read_report(rig: Topology, world) -> str:
    today = date.today()
    status, headers, _ = request(
        rig.proxy_port, "GET", f"/api/v1/reports/utilisation?granularity=day&group_by=item"
        f"&from={today - timedelta(days=7)}&to={today}", token=world.operator_token)
    return (f"{status}, read from {headers.get('BenchShare-Read-From', '(no header)')}, "
            f"staleness {headers.get('BenchShare-Staleness-Seconds', '(no header)')} s")


if __name__ == "__main__":
    sys.exit(main())
