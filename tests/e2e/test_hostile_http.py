"""Hostile HTTP on the wire to a real `benchshare serve`: what gunicorn refuses, bodies too big."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from service.gunicorn_worker import (
    LIMIT_REQUEST_FIELD_SIZE,
    LIMIT_REQUEST_FIELDS,
    LIMIT_REQUEST_LINE,
)

pytestmark = pytest.mark.e2e

BODY_LIMIT = 1024 * 1024  # MAX_BODY_BYTES's default, which `serve` runs with here
LOGIN = json.dumps({"email": "admin@school.example", "password": "benchshare-demo"}).encode()


@pytest.fixture(scope="module")
def server(served_app):
    """One `benchshare serve --demo` of the module's own (tests/e2e/app_browser.py's, on a copy
    of the run's seeded demo: it starts in seconds where seeding one takes tens)."""
    service, _ = served_app
    return service


class Answer:
    def __init__(self, raw: bytes):
        head, _, self.raw_body = raw.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {name.lower(): value.strip()
                        for name, _, value in (line.partition(":") for line in lines)}

    @property
    def body(self):
        return json.loads(self.raw_body)


def exchange(server, head: bytes, body_parts=()) -> Answer:
    """Send a raw request and read the answer until the server closes the connection.

    The body goes out from a second thread, so that an answer sent before the body is read
    (a 413) reaches us while we are still sending, as it would reach a real client.
    """
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sender = threading.Thread(target=_send_all, args=(sock, [head, *body_parts]))
        sender.start()
        received = bytearray()
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass  # the server closed with our body unread; what it answered first is here
        try:
            sock.shutdown(socket.SHUT_RDWR)  # wakes the sender if it is still blocked
        except OSError:
            pass  # already closed by the server
        sender.join(15)
    assert received, "the server closed without answering"
    return Answer(bytes(received))


def _send_all(sock, parts) -> None:
    try:
        for part in parts:
            sock.sendall(part)
    except OSError:
        pass  # the server stopped reading: expected once it has refused the body


def request_head(method: str, target: str, *headers: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1")


def chunked(body: bytes, size: int = 64 * 1024) -> list[bytes]:
    parts = [b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size])
             for i in range(0, len(body), size)]
    return [*parts, b"0\r\n\r\n"]


def assert_problem(answer: Answer, status: int, code: str) -> dict:
    assert answer.status == status, answer.raw_body[:500]
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.body
    assert body["status"] == status and body["code"] == code
    assert body["title"] and body["detail"] and body["type"].endswith(code)
    return body


JSON_CHUNKED = ("Content-Type: application/json", "Transfer-Encoding: chunked")


# ---------------------------------------------------------------- bodies past the limit

def test_chunked_login_padded_with_2_mib_of_spaces_is_413_and_issues_no_token(server):
    padded = LOGIN + b" " * (2 * 1024 * 1024)
    answer = exchange(server, request_head("POST", "/api/v1/auth/token", *JSON_CHUNKED),
                      chunked(padded))
    body = assert_problem(answer, 413, "payload_too_large")
    assert "access_token" not in body


def test_chunked_garbage_past_the_limit_is_413(server):
    answer = exchange(server, request_head("POST", "/api/v1/auth/token", *JSON_CHUNKED),
                      chunked(b"\xff" * (2 * BODY_LIMIT)))
    assert_problem(answer, 413, "payload_too_large")


def test_login_padded_past_the_limit_with_a_content_length_is_413(server):
    padded = LOGIN + b" " * (2 * 1024 * 1024)
    answer = exchange(server, request_head("POST", "/api/v1/auth/token",
                                           "Content-Type: application/json",
                                           f"Content-Length: {len(padded)}"), [padded])
    body = assert_problem(answer, 413, "payload_too_large")
    assert "access_token" not in body


def test_chunked_login_within_the_limit_signs_in(server):
    padded = LOGIN + b" " * (BODY_LIMIT - len(LOGIN))
    answer = exchange(server, request_head("POST", "/api/v1/auth/token", *JSON_CHUNKED),
                      chunked(padded))
    assert answer.status == 200, answer.raw_body[:500]
    assert answer.body["token_type"] == "Bearer" and answer.body["access_token"]


def test_chunked_body_with_a_broken_chunk_size_is_400_problem(server):
    answer = exchange(server, request_head("POST", "/api/v1/auth/token", *JSON_CHUNKED),
                      [b"zz\r\n" + LOGIN + b"\r\n0\r\n\r\n"])
    assert_problem(answer, 400, "bad_request")


# ---------------------------------------------------------------- what gunicorn refuses itself

def test_url_over_the_request_line_limit_is_414_problem(server):
    answer = exchange(server, request_head("GET", "/healthz?q=" + "a" * LIMIT_REQUEST_LINE))
    body = assert_problem(answer, 414, "uri_too_long")
    assert str(LIMIT_REQUEST_LINE) in body["detail"]
    assert answer.headers["connection"] == "close"


def test_url_just_within_the_request_line_limit_reaches_the_app(server):
    target = "/no-such-page?q="
    target += "a" * (LIMIT_REQUEST_LINE - len(f"GET {target} HTTP/1.1"))
    assert_problem(exchange(server, request_head("GET", target)), 404, "not_found")


def test_a_20_kb_header_is_431_problem(server):
    answer = exchange(server, request_head("GET", "/healthz", "X-Big: " + "a" * 20_000))
    body = assert_problem(answer, 431, "headers_too_large")
    assert str(LIMIT_REQUEST_FIELD_SIZE) in body["detail"]
    assert answer.headers["connection"] == "close"


def test_headers_just_within_the_limits_reach_the_app(server):
    longest = "X-Big: " + "a" * (LIMIT_REQUEST_FIELD_SIZE - len("X-Big: \r\n"))
    more = [f"X-H{i}: {i}" for i in range(LIMIT_REQUEST_FIELDS - 2)]  # with Host: the limit
    answer = exchange(server, request_head("GET", "/healthz", longest, *more))
    assert answer.status == 200, answer.raw_body[:500]


def test_120_headers_are_431_problem(server):
    headers = [f"X-H{i}: {i}" for i in range(120)]
    answer = exchange(server, request_head("GET", "/healthz", *headers))
    assert_problem(answer, 431, "headers_too_large")
    assert answer.headers["connection"] == "close"


def test_a_raw_non_ascii_request_line_is_400_problem(server):
    answer = exchange(server, b"GET /caf\xc3\xa9\xff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert_problem(answer, 400, "bad_request")
    assert answer.headers["connection"] == "close"


def test_content_length_together_with_chunked_is_400_problem(server):
    answer = exchange(server, request_head("POST", "/api/v1/auth/token", *JSON_CHUNKED,
                                           f"Content-Length: {len(LOGIN)}"), chunked(LOGIN))
    body = assert_problem(answer, 400, "bad_request")
    assert "access_token" not in body
    assert answer.headers["connection"] == "close"


def test_the_service_still_answers_after_the_hostile_requests(server):
    answer = exchange(server, request_head("GET", "/readyz"))
    assert answer.status == 200
