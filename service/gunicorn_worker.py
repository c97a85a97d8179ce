"""gunicorn's sync worker, answering the requests gunicorn refuses itself as problem+json."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from ssl import SSLError

from gunicorn import util
from gunicorn.http import errors as http
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.sync import SyncWorker

from .errors import HTTP_CODES, PROBLEM_JSON, problem_body

# Pinned rather than left to gunicorn's defaults (the same values today), so that an upgrade
# cannot move the limits docs/configuration.md#http-limits documents and
# tests/e2e/test_hostile_http.py checks.
LIMIT_REQUEST_LINE = 4094
LIMIT_REQUEST_FIELDS = 100
LIMIT_REQUEST_FIELD_SIZE = 8190
GRACEFUL_TIMEOUT_SECONDS = 30

# What `benchshare serve` hands gunicorn; also usable as `gunicorn -k <worker_class> ...`.
SETTINGS = {
    "worker_class": "service.gunicorn_worker.ProblemJSONWorker",
    "limit_request_line": LIMIT_REQUEST_LINE,
    "limit_request_fields": LIMIT_REQUEST_FIELDS,
    "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
    # After the drain (DRAIN_SECONDS), how long workers may finish the requests they hold
    # before they are killed (gunicorn's default, pinned because docs/operations.md states it).
    "graceful_timeout": GRACEFUL_TIMEOUT_SECONDS,
}

def usable_cores(cgroup_cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """The cores this process may run on: its CPU affinity, capped by a container's CPU quota
    (cgroup v2 `cpu.max`, e.g. `docker run --cpus 2`), at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        quota, period = cgroup_cpu_max.read_text().split()
        if quota != "max":
            cores = min(cores, max(1, -(-int(quota) // int(period))))
    except (OSError, ValueError):
        pass  # no cgroup v2 quota to honour
    return max(1, cores)


def default_workers(env: dict | None = None) -> int:
    """`WEB_CONCURRENCY` when set, else one sync worker per usable core. Each sync worker
    keeps a core busy on its own (Python, then PostgreSQL on the same machine): more workers
    than cores only queue for the CPU, and on two cores four workers served 10-25 % fewer
    requests than two (issue 11)."""
    raw = (os.environ if env is None else env).get("WEB_CONCURRENCY")
    if raw:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"WEB_CONCURRENCY must be a whole number, got {raw!r}") from None
    return usable_cores()


# First match wins: the response-header errors subclass InvalidHeader but are the app's fault,
# and every other parse error is the client's, a 400 (gunicorn's own list misses a few).
REFUSALS: tuple[tuple[tuple[type[BaseException], ...], int, str], ...] = (
    ((http.InvalidResponseHeader, http.InvalidResponseHeaderName, http.ConfigurationProblem),
     500, "Internal Server Error"),
    ((http.LimitRequestLine,), 414, "URI Too Long"),
    ((http.LimitRequestHeaders,), 431, "Request Header Fields Too Large"),
    ((http.ExpectationFailed,), 417, "Expectation Failed"),
    ((http.UnsupportedTransferCoding,), 501, "Not Implemented"),
    ((http.ForbiddenProxyRequest, SSLError), 403, "Forbidden"),
    ((http.ParseException,), 400, "Bad Request"),
)
DETAIL_MAX = 200  # gunicorn's messages quote the client's bytes; keep the echo short


def refusal(exc: BaseException, cfg, request_read: bool = True) -> tuple[int, str, str]:
    """Status, title and detail for an error gunicorn raised before or around the app."""
    status, title = next(((status, title) for kinds, status, title in REFUSALS
                          if isinstance(exc, kinds)), (500, "Internal Server Error"))
    # The arbiter aborts a worker stuck past `timeout` with SystemExit. Still waiting for the
    # request itself, the client is the slow one (a slow-loris); later it may be the app.
    if isinstance(exc, SystemExit) and not request_read:
        return 408, "Request Timeout", f"The request did not arrive within {cfg.timeout} s."
    if status == 414:
        detail = (f"The request line (method, URL and version) must be at most "
                  f"{cfg.limit_request_line} bytes.")
    elif status == 431:
        detail = (f"Send at most {cfg.limit_request_fields} header fields of at most "
                  f"{cfg.limit_request_field_size} bytes each.")
    elif status == 500:
        detail = "Something went wrong on our side."
    else:
        detail = str(exc)[:DETAIL_MAX] or title
    return status, title, detail


def problem_bytes(status: int, title: str, detail: str) -> bytes:
    """A whole HTTP/1.1 response carrying RFC 9457 problem details; the connection then closes."""
    code = HTTP_CODES.get(status, "http_error")
    # ensure_ascii: the head is latin-1 and the body must survive any byte the client sent.
    body = json.dumps(problem_body(status, code, title, detail)).encode("ascii")
    head = (f"HTTP/1.1 {status} {title}\r\n"
            f"Content-Type: {PROBLEM_JSON}\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n")
    return head.encode("latin-1") + body


class ProblemJSONWorker(SyncWorker):
    """SyncWorker whose own refusals (414, 431, 400...) are problem+json like the app's."""

    def handle_error(self, req, client, addr, exc):
        started = datetime.now()
        addr = addr or ("", -1)  # a unix socket has no peer address
        status, title, detail = refusal(exc, self.cfg, request_read=req is not None)
        if status == 500:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
        else:
            self.log.warning("Refused a request from ip=%s: %s %s", addr[0], status, detail)
        payload = problem_bytes(status, title, detail)
        if req is None and isinstance(exc, (http.InvalidHeader, http.InvalidHeaderName)):
            req = getattr(exc, "req", None)  # the request whose headers were refused
        if req is not None:
            self._log_access(req, client, addr, f"{status} {title}", len(payload), started)
        try:
            util.write_nonblock(client, payload)
        except Exception:  # noqa: BLE001 - the client may be gone; nothing more to tell it
            self.log.debug("Failed to send error message.")

    def _log_access(self, req, client, addr, status, length, started) -> None:
        # As gunicorn's own handle_error does, so an access log keeps the refused requests.
        environ = default_environ(req, client, self.cfg)
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = addr[0], str(addr[1])
        response = Response(req, client, self.cfg)
        response.status, response.response_length = status, length
        self.log.access(response, req, environ, datetime.now() - started)
