"""Refusals of reports."""

from __future__ import annotations

from ..errors import Invalid


class InvalidPeriod(Invalid):
    code, title = "invalid_report_period", "Not a report period"
