"""Refusals of the audit history."""

from ..errors import Forbidden


class NotAnAuditReader(Forbidden):
    code, title = "audit_not_allowed", "Only an organisation's admins read its audit history"
