"""Reaching the database at start-up: wait while it comes up, and name what it refuses.

A container's database may still be starting when the api starts (its first start initialises
the data directory before it listens on the network), so the start-up migration waits for it,
ever less often, up to DATABASE_WAIT_SECONDS. What waiting cannot mend (a wrong password, a
database or role that does not exist) ends the wait at once, named in the operator's words.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url

from .config import ConfigurationError

log = logging.getLogger("benchshare.database")

FIRST_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 8.0
# SQLSTATEs that waiting cannot mend, and what they mean to whoever set the variables.
REFUSALS = {
    "28P01": "refused the password of user {user!r}: check DATABASE_PASSWORD (or the password "
             "in DATABASE_URL); a password changed in the server is not changed by editing "
             ".env alone, see docs/operations.md#changing-the-database-password",
    "28000": "refused user {user!r} (no such role, or pg_hba.conf does not let it in): check "
             "DATABASE_USER and the server's pg_hba.conf",
    "3D000": "has no database {database!r}: check DATABASE_NAME (or the database in "
             "DATABASE_URL)",
}
# libpq reports some refusals in the message only (no SQLSTATE on a failed connection).
REFUSAL_MESSAGES = {"password authentication failed": "28P01",
                    "no password supplied": "28P01",
                    "role \"": "28000",
                    "database \"": "3D000",
                    "no pg_hba.conf entry": "28000"}


class DatabaseRefused(ConfigurationError):
    """The database answered and refused us: a setting is wrong, waiting will not help."""


class DatabaseUnreachable(ConfigurationError):
    """The database did not answer within the wait."""


def where(url: str) -> str:
    """The server as an operator names it, never with the password."""
    parsed = make_url(url)
    host = parsed.host or parsed.query.get("host") or "the local socket"
    return f"{host}:{parsed.port or 5432}" if not str(host).startswith("/") else str(host)


# libpq refuses the settings before it tries any server (a value it does not know, such as
# sslmode=bogus): psycopg's words for that, said at once. Not every "connection is bad" is a
# setting: a local socket not there yet (the server still starting) says so too.
BAD_SETTINGS = "connection is bad: invalid "


def refusal(exc: psycopg.OperationalError, url: str) -> str | None:
    """What the database refused, in words, or None when it simply did not answer (yet)."""
    first = (str(exc).strip().splitlines() or [""])[0]
    if first.startswith(BAD_SETTINGS):
        said = first.partition(":")[2].strip()
        return (f"The settings of the database at {where(url)} are refused by libpq before "
                f"connecting ({said}): check DATABASE_URL's options (or DATABASE_PORT).")
    state = getattr(exc, "sqlstate", None)
    if state not in REFUSALS:
        message = str(exc)
        state = next((code for text, code in REFUSAL_MESSAGES.items() if text in message), None)
    if state is None:
        return None
    parsed = make_url(url)
    return (f"The database at {where(url)} "
            + REFUSALS[state].format(user=parsed.username, database=parsed.database) + ".")


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def wait_until_reachable(url: str, *, timeout: float,
                         sleep: Callable[[float], None] = time.sleep) -> int:
    """Connect to the database, waiting while it does not answer, ever less often (0.5 s,
    1 s, 2 s ... 8 s) for at most `timeout` seconds; answers how many attempts it took.
    Raises DatabaseRefused at once when it answers with a refusal, DatabaseUnreachable when
    the time is up."""
    deadline = time.monotonic() + timeout
    delay = FIRST_DELAY_SECONDS
    attempt = 0
    while True:
        attempt += 1
        try:
            with psycopg.connect(_libpq(url), connect_timeout=5) as connection:
                connection.execute("SELECT 1")
            if attempt > 1:
                log.info("database at %s reachable after %d attempts", where(url), attempt)
            return attempt
        except psycopg.OperationalError as exc:
            refused = refusal(exc, url)
            if refused is not None:
                log.error("%s", refused)
                raise DatabaseRefused(refused) from None
            left = deadline - time.monotonic()
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            if left <= 0:
                message = (f"The database at {where(url)} did not answer within {timeout:.0f} s "
                           f"(DATABASE_WAIT_SECONDS): {reason}")
                log.error("%s", message)
                raise DatabaseUnreachable(message) from None
            pause = min(delay, left)
            log.warning("database at %s not reachable yet (%s); attempt %d, retrying in %.1f s",
                        where(url), reason, attempt, pause)
            sleep(pause)
            delay = min(delay * 2, MAX_DELAY_SECONDS)
