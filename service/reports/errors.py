"""Refusals of reports."""

from __future__ import annotations

from ..errors import Conflict, Invalid


class InvalidPeriod(Invalid):
    code, title = "invalid_report_period", "Not a report period"


class PeriodOpen(Conflict):
    code, title = "report_period_open", "The period has not ended yet"
