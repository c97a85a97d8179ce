"""A role whose password the test server really checks.

The embedded servers trust every local connection, so a wrong password would get in; this
puts the role's own `scram-sha-256` lines first in the server's pg_hba.conf while it lives."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import make_url


@contextmanager
def role_with_checked_password(database_url: str, password: str) -> Iterator[str]:
    """Create a login role with `password`, checked on the socket and on 127.0.0.1; yields its
    name; drops it and restores pg_hba.conf afterwards."""
    admin = make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)
    role = f"checked_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        hba = Path(connection.execute("SHOW hba_file").fetchone()[0])
        original = hba.read_text()
        connection.execute("SET password_encryption = 'scram-sha-256'")
        connection.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        lines = (f"local all {role} scram-sha-256\n"
                 f"host all {role} 127.0.0.1/32 scram-sha-256\n")
        hba.write_text(lines + original)
        connection.execute("SELECT pg_reload_conf()")
    try:
        yield role
    finally:
        hba.write_text(original)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("SELECT pg_reload_conf()")
            connection.execute(f"DROP ROLE {role}")
