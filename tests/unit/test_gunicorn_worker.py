"""The problem+json answers of the gunicorn worker, without a server."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from gunicorn.http import errors as http

from service.gunicorn_worker import SETTINGS, problem_bytes, refusal

CFG = SimpleNamespace(limit_request_line=4094, limit_request_fields=100,
                      limit_request_field_size=8190, timeout=30)


@pytest.mark.parametrize("exc, status", [
    (http.LimitRequestLine(5000, 4094), 414),
    (http.LimitRequestHeaders("limit request headers fields"), 431),
    (http.InvalidRequestLine("GET /\xff"), 400),
    (http.InvalidHeader("CONTENT-LENGTH"), 400),
    (http.InvalidChunkSize(b"zz"), 400),
    (http.InvalidProxyHeader("bad"), 400),           # gunicorn itself answers this with a 500
    (http.UnsupportedTransferCoding("gzip"), 501),
    (http.InvalidResponseHeader("X-Bad"), 500),      # the app's header, though an InvalidHeader
    (RuntimeError("boom"), 500),
])
def test_each_refusal_gets_its_status(exc, status):
    assert refusal(exc, CFG)[0] == status


def test_a_worker_timeout_before_the_request_arrived_is_the_clients_408():
    status, _, detail = refusal(SystemExit(1), CFG, request_read=False)
    assert status == 408 and "30 s" in detail


def test_a_worker_timeout_once_the_request_was_read_stays_a_500():
    assert refusal(SystemExit(1), CFG, request_read=True)[0] == 500


def test_a_refusal_is_a_whole_problem_json_response_that_closes_the_connection():
    raw = problem_bytes(*refusal(http.LimitRequestLine(5000, 4094), CFG))
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 414 URI Too Long"
    assert "Content-Type: application/problem+json" in lines
    assert "Connection: close" in lines
    assert f"Content-Length: {len(body)}" in lines
    problem = json.loads(body)
    assert problem["code"] == "uri_too_long" and problem["status"] == 414
    assert "4094" in problem["detail"]


def test_client_bytes_echoed_in_the_detail_are_escaped_and_bounded():
    status, title, detail = refusal(http.InvalidRequestLine("\xff\u2028" * 500), CFG)
    body = problem_bytes(status, title, detail).partition(b"\r\n\r\n")[2]
    assert body.isascii()
    assert len(json.loads(body)["detail"]) <= 200


def test_serve_selects_the_worker_and_pins_the_limits():
    assert SETTINGS["worker_class"] == "service.gunicorn_worker.ProblemJSONWorker"
    assert (SETTINGS["limit_request_line"], SETTINGS["limit_request_fields"],
            SETTINGS["limit_request_field_size"]) == (4094, 100, 8190)
