"""Booking settings that come from the configuration, passed to the use cases as one value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BookingPolicy:
    checkin_early_minutes: int = 15
    checkin_grace_minutes: int = 15
    hold_minutes: int = 30
    reminder_minutes: int = 60
    availability_max_days: int = 31
    series_max_occurrences: int = 100

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
