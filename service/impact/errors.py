"""Refusals of the impact domain; each has its own stable code."""

from ..errors import Conflict, Forbidden, Invalid


class InvalidPeriod(Invalid):
    code, title = "invalid_period", "The period is not valid"


class NotYourSchool(Forbidden):
    code, title = "not_your_school", "A school's admin confirms for their own school"


class MonthNotEnded(Conflict):
    code, title = "month_not_ended", "Only a month that has ended can be confirmed"


class AlreadyConfirmed(Conflict):
    code, title = "already_confirmed", "This month is already confirmed"


class NothingToConfirm(Conflict):
    code, title = "nothing_to_confirm", "The enterprise gave this school nothing that month"
