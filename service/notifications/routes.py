"""HTTP layer of notifications."""

from __future__ import annotations

from flask.views import MethodView

from ..accounts.auth import current_user
from ..db import db
from ..http import Blueprint
from . import queries, services
from .schemas import (
    MarkReadSchema,
    NotificationPageSchema,
    NotificationQueryArgsSchema,
    UnreadCountSchema,
)

blp = Blueprint("notifications", __name__, url_prefix="/api/v1",
                description="What happened to me.")


@blp.route("/me/notifications")
class MyNotifications(MethodView):
    @blp.arguments(NotificationQueryArgsSchema, location="query")
    @blp.response(200, NotificationPageSchema)
    @blp.problems(401)
    def get(self, args):
        """My notifications, newest first

        `unread` in the answer counts all of your unread notices, whatever the filters;
        `?unread=true` lists only those.
        """
        return queries.list_notifications(db.session, current_user(), **args)


@blp.route("/me/notifications/read")
class MarkNotificationsRead(MethodView):
    @blp.arguments(MarkReadSchema)
    @blp.response(200, UnreadCountSchema)
    @blp.problems(401)
    def post(self, body):
        """Mark my notifications read: {"ids": [...]} or {"all": true}

        Exactly one of the two (else 422 naming the field). Ids that are not yours, or no
        longer exist, are ignored; marking a read notice again changes nothing. Answers how
        many of yours stay unread.
        """
        return {"unread": services.mark_read(db.session, user_id=current_user().id,
                                             ids=body.get("ids"),
                                             everything=body.get("all", False))}
