"""The notification outbox."""

from __future__ import annotations

from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    event,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..db import IdMixin, db, one_of

RESERVATION_KINDS = ("confirmed", "approved", "rejected", "cancelled", "reminder", "no_show",
                     "waitlist_offer", "pending_approval", "lapsed")
# What approvers, attendees of a class and waiting users are told besides the holder.
TRUST_KINDS = ("request_received", "request_lapsing", "class_booked", "class_moved",
               "class_cancelled", "waitlist_passed_over", "qualification_revoked")
OFFER_KINDS = ("offer_submitted", "offer_approved", "offer_rejected", "offer_withdrawn",
               "offer_expired")
# What enterprises get back: the monthly impact summary; what a school's admin is reminded of.
EXCHANGE_KINDS = ("impact_summary", "outcomes_owed", "contribution_confirmed")
# What an owner is told each week: items that sat idle (a suggestion to share or offer them).
REPORT_KINDS = ("idle_equipment",)
# access: the links that set a password, sent by e-mail only (never listed in the app: the
# person has no password yet, or lost it).
EMAIL_ONLY_KINDS = ("invitation", "password_reset")
# Their links' tokens, struck from the outbox's copy once it is sent (or failed for good).
LINK_TOKEN = r"#token=[A-Za-z0-9_-]+"
KINDS = (*RESERVATION_KINDS, *OFFER_KINDS, *EXCHANGE_KINDS, *REPORT_KINDS, *TRUST_KINDS,
         *EMAIL_ONLY_KINDS)
DELIVERY = ("pending", "sending", "sent", "failed")


class Notification(IdMixin, db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(one_of("kind", KINDS), name="kind"),
        CheckConstraint(one_of("delivery", DELIVERY), name="delivery"),
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        Index("ix_notifications_pending", "id", postgresql_where=text("delivery = 'pending'")),
        # Claimed notices by the end of their lease: the ones whose sender died are found here.
        Index("ix_notifications_sending", "lease_expires_at",
              postgresql_where=text("delivery = 'sending'")),
        # Failed notices are counted on every readiness probe and metrics scrape.
        Index("ix_notifications_failed", "id", postgresql_where=text("delivery = 'failed'")),
        # A reservation's reminder goes out once, however often the job runs.
        Index("uq_notifications_one_reminder", "reservation_id", unique=True,
              postgresql_where=text("kind = 'reminder'")),
        # The unread count is asked on every page of the app: only unread rows are indexed.
        Index("ix_notifications_unread", "user_id", postgresql_where=text("read_at IS NULL")),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    reservation_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("reservations.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(String(4000))
    data: Mapped[dict] = mapped_column(JSONB, default=dict)
    delivery: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # While 'sending': which claim holds it (one value per claim) and until when; its sender
    # is presumed dead after that, and the notice is claimed again. `attempts` counts claims.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    # When its user marked it read in the app (null: unread); e-mail delivery is `sent_at`.
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @classmethod
    def unread_of(cls, user_id: int):
        """The condition of a user's unread notices (one definition for lists and counts)."""
        return (cls.user_id == user_id) & cls.read_at.is_(None)


def current_request_id() -> str | None:
    """The id of the HTTP request under way (service/http.py), None outside one (a job, the
    CLI): a notice keeps it in its data, and its delivery's log lines name it."""
    return g.get("request_id") if has_request_context() else None


def request_trace() -> dict:
    """What a notice's data carries of the request that wrote it: {"request_id": ...}, or
    nothing outside a request."""
    request_id = current_request_id()
    return {"request_id": request_id} if request_id else {}


@event.listens_for(Notification, "before_insert")
def _keep_request_id(mapper, connection, notification: Notification) -> None:
    """Every notice added through the ORM, whichever use case wrote it, keeps the request's id
    (Core inserts add it themselves: `notice()` for the booking's one-statement insert,
    letters.py)."""
    request_id = current_request_id()
    if request_id and "request_id" not in (notification.data or {}):
        notification.data = {**(notification.data or {}), "request_id": request_id}
