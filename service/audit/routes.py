"""HTTP layer of the audit history."""

from __future__ import annotations

from flask.views import MethodView

from ..accounts.auth import current_user
from ..db import db
from ..http import Blueprint
from . import queries
from .schemas import AuditEntryPageSchema, AuditQueryArgsSchema

blp = Blueprint("audit", __name__, url_prefix="/api/v1",
                description="Who changed what, when: the before and after of every write.")


@blp.route("/audit")
class AuditEntries(MethodView):
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEntryPageSchema)
    @blp.problems(401, 403)
    def get(self, args):
        """The audit history of your organisation, newest first

        For a school's admins and an enterprise's managers (their organisation's entries)
        and the platform's operators (the platform's own entries and each organisation's
        profile, nothing inside an organisation); anyone else: 403 audit_not_allowed.
        Reservations keep their own history (GET /reservations/{id}/history).
        """
        return queries.list_entries(db.session, current_user(), **args)
