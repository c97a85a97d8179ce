"""Pure rules of idle equipment: judged weeks, the idle test, drafted windows; no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from service.idle import rules

D = Decimal
T = D("0.15")


def week(available, booked):
    return rules.Week(D(available), D(booked))


def test_the_last_complete_weeks_are_those_before_the_week_holding_the_day():
    assert rules.last_complete_weeks(date(2027, 3, 31), 4) == [
        date(2027, 3, 1), date(2027, 3, 8), date(2027, 3, 15), date(2027, 3, 22)]
    # A Monday's own week has only begun.
    assert rules.last_complete_weeks(date(2027, 3, 29), 1) == [date(2027, 3, 22)]
    assert rules.last_complete_weeks(date(2027, 3, 28), 1) == [date(2027, 3, 15)]


def test_a_week_is_closed_only_once_it_ended_in_every_zone():
    # Sunday 22:30 UTC: Monday 00:30 in Berlin (summer time), Sunday 15:30 in Los Angeles.
    now = datetime(2027, 3, 28, 22, 30, tzinfo=UTC)
    assert rules.last_closed_week(now, {"Europe/Berlin"}) == date(2027, 3, 22)
    assert rules.last_closed_week(now, {"Europe/Berlin", "America/Los_Angeles"}) == \
        date(2027, 3, 15)
    # Kiritimati (UTC+14) is in Monday while UTC is still on Sunday noon.
    assert rules.last_closed_week(datetime(2027, 3, 28, 12, tzinfo=UTC),
                                  {"Pacific/Kiritimati"}) == date(2027, 3, 22)


def test_judged_weeks_refuse_nonsense():
    with pytest.raises(ValueError):
        rules.judged_weeks(date(2027, 3, 23), 2)  # a Tuesday
    with pytest.raises(ValueError):
        rules.judged_weeks(date(2027, 3, 22), 0)


def test_idle_is_strictly_under_the_threshold_in_every_week():
    assert rules.is_idle([week(50, "7.4999"), week(50, 0)], 2, T)
    assert not rules.is_idle([week(50, "7.5"), week(50, 0)], 2, T), "at the threshold"
    assert not rules.is_idle([week(50, 0), week(0, 0)], 2, T), "nothing available"
    assert not rules.is_idle([week(50, 0), None], 2, T), "no figure for a week"
    assert not rules.is_idle([week(50, 0)], 2, T), "fewer weeks than judged"
    assert not rules.is_idle([week(50, 0)], 1, D(0)), "nothing is under 0 %"


def test_an_item_counts_from_the_start_of_the_first_judged_week_in_its_zone():
    monday = date(2027, 3, 1)
    midnight = datetime(2027, 3, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert rules.existed_throughout(midnight, monday, "Asia/Shanghai")
    assert not rules.existed_throughout(midnight.replace(minute=1), monday, "Asia/Shanghai")
    assert not rules.existed_throughout(None, monday, "Asia/Shanghai")


def test_totals_and_weekly_budget():
    assert rules.totals([week(50, 2), week(40, 0)]) == (D(90), D(2), D(88))
    assert rules.weekly_budget(D(198), 4) == 49
    assert rules.weekly_budget(D("0.5"), 4) == 1
    assert rules.weekly_budget(D(1000), 4) == 168


def test_the_draft_starts_next_monday_in_the_items_zone():
    # Sunday 20:00 UTC is Monday 04:00 in Shanghai: the next Monday is a week on there.
    now = datetime(2027, 3, 28, 20, tzinfo=UTC)
    assert rules.next_monday(now, "Asia/Shanghai") == date(2027, 4, 5)
    assert rules.next_monday(now, "Europe/Berlin") == date(2027, 3, 29)


def test_the_draft_window_opens_the_base_hours_for_four_weeks():
    hours = [(2, time(13), time(17)), (1, time(8), time(12)), (2, time(8), time(12))]
    assert rules.draft_window(hours, date(2027, 4, 5)) == {
        "starts_on": date(2027, 4, 5), "ends_on": date(2027, 5, 2),
        "spans": [{"weekday": 1, "opens": time(8), "closes": time(12)},
                  {"weekday": 2, "opens": time(8), "closes": time(12)},
                  {"weekday": 2, "opens": time(13), "closes": time(17)}]}


def test_the_suggestion_follows_the_owner():
    assert rules.suggestion("school") == "share_or_move"
    assert rules.suggestion("enterprise") == "offer_to_schools"
