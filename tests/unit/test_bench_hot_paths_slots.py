"""The hot-path benchmark's create.lua, run by wrk, and the Python fallback clients: every booking
a slot no other took, every answer counted."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.benchmarks import bench_hot_paths as bench

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MIDNIGHT = dt.datetime(2026, 12, 3, tzinfo=SHANGHAI)


class Recorder(BaseHTTPRequestHandler):
    """Answers every POST 201, keeping its body."""

    protocol_version = "HTTP/1.1"
    bodies: list[dict] = []
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 - the name http.server calls
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            self.bodies.append(body)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # wrk drops its connections when the time is up


@pytest.fixture
def recorder():
    """A local HTTP server recording the bookings sent to it."""
    Recorder.bodies = []
    server = Server(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], Recorder.bodies
    server.shutdown()
    server.server_close()


def a_bench(items: int, day_blocks: list[int]) -> bench.Bench:
    return bench.Bench(app=None, floor=None, postmaster=0, tokens=["t1", "t2", "t3"],
                       item_ids=list(range(101, 101 + items)),
                       midnight=int(MIDNIGHT.timestamp()), future_start=0, future_count=0,
                       use_wrk=True, day_blocks=day_blocks)


def slot_of(body: dict) -> tuple[int, dt.datetime]:
    starts = dt.datetime.fromisoformat(body["starts_at"])
    ends = dt.datetime.fromisoformat(body["ends_at"])
    assert starts.utcoffset() == ends.utcoffset() == dt.timedelta(hours=8)
    assert ends - starts == dt.timedelta(minutes=30)
    assert starts.minute == 0 and starts.second == 0 and starts.hour <= 22
    return body["equipment_id"], starts


def days_ahead(starts: dt.datetime) -> int:
    return (starts - MIDNIGHT).days


@pytest.mark.slow
def test_runs_with_two_seeds_book_distinct_slots_inside_their_own_day_blocks(recorder):
    port, bodies = recorder
    runner = a_bench(items=1000, day_blocks=[3, 3])  # 69,000 slots a run
    seen: list[set] = []
    for run in range(2):
        before = len(bodies)
        load = bench.wrk_load(port, "create.lua", runner.create_args(run_seed=1000 + run),
                              clients=8, seconds=1)
        mine = [slot_of(body) for body in bodies[before:]]
        assert len(mine) < 69_000  # fewer requests than slots: none may repeat
        assert load.statuses[201] > 100 and set(load.statuses) == {201}
        assert load.statuses[201] <= len(mine)
        assert len(set(mine)) == len(mine)  # no slot twice within the run
        first = bench.FIRST_CREATE_DAY + 3 * run
        assert {days_ahead(starts) for _, starts in mine} <= set(range(first, first + 3))
        assert {item for item, _ in mine} <= set(range(101, 1101))
        seen.append(set(mine))
    assert not seen[0] & seen[1]


def test_consecutive_requests_of_one_connection_walk_the_whole_block(recorder):
    port, bodies = recorder
    runner = a_bench(items=3, day_blocks=[1])  # 3 items x 23 slots: 69 slots
    bench.wrk_load(port, "create.lua", runner.create_args(run_seed=7, threads=1), clients=1,
                   seconds=1)
    slots = [slot_of(body) for body in bodies]
    assert len(slots) > 2 * 69
    block = {(item, MIDNIGHT + dt.timedelta(days=2, hours=hour))
             for item in (101, 102, 103) for hour in range(23)}
    for start in (0, 69, len(slots) - 69):
        assert set(slots[start:start + 69]) == block


def test_the_python_fallback_books_distinct_slots_too(recorder):
    """Without wrk the benchmark sends the same requests from Python threads (serving's
    threaded_load): unique slots, every answer counted, no transport failure."""
    port, bodies = recorder
    runner = a_bench(items=1000, day_blocks=[3])
    load = bench.python_load(port, "create.lua", runner.create_args(run_seed=5), clients=4,
                             seconds=0.5)
    mine = [slot_of(body) for body in bodies]
    assert load.requests == len(mine) > 20
    assert load.statuses == {201: len(mine)} and load.transport == 0
    assert len(set(mine)) == len(mine)
    assert {days_ahead(starts) for _, starts in mine} <= set(range(2, 5))
    assert 0 < load.p50_ms <= load.p99_ms


def test_the_fallback_counts_a_refused_connection_as_a_transport_failure():
    from tests.benchmarks.serving import free_port, threaded_load

    port = free_port()  # nothing listens there
    run = threaded_load(2, 0.2, lambda tid: lambda: bench.call_raw(port, "GET", "/")[0])
    assert run.transport == len(run.latencies) > 0 and not run.statuses


def test_the_reports_fallback_counts_every_answer_but_200_as_an_error(recorder):
    from tests.benchmarks import bench_reports

    port, _ = recorder  # it answers GET 501: not implemented
    load = bench_reports.load_python(port, "/api/v1/reports/utilisation", "t", 2, 0.2)
    assert load.tool == "python" and load.requests > 0 and load.errors == load.requests
