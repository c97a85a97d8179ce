"""Refusals of the booking engine; each has its own stable code."""

from ..errors import Conflict, Forbidden, Invalid


class ReservationConflict(Conflict):
    code, title = "reservation_conflict", "The item is already booked then"


class InvalidSpan(Invalid):
    code, title = "invalid_span", "The reservation must end after it starts"


class NotOnSlotGrid(Invalid):
    code, title = "not_on_slot_grid", "Start and end must sit on the item's slot grid"


class DurationOutOfRange(Invalid):
    code, title = "duration_out_of_range", "The duration is outside the item's limits"


class StartsInPast(Invalid):
    code, title = "starts_in_past", "A reservation cannot start in the past"


class BeyondBookingHorizon(Invalid):
    code, title = "beyond_booking_horizon", "Too far ahead for this item"


class OutsideOpeningHours(Invalid):
    code, title = "outside_opening_hours", "The base is not open for all of this span"


class BaseClosed(Invalid):
    code, title = "base_closed", "The base is closed on that day"


class EquipmentBlackedOut(Conflict):
    code, title = "equipment_blacked_out", "The item is blacked out then"


class EquipmentUnavailable(Conflict):
    code, title = "equipment_unavailable", "The item is not in service"


class QualificationRequired(Forbidden):
    code, title = "qualification_required", "A valid qualification for this category is needed"


class QuotaExceeded(Conflict):
    code, title = "quota_exceeded", "This would exceed the booking quota"


class TooManyAttendees(Invalid):
    code, title = "too_many_attendees", "More people than the item allows"


class InvalidTransition(Conflict):
    code, title = "invalid_transition", "The reservation cannot make this change now"


class OutsideCheckInWindow(Conflict):
    code, title = "outside_check_in_window", "Check-in is not open now"


class CheckOutBeforeStart(Conflict):
    code, title = "check_out_before_start", "A session is checked out from its start on"


class HoldExpired(Conflict):
    code, title = "hold_expired", "The waitlist offer has expired"


class ReasonRequired(Invalid):
    code, title = "reason_required", "Give a reason"


class BlackoutConflict(Conflict):
    code, title = "blackout_conflict", "Reservations fall inside the blackout"


class BlackoutInPast(Conflict):
    code, title = "blackout_in_past", "The blackout is over: the past stays as it was"


class SeriesConflict(Conflict):
    code, title = "series_conflict", "Some dates of the series cannot be booked"


class SlotAvailable(Conflict):
    code, title = "slot_available", "The slot is free: book it instead of waiting"


class NotOfferedToYou(Forbidden):
    code, title = "not_offered_to_your_school", "The enterprise does not offer this item to you"


class OutsideOfferWindow(Invalid):
    code, title = "outside_offer_window", "The span is outside the offer's windows"


class OfferBudgetExceeded(Conflict):
    code, title = "offer_budget_exceeded", "This would exceed the offer's weekly hours"


class DecisionDeadlinePassed(Conflict):
    code, title = "decision_deadline_passed", "The request was not decided in time"
