"""Refusals of the classes domain, each a stable machine code."""

from __future__ import annotations

from ..errors import Conflict, Forbidden, Invalid


class ClassNameTaken(Conflict):
    code, title = "class_name_taken", "Your school already has a class of that name"


class UnknownClass(Invalid):
    code, title = "unknown_class", "Your school has no class of that name"


class ClassEmpty(Invalid):
    code, title = "class_empty", "The class has no active members to book for"


class NotStudentsOfYourSchool(Invalid):
    code, title = "not_students_of_your_school", "A class holds students of its own school"


class ClassBookingNotAllowed(Forbidden):
    code, title = "class_booking_not_allowed", "Only instructors and admins book for a class"
