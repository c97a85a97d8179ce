"""Pure catalogue rules, without a database."""

from __future__ import annotations

from datetime import time

import pytest

from service.catalogue.rules import booking_rule_problems, is_valid_timezone, opening_hours_problems


@pytest.mark.parametrize("name", ["Asia/Shanghai", "Europe/Berlin", "UTC", "America/New_York"])
def test_iana_zones_are_valid(name):
    assert is_valid_timezone(name)


@pytest.mark.parametrize("name", ["", "Mars/Base", "+08:00", "CST ", "asia/shanghai",
                                  "../etc/passwd", "Asia/Shanghai\x00"])
def test_other_strings_are_not_time_zones(name):
    assert not is_valid_timezone(name)


def test_adjacent_spans_of_a_day_are_fine():
    assert opening_hours_problems([(1, time(8), time(12)), (1, time(12), time(17)),
                                   (2, time(8), time(12))]) == []


def test_overlapping_spans_of_a_day_are_reported():
    problems = opening_hours_problems([(3, time(13), time(17)), (3, time(8), time(14))])
    assert problems == ["Day 3: spans overlap at 13:00."]


def test_a_span_must_open_before_it_closes():
    assert opening_hours_problems([(1, time(18), time(8))]) == [
        "Day 1: 18:00 must be before 08:00."]


def test_durations_must_sit_on_the_slot_grid():
    assert booking_rule_problems(slot_minutes=30, min_duration_minutes=60,
                                 max_duration_minutes=240) == {}
    assert booking_rule_problems(slot_minutes=30, min_duration_minutes=45,
                                 max_duration_minutes=240) == {
        "min_duration_minutes": ["Must be a multiple of 30."]}
    assert booking_rule_problems(slot_minutes=30, min_duration_minutes=120,
                                 max_duration_minutes=60) == {
        "max_duration_minutes": ["Must be at least min_duration_minutes."]}
    assert "slot_minutes" in booking_rule_problems(slot_minutes=7, min_duration_minutes=7,
                                                   max_duration_minutes=7)
