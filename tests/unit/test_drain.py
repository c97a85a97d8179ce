"""The draining arbiter: SIGTERM turns readiness false, the graceful stop follows the drain."""

from __future__ import annotations

import logging
import queue
import time
from types import SimpleNamespace

import pytest
from flask import Flask

from service.drain import DrainFlag, draining_arbiter, is_draining


def _arbiter(seconds: float):
    """The arbiter's signal handling alone, without a server to arbitrate."""
    flag = DrainFlag()
    cls = draining_arbiter(flag, seconds)
    arbiter = cls.__new__(cls)
    arbiter.log = logging.getLogger("test.drain")
    arbiter.cfg = SimpleNamespace(graceful_timeout=30)
    arbiter.SIG_QUEUE = queue.SimpleQueue()
    return arbiter, flag


def test_sigterm_without_a_drain_stops_at_once_as_gunicorn_does():
    arbiter, flag = _arbiter(0)
    with pytest.raises(StopIteration):
        arbiter.handle_term()
    assert not flag.draining


def test_sigterm_turns_readiness_false_and_the_stop_follows_the_drain():
    arbiter, flag = _arbiter(0.3)
    app = Flask(__name__)
    flag.init_app(app)
    assert not is_draining(app)

    asked = time.monotonic()
    arbiter.handle_term()
    assert is_draining(app)
    arbiter.handle_term()  # a second SIGTERM neither stops at once nor lengthens the drain
    with pytest.raises(StopIteration):
        while True:
            assert arbiter.wait_for_signals(timeout=1.0) == []
    assert 0.3 <= time.monotonic() - asked < 0.6


def test_an_app_outside_serve_is_never_draining():
    assert not is_draining(Flask(__name__))


class _TimeoutsNeverEnd(queue.SimpleQueue):
    """The signal queue as a process under libfaketime sees it (the browser tests' servers):
    a timed wait ends when something is put in the queue, not when its timeout is up (here:
    seconds late, so that a drain relying on it fails rather than hangs)."""

    def get(self, block=True, timeout=None):
        return super().get(block=block, timeout=None if timeout is None else timeout + 3)


def test_the_drain_ends_even_when_the_main_loops_timed_wait_never_does():
    arbiter, _ = _arbiter(0.3)
    arbiter.SIG_QUEUE = _TimeoutsNeverEnd()
    asked = time.monotonic()
    arbiter.handle_term()
    with pytest.raises(StopIteration):
        while True:
            arbiter.wait_for_signals(timeout=1.0)
            assert time.monotonic() - asked < 5, "the drain never ended"
    assert 0.3 <= time.monotonic() - asked < 1.0
