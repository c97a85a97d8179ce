"""Offer window rules without a database: their shape, and their spans across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from service.offers import rules
from service.offers.rules import Window


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def window(starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31), spans=None) -> Window:
    return Window(starts_on, ends_on, tuple(spans or [(1, time(8), time(12))]))


def test_a_sound_window_has_no_errors():
    assert rules.window_errors(window(), max_days=366) == []


def test_a_window_ending_before_it_starts_is_refused():
    assert rules.window_errors(window(date(2027, 3, 2), date(2027, 3, 1)), max_days=366) == [
        "ends_on must not be before starts_on."]


def test_a_window_longer_than_the_limit_is_refused():
    assert rules.window_errors(window(date(2027, 1, 1), date(2027, 1, 31)), max_days=30) == [
        "A window covers at most 30 days."]
    assert rules.window_errors(window(date(2027, 1, 1), date(2027, 1, 30)), max_days=30) == []


def test_spans_must_close_after_they_open_and_not_overlap_on_one_weekday():
    problems = rules.window_errors(window(spans=[
        (1, time(8), time(12)), (1, time(11), time(14)), (2, time(9), time(9)),
        (3, time(8), time(12)), (3, time(12), time(14))]), max_days=366)
    assert problems == ["On weekday 2 the span must close after 09:00.",
                        "Spans on weekday 1 overlap."]


def test_a_window_needs_a_span():
    assert "Give at least one weekly span." in rules.window_errors(
        Window(date(2027, 3, 1), date(2027, 3, 2), ()), max_days=366)


def test_windows_of_one_offer_must_not_share_days():
    first = window(date(2027, 3, 1), date(2027, 3, 31))
    touching = window(date(2027, 4, 1), date(2027, 4, 30))
    sharing = window(date(2027, 3, 31), date(2027, 4, 30))
    assert rules.windows_errors([first, touching], max_days=366) == {}
    assert rules.windows_errors([sharing, first], max_days=366) == {
        "windows": ["Windows must not share days."]}
    assert rules.windows_errors([], max_days=366) == {"windows": ["Give at least one window."]}
    assert rules.windows_errors([first, window(spans=[(1, time(9), time(8))])],
                                max_days=366) == {
        "windows.1": ["On weekday 1 the span must close after 09:00."],
        "windows": ["Windows must not share days."]}


def test_window_spans_keep_local_hours_across_the_spring_change_in_berlin():
    # Berlin moves to summer time on Sunday 2027-03-28 at 02:00 (CET +01 -> CEST +02).
    dst = window(date(2027, 3, 27), date(2027, 3, 28),
                 [(6, time(8), time(12)), (7, time(8), time(12))])
    assert rules.window_spans(dst, "Europe/Berlin", utc(2027, 3, 1), utc(2027, 4, 30)) == [
        (utc(2027, 3, 27, 7), utc(2027, 3, 27, 11)),
        (utc(2027, 3, 28, 6), utc(2027, 3, 28, 10))]


def test_a_span_over_the_spring_night_is_an_hour_shorter():
    night = window(date(2027, 3, 28), date(2027, 3, 28), [(7, time(1), time(4))])
    [(start, end)] = rules.window_spans(night, "Europe/Berlin", utc(2027, 3, 27),
                                        utc(2027, 3, 29))
    assert (start, end) == (utc(2027, 3, 28, 0), utc(2027, 3, 28, 2))


def test_a_span_over_the_autumn_night_is_an_hour_longer():
    # Berlin goes back to winter time on Sunday 2027-10-31 at 03:00 (CEST -> CET).
    night = window(date(2027, 10, 31), date(2027, 10, 31), [(7, time(1), time(4))])
    [(start, end)] = rules.window_spans(night, "Europe/Berlin", utc(2027, 10, 30),
                                        utc(2027, 11, 1))
    assert (start, end) == (utc(2027, 10, 30, 23), utc(2027, 10, 31, 3))
    assert (end - start).total_seconds() == 4 * 3600


def test_window_days_are_local_days_inclusive_and_clipped_to_the_range():
    # A window of one Monday in Shanghai (+08:00): its day starts at 16:00 UTC the day before.
    monday = window(date(2027, 1, 4), date(2027, 1, 4), [(1, time(0), time(23, 59))])
    assert rules.window_bounds(monday, "Asia/Shanghai") == (utc(2027, 1, 3, 16),
                                                            utc(2027, 1, 4, 16))
    assert rules.window_spans(monday, "Asia/Shanghai", utc(2027, 1, 4, 2),
                              utc(2027, 1, 4, 3)) == [(utc(2027, 1, 4, 2), utc(2027, 1, 4, 3))]
    assert rules.window_spans(monday, "Asia/Shanghai", utc(2027, 1, 5), utc(2027, 1, 6)) == []


def test_offer_spans_join_every_window_in_order():
    march = window(date(2027, 3, 1), date(2027, 3, 7), [(1, time(8), time(10))])
    april = window(date(2027, 4, 5), date(2027, 4, 11), [(1, time(8), time(10))])
    assert rules.offer_spans([april, march], "UTC", utc(2027, 1, 1), utc(2027, 12, 31)) == [
        (utc(2027, 3, 1, 8), utc(2027, 3, 1, 10)), (utc(2027, 4, 5, 8), utc(2027, 4, 5, 10))]


def test_an_offer_has_ended_once_its_last_day_is_over_in_every_zone():
    last = [window(date(2027, 3, 1), date(2027, 3, 31))]
    # Midnight after 31 March: 16:00 UTC in Shanghai, 22:00 UTC in Berlin (summer time).
    assert not rules.ended(last, ["Asia/Shanghai"], utc(2027, 3, 31, 15, 59))
    assert rules.ended(last, ["Asia/Shanghai"], utc(2027, 3, 31, 16))
    assert not rules.ended(last, ["Asia/Shanghai", "Europe/Berlin"], utc(2027, 3, 31, 21))
    assert rules.ended(last, ["Asia/Shanghai", "Europe/Berlin"], utc(2027, 3, 31, 22))
    assert not rules.ended([], ["UTC"], utc(2099, 1, 1))
