"""The whole topology on one machine, without Docker: a PostgreSQL primary (embedded, or any
given database), optionally a streaming replica of it, N `benchshare serve` behind nginx, M
`benchshare scheduler` processes, all on one secret and one database.

    with Topology(root, instances=3, schedulers=2, replica=True) as rig:
        rig.proxy_port, rig.database_url, rig.rolling_restart(), ...

Used by tests/e2e/test_topology.py (which asserts) and tests/benchmarks/bench_topology.py
(which prints).
"""

from __future__ import annotations

import shutil
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .processes import Process, Serve, benchshare_env, free_port, run
from .proxy import Nginx, ReadinessWatcher


@dataclass
class Restart:
    """One instance's turn in a rolling restart, in seconds from the turn's start."""

    old: str
    new: str
    new_in_rotation: float  # its replacement started, ready, and routed to by nginx
    old_out_of_rotation: float  # SIGTERM sent, the watcher saw it draining, nginx looked away
    old_exited: float  # its drain and graceful stop done
    exit_status: int


@dataclass
class Topology:
    root: Path
    database_url: str | None = None  # None: an embedded primary under root/primary
    instances: int = 3
    workers: int = 1
    schedulers: int = 2
    replica: bool = False
    drain_seconds: int = 1
    serve_settings: dict = field(default_factory=dict)
    scheduler_settings: dict = field(default_factory=dict)

    def __post_init__(self):
        self.root = Path(self.root)
        self.logs = self.root / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.serves: list[Serve] = []
        self.retired: list[Serve] = []  # replaced by a rolling restart
        self.generation = 0
        self.scheduler_processes: list[Process] = []
        self.replica_handle = None
        self.nginx: Nginx | None = None
        self.watcher: ReadinessWatcher | None = None
        self._embedded_dir: Path | None = None

    # ------------------------------------------------------------------ start and stop

    def start(self) -> Topology:
        if self.database_url is None:
            from service import embedded

            self._embedded_dir = self.root / "primary"
            self.database_url = embedded.start(self._embedded_dir, database="benchshare")
        run(["db", "upgrade"], self.env())
        if self.replica:
            from tests.replica import start_replica

            self.replica_handle = start_replica(self.database_url, self.root / "replica",
                                                free_port())
        ports = [free_port() for _ in range(self.instances)]
        self.serves = [self._serve(f"serve-{n + 1}", port) for n, port in enumerate(ports)]
        for serve in self.serves:
            serve.wait_ready()
        self.nginx = Nginx(self.root / "nginx", ports).start()
        self.watcher = ReadinessWatcher(self.nginx, lambda: list(self.serves)).start()
        for n in range(self.schedulers):
            self.start_scheduler(f"scheduler-{n + 1}")
        return self

    def stop(self) -> None:
        """Leave nothing running, whatever state a failed run left."""
        if self.watcher is not None:
            self.watcher.stop()
        if self.nginx is not None:
            self.nginx.stop()
        # All at once (each drains and stops on its own), then wait for each.
        processes = self.scheduler_processes + self.serves + self.retired
        for process in processes:
            process.signal(signal.SIGTERM)
        for process in processes:
            process.stop(timeout=30)
        if self.replica_handle is not None:
            self.replica_handle.destroy()
        if self._embedded_dir is not None:
            from service import embedded

            embedded.stop(self._embedded_dir)

    def __enter__(self) -> Topology:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    def clean_up(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------------ the parts

    def env(self, **settings) -> dict:
        return benchshare_env(self.database_url, self.root / "data", **settings)

    @property
    def replica_url(self) -> str | None:
        return self.replica_handle.url if self.replica_handle is not None else None

    @property
    def proxy_port(self) -> int:
        return self.nginx.port

    def _serve(self, name: str, port: int) -> Serve:
        settings = {"SCHEDULER_ENABLED": "false", "DRAIN_SECONDS": self.drain_seconds,
                    **self.serve_settings}
        if self.replica_url:
            settings["DATABASE_REPLICA_URL"] = self.replica_url
        return Serve(name, port, self.env(**settings), self.logs, self.workers).start()

    def start_scheduler(self, name: str) -> Process:
        process = Process(name, ["scheduler"], self.env(
            JOB_INTERVAL_SECONDS=1, NOTIFICATION_INTERVAL_SECONDS=1, LOG_LEVEL="INFO",
            **self.scheduler_settings), self.logs).start()
        self.scheduler_processes.append(process)
        return process

    # ------------------------------------------------------------------ what operators do

    def rolling_restart(self, surge: int = 1) -> list[Restart]:
        """Replace every instance in turn, as an orchestrator's rolling update does: start its
        replacement (on a port of its own, as a new container gets an address of its own) and
        wait until nginx routes to it; then SIGTERM the old one, which drains (the watcher sees
        /readyz say so and takes it out of nginx) and stops gracefully. `surge` replacements
        may be starting at once (Kubernetes' maxSurge); the old ones still stop one at a
        time, and their exits are awaited at the end, overlapping the next turns."""
        olds, news = list(self.serves), []
        turns, leaving, exits = [], [], {}
        for index, old in enumerate(olds):
            began = time.monotonic()
            while len(news) < min(index + surge, len(olds)):
                self.generation += 1
                news.append(self._serve(f"serve-{len(news) + 1}.{self.generation}",
                                        free_port()))
                self.serves.append(news[-1])
            new = news[index]
            new.wait_ready()
            self.watcher.wait_routed(new.port, present=True)
            in_rotation = time.monotonic() - began
            old.signal(signal.SIGTERM)
            exits[old.name] = _when_exited(old)
            self.watcher.wait_routed(old.port, present=False)
            out_of_rotation = time.monotonic() - began
            self.serves.remove(old)
            self.retired.append(old)
            leaving.append((old, new, began, in_rotation, out_of_rotation))
        for old, new, began, in_rotation, out_of_rotation in leaving:
            status = old.wait(timeout=90)
            exits[old.name].join(timeout=10)
            turns.append(Restart(old.name, new.name, in_rotation, out_of_rotation,
                                 exits[old.name].at - began, status))
        return turns


def _when_exited(serve: Serve) -> threading.Thread:
    """A thread noting (in its `at`) when the process ended."""

    def wait() -> None:
        serve.wait(timeout=90)
        thread.at = time.monotonic()

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    return thread
