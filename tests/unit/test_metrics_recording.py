"""Recording figures in-process: the families are made once, whichever thread comes first."""

from __future__ import annotations

import subprocess
import sys


def test_the_first_values_recorded_by_several_threads_at_once_are_all_counted():
    # A fresh interpreter: the families are made once per process, at the first value. A
    # scheduler's jobs (and a worker's pool events) often record their first values together.
    # prometheus-client is imported by the first value too, as in `benchshare scheduler`.
    code = ("import threading\n"
            "from service import metrics\n"
            "ready = threading.Barrier(8)\n"
            "def run():\n"
            "    ready.wait()\n"
            "    metrics.job_finished('demo', 0.0)\n"
            "threads = [threading.Thread(target=run) for _ in range(8)]\n"
            "for each in threads: each.start()\n"
            "for each in threads: each.join()\n"
            "from prometheus_client import REGISTRY\n"
            "print(REGISTRY.get_sample_value('benchshare_job_runs_total', {'job': 'demo'}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "8.0\n"
    assert "could not record" not in done.stderr
