"""Booking settings that come from the configuration, passed to the use cases as one value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class BookingPolicy:
    checkin_early_minutes: int = 15
    checkin_grace_minutes: int = 15
    hold_minutes: int = 30
    reminder_minutes: int = 60
    availability_max_days: int = 31
    series_max_occurrences: int = 100

    def check_in_window(self, starts_at: datetime) -> tuple[datetime, datetime]:
        """When a session starting at `starts_at` (and each attendee of a class) may check in:
        from CHECKIN_EARLY_MINUTES before its start to CHECKIN_GRACE_MINUTES after it."""
        return (starts_at - timedelta(minutes=self.checkin_early_minutes),
                starts_at + timedelta(minutes=self.checkin_grace_minutes))

    @classmethod
    def from_config(cls, config) -> BookingPolicy:
        return cls(
            checkin_early_minutes=config["CHECKIN_EARLY_MINUTES"],
            checkin_grace_minutes=config["CHECKIN_GRACE_MINUTES"],
            hold_minutes=config["WAITLIST_HOLD_MINUTES"],
            reminder_minutes=config["REMINDER_MINUTES"],
            availability_max_days=config["AVAILABILITY_MAX_DAYS"],
            series_max_occurrences=config["SERIES_MAX_OCCURRENCES"],
        )
