"""HTTP layer of notifications and the calendar feed."""

from __future__ import annotations

from flask import Response, current_app, g, url_for
from flask.views import MethodView
from sqlalchemy import select

from ..accounts.auth import bearer_token, current_user
from ..accounts.services import user_for_token
from ..db import db
from ..errors import NotSignedIn
from ..http import Blueprint
from ..pagination import paginate
from . import calendar
from .models import Notification
from .schemas import (
    CalendarLinkSchema,
    CalendarQueryArgsSchema,
    NotificationPageSchema,
    NotificationQueryArgsSchema,
)

blp = Blueprint("notifications", __name__, url_prefix="/api/v1",
                description="What happened to me; my calendar.")


@blp.route("/me/notifications")
class MyNotifications(MethodView):
    @blp.arguments(NotificationQueryArgsSchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args):
        """My notifications, newest first"""
        stmt = select(Notification).where(Notification.user_id == current_user().id)
        if args.get("kind"):
            stmt = stmt.where(Notification.kind == args["kind"])
        return paginate(db.session, stmt, page=args["page"], page_size=args["page_size"],
                        sort=args["sort"], columns={"id": Notification.id,
                                                    "created_at": Notification.created_at},
                        tiebreak=Notification.id)


@blp.route("/me/calendar-link")
class MyCalendarLink(MethodView):
    @blp.response(200, CalendarLinkSchema)
    def get(self):
        """The secret URL of my calendar feed, for calendar apps"""
        key = calendar.feed_key(current_app.config["SECRET_KEY"], current_user())
        return {"url": url_for("notifications.MyCalendar", key=key, _external=True)}


@blp.route("/me/calendar.ics")
class MyCalendar(MethodView):
    @blp.arguments(CalendarQueryArgsSchema, location="query")
    @blp.response(200, content_type="text/calendar")
    @blp.doc(security=[{"bearerAuth": []}, {}])
    def get(self, args):
        """My reservations as iCalendar (sign in, or pass the key from /me/calendar-link)"""
        if args.get("key"):
            user = calendar.user_for_feed_key(db.session, current_app.config["SECRET_KEY"],
                                              args["key"])
        else:
            token = bearer_token()
            if token is None:
                raise NotSignedIn("Sign in, or use the secret URL from /me/calendar-link.",
                                  headers={"WWW-Authenticate": "Bearer"})
            user = user_for_token(db.session, token)
        g.user_id = user.id
        return Response(calendar.calendar_for(db.session, user), mimetype="text/calendar",
                        headers={"Content-Disposition": 'inline; filename="benchshare.ics"'})
