"""kill -9 of the embedded PostgreSQL under a write load, measured end to end.

Run from the repository root (a standalone script, not a pytest test):

    .venv/bin/python -m tests.benchmarks.bench_database_outage [--writers 3] [--readers 1]
        [--workers 2] [--before 2] [--after 3]

It starts `benchshare serve --demo` on a temporary data directory, signs in as the demo admin,
runs writer threads creating categories with unique codes (and readers asking GET /me), kills
the postmaster with SIGKILL, keeps loading until the service answers again and a little longer,
then reads every category back. It prints the acknowledged writes, the writes found afterwards,
the 5xx answers by status and problem code, and the seconds from the kill to the first success.
Then it stops the service with SIGTERM and checks that no PostgreSQL process is left on the data
directory. Exit status 0 when nothing acknowledged is missing, every 5xx was a 503
database_unavailable with Retry-After and the service recovered; else 1.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from tests.e2e.outage import Served, kill_database_under_load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--readers", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--before", type=float, default=2.0, help="seconds of load before")
    parser.add_argument("--after", type=float, default=3.0, help="seconds of load after")
    args = parser.parse_args(argv)

    served = Served(workers=args.workers)
    try:
        started = time.monotonic()
        served.start("--demo")
        print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}; "
              f"serve --demo ready in {time.monotonic() - started:.1f} s")
        outcome = kill_database_under_load(
            served, writers=args.writers, readers=args.readers, load_before=args.before,
            load_after=args.after)
        exit_status = served.stop(signal.SIGTERM)
        left = served.database_processes()
        restarts = served.output.count("started again (postmaster pid")
    finally:
        served.clean_up()

    unacknowledged = outcome.found - outcome.acknowledged
    recovery = (f"{outcome.seconds_to_recovery:.2f}" if outcome.seconds_to_recovery is not None
                else "never (gave up after 60 s)")
    print(f"requests answered:                  {sum(outcome.statuses.values())}")
    print(f"answers by status:                  {dict(sorted(outcome.statuses.items()))}")
    print(f"acknowledged writes (201):          {len(outcome.acknowledged)}")
    print(f"writes found afterwards:            {len(outcome.found)}"
          f"  (committed but not acknowledged: {len(unacknowledged)})")
    print(f"acknowledged writes missing:        {len(outcome.missing)}")
    print("5xx by status/code:                 " + (", ".join(
        f"{status} {code}: {count}"
        for (status, code), count in sorted(outcome.server_errors.items(), key=str)) or "none"))
    print(f"503 without Retry-After/problem:    {outcome.unavailable_without_retry_after}")
    print(f"transport errors:                   {dict(outcome.transport_errors) or 'none'}")
    print(f"seconds from kill to first success: {recovery}")
    print(f"failures after recovery:            {outcome.failures_after_recovery}")
    print(f"postmaster pid:                     {outcome.killed_pid} killed, "
          f"{outcome.pid_after} after ({restarts} restart(s) logged)")
    print(f"serve exit status on SIGTERM:       {exit_status}; "
          f"postgres processes left on the data directory: {len(left)}")

    healthy = (outcome.seconds_to_recovery is not None and not outcome.missing
               and set(outcome.server_errors) <= {(503, "database_unavailable")}
               and not outcome.unavailable_without_retry_after and not outcome.transport_errors
               and not left and exit_status == 0)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
