"""Refusals of the outcomes domain; each has its own stable code."""

from ..errors import Conflict, Forbidden, Invalid


class ReservationNotCompleted(Conflict):
    code, title = "reservation_not_completed", "Outcomes are recorded for completed sessions"


class OutcomeExists(Conflict):
    code, title = "outcome_exists", "This reservation already has its outcome"


class OutcomeLocked(Conflict):
    code, title = "outcome_locked", "The outcome can no longer be edited"


class NotHolderOrInstructor(Forbidden):
    code, title = "not_holder_or_instructor", (
        "Only the holder or an instructor of the holder's school records the outcome")


class NotTheAuthor(Forbidden):
    code, title = "not_outcome_author", "Only the outcome's author edits it"


class UnknownReservation(Invalid):
    code, title = "unknown_reservation", "No such reservation"


class UnknownSkill(Invalid):
    code, title = "unknown_skill", "Not a skill of the shared vocabulary"


class InvalidFreeTag(Invalid):
    code, title = "invalid_free_tag", "A free tag is 1 to 60 printable characters"


class SkillsRequired(Invalid):
    code, title = "skills_required", "Name at least one skill or free tag"


class TooManySkills(Invalid):
    code, title = "too_many_skills", "Too many skills and free tags"


class NotAnAttendee(Invalid):
    code, title = "not_an_attendee", "Trainees are the reservation's holder and attendees"


class TraineeCountTooSmall(Invalid):
    code, title = "trainee_count_too_small", "trainee_count is less than the trainees named"


class HoursExceedBooking(Invalid):
    code, title = "hours_exceed_booking", "More hours than the reservation was booked for"
