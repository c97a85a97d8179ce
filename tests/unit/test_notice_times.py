"""Notices print local times with their offset: the two 02:30s of an autumn night read apart
(issue 10, finding 2)."""

from __future__ import annotations

from datetime import UTC, datetime

from service.notifications.services import Occasion, notice, wall_time

BERLIN = "Europe/Berlin"


def _occasion(starts_at, ends_at, **fields) -> Occasion:
    return Occasion(equipment_id=1, equipment_name="Lathe", asset_tag="L-1",
                    base_name="Werk", timezone=BERLIN, starts_at=starts_at, ends_at=ends_at,
                    **fields)


def test_the_two_passes_of_the_repeated_hour_read_apart():
    first = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert wall_time(first, BERLIN) == "2027-10-31 02:30 (UTC+02:00)"
    assert wall_time(second, BERLIN) == "2027-10-31 02:30 (UTC+01:00)"
    assert wall_time(second, "Asia/Kolkata", day=False) == "07:00 (UTC+05:30)"


def test_a_notice_gives_start_end_and_deadline_with_offsets():
    body = notice(_occasion(datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
                            datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
                            hold_expires_at=datetime(2027, 10, 31, 0, 15, tzinfo=UTC)),
                  "waitlist_offer")["body"]
    assert "2027-10-31 02:30 (UTC+02:00) to 02:30 (UTC+01:00), Europe/Berlin" in body
    assert "Confirm it before 2027-10-31 02:15 (UTC+02:00)." in body


def test_a_booking_over_midnight_names_both_days():
    body = notice(_occasion(datetime(2027, 1, 4, 22, tzinfo=UTC),
                            datetime(2027, 1, 5, 1, tzinfo=UTC)), "confirmed")["body"]
    assert "2027-01-04 23:00 (UTC+01:00) to 2027-01-05 02:00 (UTC+01:00)" in body
