"""Refusals of reports."""

from __future__ import annotations

from ..errors import Conflict, Forbidden, Invalid


class InvalidPeriod(Invalid):
    code, title = "invalid_report_period", "Not a report period"


class PeriodOpen(Conflict):
    code, title = "report_period_open", "The period has not ended yet"


class NotSchoolAdmin(Forbidden):
    code, title = "not_school_admin", "The partner-equipment report is a school administrator's"
