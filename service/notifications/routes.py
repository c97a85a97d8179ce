"""HTTP layer of notifications."""

from __future__ import annotations

from flask.views import MethodView

from ..accounts.auth import current_user
from ..db import db
from ..http import Blueprint
from . import queries
from .schemas import NotificationPageSchema, NotificationQueryArgsSchema

blp = Blueprint("notifications", __name__, url_prefix="/api/v1",
                description="What happened to me.")


@blp.route("/me/notifications")
class MyNotifications(MethodView):
    @blp.arguments(NotificationQueryArgsSchema, location="query")
    @blp.response(200, NotificationPageSchema)
    @blp.problems(401)
    def get(self, args):
        """My notifications, newest first"""
        return queries.list_notifications(db.session, current_user(), **args)
