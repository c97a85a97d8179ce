"""serve's metrics directory: fresh per start when unset, a given one emptied of a past run."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from service.config import ConfigurationError
from service.observability.process import LOCK_FILE, child_exit, use_multiprocess_dir


def test_serve_makes_a_fresh_metrics_directory_when_none_is_given():
    env = {}
    first = use_multiprocess_dir(env)
    assert env["PROMETHEUS_MULTIPROC_DIR"] == first
    second = use_multiprocess_dir({})
    assert first != second, "two starts share no counts"


def test_a_given_directory_is_emptied_of_the_last_runs_values_only(tmp_path):
    (tmp_path / "counter_4242.db").write_bytes(b"stale")
    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"stale")
    (tmp_path / "notes.txt").write_text("the operator's")
    assert use_multiprocess_dir({"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}) == str(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == [LOCK_FILE, "notes.txt"]


def test_an_exited_worker_leaves_the_live_gauges(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    for name in ("gauge_livesum_4242.db", "counter_4242.db", "gauge_livesum_4343.db"):
        (tmp_path / name).write_bytes(b"")
    child_exit(server=None, worker=SimpleNamespace(pid=4242))
    # Its counts stay (requests it answered were answered); its connections are gone.
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "counter_4242.db", "gauge_livesum_4343.db"]


def test_a_metrics_directory_that_is_gone_fails_no_request_and_no_job(tmp_path):
    # A fresh interpreter: prometheus-client picks its storage once, at its first import.
    code = ("from service import metrics\n"
            "metrics.request_answered(None, 'GET', 200, 0.01)\n"
            "metrics.job_finished('demo', 0.0, failed=True)\n"
            "print('answered')\n")
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "gone")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "answered\n"
    assert "metrics: could not record request_answered" in done.stderr


def test_a_second_serve_given_the_directory_of_a_running_one_is_refused(tmp_path):
    # The running serve (another process) has recorded values; emptying the directory would
    # wipe them, and each serve would then report the other's requests as its own.
    code = ("import sys, time\n"
            "from service.observability.process import use_multiprocess_dir\n"
            "use_multiprocess_dir({'PROMETHEUS_MULTIPROC_DIR': sys.argv[1]})\n"
            "open(sys.argv[1] + '/counter_4242.db', 'w').write('live')\n"
            "print('serving', flush=True)\n"
            "time.sleep(60)\n")
    first = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline() == "serving\n"
        with pytest.raises(ConfigurationError, match="is in use by another running serve "
                                                     rf"\(pid {first.pid}\)"):
            use_multiprocess_dir({"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)})
        assert (tmp_path / "counter_4242.db").read_text() == "live"
    finally:
        first.kill()
        first.wait()
    # Once it has stopped, the directory is free again (its values then are a past run's).
    assert use_multiprocess_dir({"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}) == str(tmp_path)
    assert not (tmp_path / "counter_4242.db").exists()


def test_a_directory_that_cannot_be_made_is_refused_in_one_line(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ConfigurationError, match="PROMETHEUS_MULTIPROC_DIR .* cannot be used "
                                                 "for the metrics: Not a directory"):
        use_multiprocess_dir({"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "a-file" / "m")})
