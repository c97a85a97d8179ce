"""`benchshare serve` starts one sync worker per core it may use, unless told otherwise."""

from __future__ import annotations

import os

import pytest

from service.gunicorn_worker import default_workers, usable_cores

AFFINITY = len(os.sched_getaffinity(0))


def test_web_concurrency_wins():
    assert default_workers({"WEB_CONCURRENCY": "3"}) == 3


def test_without_it_one_worker_per_usable_core():
    assert default_workers({}) == usable_cores() >= 1


def test_a_container_quota_caps_the_cores(tmp_path):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")  # --cpus 1.5: two cores' worth of workers
    assert usable_cores(cpu_max) == min(AFFINITY, 2)
    cpu_max.write_text("50000 100000\n")  # half a core still gets a worker
    assert usable_cores(cpu_max) == 1


def test_no_quota_leaves_the_affinity(tmp_path):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("max 100000\n")
    assert usable_cores(cpu_max) == AFFINITY
    assert usable_cores(tmp_path / "absent") == AFFINITY


def test_a_malformed_setting_is_refused_by_name():
    with pytest.raises(ValueError, match="WEB_CONCURRENCY"):
        default_workers({"WEB_CONCURRENCY": "four"})
