"""Settings read from the environment, in one documented place (docs/configuration.md)."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_MIN_LENGTH = 32
SECRET_KEY_MIN_DISTINCT = 16
GENERATE_SECRET_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class ConfigurationError(RuntimeError):
    """The environment asks for something the service refuses to run with."""


def _int(env: dict, name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}")
    return value


def _port(env: dict, name: str, default: int | None) -> int | None:
    """A TCP port (1-65535): a larger number would be taken modulo 65536 by the socket layer
    (70000 listens on 4464) or refused by libpq only when it connects."""
    value = _int(env, name, default or 0)
    if value == 0 and default is None:
        return None
    if not 1 <= value <= 65535:
        raise ConfigurationError(f"{name} must be a TCP port (1-65535), got {value}")
    return value


def _float(env: dict, name: str, default: float, noun: str) -> tuple[float, str | None]:
    """The setting as a number (default when unset) and as it was written (None: unset)."""
    raw = env.get(name)
    if raw in (None, ""):
        return default, None
    try:
        return float(raw), raw
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be {noun}, got {raw!r}") from exc


def _ratio(env: dict, name: str, default: float) -> float:
    value, raw = _float(env, name, default, "a number")
    if raw is not None and not 0 <= value <= 1:  # NaN fails this too
        raise ConfigurationError(f"{name} must be between 0 and 1, got {raw}")
    return value


# leader: lease timings are fractions of a second in tests.
def _seconds(env: dict, name: str, default: float) -> float:
    value, raw = _float(env, name, default, "a number of seconds")
    if raw is not None and not 0 < value < float("inf"):  # NaN fails this too
        raise ConfigurationError(f"{name} must be a positive number of seconds, got {raw}")
    return value


def _scheduler_lease(env: dict) -> dict:
    lease = _seconds(env, "SCHEDULER_LEASE_SECONDS", 15)
    renew = _seconds(env, "SCHEDULER_RENEW_SECONDS", 5)
    if renew >= lease:
        # A leader must get at least one more try at renewing before its lease runs out.
        raise ConfigurationError(f"SCHEDULER_RENEW_SECONDS ({renew:g}) must be shorter than "
                                 f"SCHEDULER_LEASE_SECONDS ({lease:g})")
    return {"SCHEDULER_LEASE_SECONDS": lease, "SCHEDULER_RENEW_SECONDS": renew}


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}")


def _date(env: dict, name: str) -> date | None:
    value = env.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a date (YYYY-MM-DD), not {value!r}") from None


def _public_url(env: dict) -> str | None:
    """PUBLIC_URL: the app's address as people reach it (QR codes point there); an http(s)
    URL with a host, maybe a path, no query or fragment; kept without a trailing slash."""
    raw = env.get("PUBLIC_URL")
    if raw in (None, ""):
        return None
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise ConfigurationError(f"PUBLIC_URL is not a URL: {raw!r}") from exc
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.query
            or parts.fragment or "?" in raw or "#" in raw or parts.username is not None
            or raw != raw.strip() or any(c.isspace() for c in raw)):
        raise ConfigurationError(
            "PUBLIC_URL must be an http:// or https:// URL with a host and no query, fragment "
            f"or credentials (e.g. https://benchshare.example.edu), got {raw!r}")
    return raw.rstrip("/")


def weak_secret_reason(secret: str) -> str | None:
    """Why `secret` is too guessable to sign tokens in production, or None when it will do."""
    if secret == DEFAULT_SECRET_KEY:
        return "it is the development default"
    # Whitespace at the ends is usually a copy-paste accident that a later edit "fixes",
    # silently changing the key and invalidating every token and calendar link.
    if secret != secret.strip():
        return "it begins or ends with whitespace"
    if len(secret) < SECRET_KEY_MIN_LENGTH:
        return f"it is shorter than {SECRET_KEY_MIN_LENGTH} characters"
    # Length alone lets "a" * 32 or "changeme" * 4 through; a random key of this length uses
    # far more distinct characters than this.
    if len(set(secret)) < SECRET_KEY_MIN_DISTINCT:
        return f"it has fewer than {SECRET_KEY_MIN_DISTINCT} distinct characters"
    return None


def sqlalchemy_url(url: str) -> str:
    """Make a postgres URL use the psycopg 3 driver, whatever scheme it was written with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


URL_SHAPE = "postgresql://user:password@host:port/database"


def checked_database_url(name: str, url: str) -> str:
    """`url` (from the setting `name`) with the psycopg driver, refused at start when it is no
    URL the service can connect with (else a traceback at start, or a 500 on every read that
    uses it); the refusal never repeats the password."""
    try:
        parsed = make_url(sqlalchemy_url(url))
    except (ArgumentError, ValueError):
        raise ConfigurationError(f"{name} is not a database URL ({URL_SHAPE})") from None
    if parsed.get_backend_name() != "postgresql":
        raise ConfigurationError(f"{name} must be a PostgreSQL URL ({URL_SHAPE}), not "
                                 f"{parsed.get_backend_name()}://...") from None
    if parsed.get_driver_name() != "psycopg":
        raise ConfigurationError(f"{name} must use the psycopg driver (postgresql:// or "
                                 f"postgresql+psycopg://), not {parsed.drivername}://...")
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise ConfigurationError(f"{name}'s port must be 1-65535, got {parsed.port}")
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conninfo_to_dict(libpq)  # libpq's own reading: spaces in a host, unknown options
    except ProgrammingError as exc:
        reason = str(exc).strip().splitlines()[0]
        secret = re.search(r"://[^:@/]*:([^@]*)@", libpq)
        for hidden in {parsed.password, secret and secret.group(1)} - {None, ""}:
            reason = reason.replace(str(hidden), "***")
        raise ConfigurationError(f"{name} is not a database URL libpq accepts: {reason}") \
            from None
    return sqlalchemy_url(url)


def database_url(env: dict) -> str | None:
    """DATABASE_URL as given; else, when DATABASE_HOST is set, a URL built from DATABASE_HOST,
    DATABASE_PORT, DATABASE_USER, DATABASE_PASSWORD and DATABASE_NAME with every part escaped,
    so that a password holding @ : / % # needs no quoting by hand (Compose passes these);
    None: the embedded PostgreSQL."""
    if env.get("DATABASE_URL"):
        return checked_database_url("DATABASE_URL", env["DATABASE_URL"])
    host = env.get("DATABASE_HOST")
    if not host:
        return None
    # As libpq reads it, a host starting with "/" is the directory of a local socket.
    socket = host.startswith("/")
    if host != host.strip() or (not socket and any(c.isspace() for c in host)):
        raise ConfigurationError(f"DATABASE_HOST must be a host name, an address or a socket "
                                 f"directory, without spaces: got {host!r}")
    return checked_database_url("DATABASE_HOST", URL.create(
        "postgresql+psycopg", username=env.get("DATABASE_USER") or None,
        password=env.get("DATABASE_PASSWORD") or None, host=None if socket else host,
        port=_port(env, "DATABASE_PORT", 5432),
        database=env.get("DATABASE_NAME") or None,
        query={"host": host} if socket else {}).render_as_string(hide_password=False))


def from_env(env: dict | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = dict(os.environ if env is None else env)
    mode = env.get("BENCHSHARE_ENV", "development")
    if mode not in ("development", "production"):
        raise ConfigurationError("BENCHSHARE_ENV must be 'development' or 'production'")
    secret = env.get("SECRET_KEY") or DEFAULT_SECRET_KEY
    reason = "it is not set" if not env.get("SECRET_KEY") else weak_secret_reason(secret)
    if mode == "production" and reason:
        raise ConfigurationError(
            f"SECRET_KEY is too weak for production ({reason}); set it to a random value of "
            f"at least {SECRET_KEY_MIN_LENGTH} characters, e.g. from: {GENERATE_SECRET_KEY}"
        )
    data_dir = Path(env.get("BENCHSHARE_DATA_DIR") or Path.cwd() / ".benchshare-data")
    database = database_url(env)
    return {
        "ENV_MODE": mode,
        "SECRET_KEY": secret,
        "DATA_DIR": str(data_dir),
        # None means: start the embedded PostgreSQL under DATA_DIR.
        "SQLALCHEMY_DATABASE_URI": database,
        # deployment: how long the start-up migration waits for a database still coming up.
        "DATABASE_WAIT_SECONDS": _int(env, "DATABASE_WAIT_SECONDS", 60),
        # The app's address for links that leave the service (QR codes); None: the request's.
        "PUBLIC_URL": _public_url(env),
        "TOKEN_TTL_MINUTES": _int(env, "TOKEN_TTL_MINUTES", 12 * 60, minimum=1),
        "LOGIN_MAX_FAILURES": _int(env, "LOGIN_MAX_FAILURES", 5, minimum=1),
        "LOGIN_WINDOW_SECONDS": _int(env, "LOGIN_WINDOW_SECONDS", 15 * 60, minimum=1),
        "MAX_CONTENT_LENGTH": _int(env, "MAX_BODY_BYTES", 1024 * 1024, minimum=1024),
        # imports: the largest roster or inventory file accepted, and its most rows.
        "IMPORT_MAX_BYTES": _int(env, "IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024),
        "IMPORT_MAX_ROWS": _int(env, "IMPORT_MAX_ROWS", 20_000, minimum=1),
        "LOG_FORMAT": env.get("LOG_FORMAT", "text"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        "PAGE_SIZE_MAX": _int(env, "PAGE_SIZE_MAX", 100, minimum=1),
        "ARGON2_TIME_COST": _int(env, "ARGON2_TIME_COST", 3, minimum=1),
        "ARGON2_MEMORY_KIB": _int(env, "ARGON2_MEMORY_KIB", 64 * 1024, minimum=64),
        "SEEDS_DIR": env.get("BENCHSHARE_SEEDS_DIR") or str(PROJECT_ROOT / "seeds"),
        "MIGRATIONS_DIR": env.get("BENCHSHARE_MIGRATIONS_DIR")
        or str(PROJECT_ROOT / "migrations"),
        "SCHEDULER_ENABLED": _bool(env, "SCHEDULER_ENABLED", True),
        # leader: one scheduler process leads; it renews its lease every RENEW seconds, and a
        # standby takes over a lease not renewed for LEASE seconds (docs/operations.md).
        **_scheduler_lease(env),
        "CHECKIN_EARLY_MINUTES": _int(env, "CHECKIN_EARLY_MINUTES", 15),
        "CHECKIN_GRACE_MINUTES": _int(env, "CHECKIN_GRACE_MINUTES", 15),
        "WAITLIST_HOLD_MINUTES": _int(env, "WAITLIST_HOLD_MINUTES", 30, minimum=1),
        "REMINDER_MINUTES": _int(env, "REMINDER_MINUTES", 60, minimum=1),
        "AVAILABILITY_MAX_DAYS": _int(env, "AVAILABILITY_MAX_DAYS", 31, minimum=1),
        "SERIES_MAX_OCCURRENCES": _int(env, "SERIES_MAX_OCCURRENCES", 100, minimum=1),
        "OFFER_WINDOW_MAX_DAYS": _int(env, "OFFER_WINDOW_MAX_DAYS", 366, minimum=1),
        "OUTCOME_EDIT_DAYS": _int(env, "OUTCOME_EDIT_DAYS", 14),
        "IMPACT_PERIOD_MAX_DAYS": _int(env, "IMPACT_PERIOD_MAX_DAYS", 366, minimum=1),
        "JOB_INTERVAL_SECONDS": _int(env, "JOB_INTERVAL_SECONDS", 60, minimum=1),
        # rig: on SIGTERM, serve answers /readyz 503 "draining" this long while it still
        # serves, then stops gracefully (docs/operations.md#several-instances).
        "DRAIN_SECONDS": _int(env, "DRAIN_SECONDS", 5),
        # Reports: the scheduled job builds closed periods from this local day (YYYY-MM-DD;
        # unset: the day of the earliest reservation), at most so many periods per turn.
        "REPORTS_START": _date(env, "REPORTS_START"),
        "REPORTS_MAX_DAYS": _int(env, "REPORTS_MAX_DAYS", 366, minimum=1),
        "REPORTS_PERIODS_PER_RUN": _int(env, "REPORTS_PERIODS_PER_RUN", 200, minimum=1),
        # How long a process keeps an answer read from built periods only (their rows change
        # only by a rebuild, which the answer's key sees at once; names may lag this long).
        "REPORTS_CACHE_SECONDS": _int(env, "REPORTS_CACHE_SECONDS", 300),
        # replica: reports, the heat map and the dashboard's figures are read from this
        # streaming replica while it is at most REPLICA_MAX_STALENESS_SECONDS behind the
        # primary, else from the primary (service/replica.py); unset: the primary only.
        "DATABASE_REPLICA_URL": (checked_database_url("DATABASE_REPLICA_URL",
                                                      env["DATABASE_REPLICA_URL"])
                                 if env.get("DATABASE_REPLICA_URL") else None),
        "REPLICA_MAX_STALENESS_SECONDS": _int(env, "REPLICA_MAX_STALENESS_SECONDS", 30),
        # Idle equipment: an item booked under IDLE_THRESHOLD (a ratio) of its available hours
        # in each of the last IDLE_WEEKS complete ISO weeks is named to its owner.
        "IDLE_THRESHOLD": _ratio(env, "IDLE_THRESHOLD", 0.15),
        "IDLE_WEEKS": _int(env, "IDLE_WEEKS", 4, minimum=1),
        "SMTP_HOST": env.get("SMTP_HOST") or None,
        "SMTP_PORT": _port(env, "SMTP_PORT", 587),
        "SMTP_USERNAME": env.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "SMTP_FROM": env.get("SMTP_FROM", "benchshare@localhost"),
        "SMTP_STARTTLS": _bool(env, "SMTP_STARTTLS", True),
        # Approvers are told once when a request is this close to lapsing undecided.
        "REQUEST_LAPSING_MINUTES": _int(env, "REQUEST_LAPSING_MINUTES", 120, minimum=1),
        # The outbox: delivered every NOTIFICATION_INTERVAL_SECONDS, a run taking batches of
        # NOTIFICATION_BATCH_SIZE until none is pending (at most NOTIFICATION_BATCHES_PER_RUN),
        # each shared between NOTIFICATION_SENDERS threads with one mail connection each.
        "NOTIFICATION_INTERVAL_SECONDS": _int(env, "NOTIFICATION_INTERVAL_SECONDS", 5, minimum=1),
        "NOTIFICATION_BATCH_SIZE": _int(env, "NOTIFICATION_BATCH_SIZE", 500, minimum=1),
        "NOTIFICATION_BATCHES_PER_RUN": _int(env, "NOTIFICATION_BATCHES_PER_RUN", 100,
                                             minimum=1),
        "NOTIFICATION_SENDERS": _int(env, "NOTIFICATION_SENDERS", 4, minimum=1),
        # outbox: a claim on a notice is a lease of NOTIFICATION_LEASE_SECONDS (its sender is
        # presumed dead after that, and the notice claimed again); a notice claimed
        # NOTIFICATION_MAX_ATTEMPTS times without an outcome is marked failed for an operator.
        "NOTIFICATION_LEASE_SECONDS": _int(env, "NOTIFICATION_LEASE_SECONDS", 120, minimum=1),
        "NOTIFICATION_MAX_ATTEMPTS": _int(env, "NOTIFICATION_MAX_ATTEMPTS", 3, minimum=1),
        # access: how long an invitation's and a reset's link works; "forgot password"
        # requests allowed per e-mail and per address in a window (a school's NAT shares one).
        "INVITATION_TTL_HOURS": _int(env, "INVITATION_TTL_HOURS", 168, minimum=1),
        "RESET_TTL_MINUTES": _int(env, "RESET_TTL_MINUTES", 60, minimum=1),
        "RESET_MAX_PER_EMAIL": _int(env, "RESET_MAX_PER_EMAIL", 3, minimum=1),
        "RESET_MAX_PER_ADDRESS": _int(env, "RESET_MAX_PER_ADDRESS", 30, minimum=1),
        "RESET_WINDOW_SECONDS": _int(env, "RESET_WINDOW_SECONDS", 3600, minimum=1),
        # A "forgot password" answer takes at least this long, known e-mail or not, so the
        # time does not tell whether the address is anyone's.
        "RESET_ANSWER_MS": _int(env, "RESET_ANSWER_MS", 50),
        # metrics: the bearer token GET /metrics asks for; unset, the page does not exist.
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        # `benchshare scheduler` answers /metrics on this port (unset: not at all).
        "SCHEDULER_METRICS_PORT": _port(env, "SCHEDULER_METRICS_PORT", None),
        "SCHEDULER_METRICS_HOST": env.get("SCHEDULER_METRICS_HOST") or "127.0.0.1",
    }
