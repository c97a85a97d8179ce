"""Shapes of the booking API, one schema per direction."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import current_app
from marshmallow import validate

from ..catalogue.schemas import ID, LocalTime
from ..classes.schemas import NAME as CLASS_NAME
from ..classes.schemas import ClassRefSchema
from ..http import (
    BaseSchema,
    Boolean,
    Instant,
    Integer,
    PageArgsSchema,
    StatusEventSchema,
    page_schema,
)
from .models import STATUSES, WAITLIST_STATUSES, attendance_of
from .policy import BookingPolicy

PURPOSE = validate.Length(max=500)
DAYS = validate.Range(min=date(1970, 1, 1), max=date(2199, 12, 31))
REASON = validate.Length(min=1, max=500)
# Beside an answer's instants (UTC): the zone a client renders them in, without another request.
ZONE = {"description": "The item's zone (its base's, IANA name): the instants here are UTC; "
                       "show them in this zone.", "example": "Asia/Shanghai"}


def zone_field() -> ma.fields.String:
    """The item's zone, read from the row's equipment (a booking just made: its target)."""
    return ma.fields.String(attribute="equipment.timezone", required=True, metadata=dict(ZONE))


class AttendanceSchema(ma.Schema):
    user_id = Integer(required=True)
    name = ma.fields.String(required=True)
    checked_in_at = ma.fields.AwareDateTime(allow_none=True, required=True, metadata={
        "description": "When the attendee was checked in; null until then."})


class ReservationSchema(ma.Schema):
    id = Integer(required=True)
    equipment_id = Integer(required=True)
    equipment_name = ma.fields.String(attribute="equipment.name", required=True)
    timezone = zone_field()
    holder_id = Integer(required=True)
    holder_name = ma.fields.String(attribute="holder.full_name", required=True)
    created_by_id = Integer(required=True)
    series_id = Integer(allow_none=True, required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(STATUSES)})
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    blocked_until = ma.fields.AwareDateTime(required=True, metadata={
        "description": "End plus the item's setup buffer."})
    purpose = ma.fields.String(required=True)
    attendees = ma.fields.List(Integer(), attribute="attendee_ids", required=True)
    class_ = ma.fields.Nested(ClassRefSchema, data_key="class", attribute="school_class",
                              allow_none=True, required=True, metadata={
                                  "description": "The class booked for by its name; null "
                                                 "otherwise (or once the class is deleted)."})
    attendance = ma.fields.List(ma.fields.Nested(AttendanceSchema), required=True, metadata={
        "description": "Each attendee, by user id, with name and check-in instant."})
    checked_in_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    checked_out_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    hold_expires_at = ma.fields.AwareDateTime(allow_none=True, required=True, metadata={
        "description": "Set on a waitlist offer: confirm before this instant."})
    offer_id = Integer(allow_none=True, required=True, metadata={
        "description": "The enterprise's offer this booking of its item was made under."})
    decide_by = ma.fields.AwareDateTime(allow_none=True, required=True, metadata={
        "description": "Pending under an offer that asks for approval: the enterprise decides "
                       "by this instant, or the request lapses (the holder is told)."})
    check_in_opens_at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "From when the holder (and each attendee) may check in: "
                       "CHECKIN_EARLY_MINUTES before the start."})
    check_in_closes_at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "Until when check-in is open: CHECKIN_GRACE_MINUTES after the start "
                       "(a session nobody checked in to is then a no-show)."})
    version = Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)

    def get_attribute(self, obj, attr, default):
        if attr == "attendance":
            return attendance_of(obj)
        if attr in ("check_in_opens_at", "check_in_closes_at"):
            window = BookingPolicy.from_config(current_app.config).check_in_window(obj.starts_at)
            return window[attr == "check_in_closes_at"]
        return super().get_attribute(obj, attr, default)


class ReservationCreateSchema(BaseSchema):
    equipment_id = Integer(required=True, validate=ID)
    starts_at = Instant(required=True, metadata={"description": "ISO 8601 with offset."})
    ends_at = Instant(required=True, metadata={"description": "ISO 8601 with offset."})
    purpose = ma.fields.String(load_default="", validate=PURPOSE)
    attendees = ma.fields.List(Integer(validate=ID), load_default=list,
                               validate=validate.Length(max=500), metadata={
                                   "description": "User ids (instructors and admins only)."})
    holder_id = Integer(validate=ID, metadata={
        "description": "Book for this member of your school (instructors and admins)."})
    class_name = ma.fields.String(data_key="class", validate=CLASS_NAME, metadata={
        "description": "Book for a class of your school by its name (any case; instructors "
                       "and admins): its active members at booking time become attendees, "
                       "beside any in attendees, each checked for qualifications. 422 "
                       "unknown_class or class_empty naming class."})


class ReasonSchema(BaseSchema):
    reason = ma.fields.String(validate=REASON)


class ReservationQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "starts_at", "created_at")
    equipment_id = Integer(validate=ID)
    holder_id = Integer(validate=ID)
    series_id = Integer(validate=ID)
    status = ma.fields.List(ma.fields.String(validate=validate.OneOf(STATUSES)),
                            validate=validate.Length(max=len(STATUSES)))
    from_ = Instant(data_key="from", metadata={"description": "Ending after this instant."})
    to = Instant(metadata={"description": "Starting before this instant."})
    decidable = ma.fields.Boolean(truthy={"true"}, falsy={"false"}, metadata={
        "description": "true: only the requests you may approve or reject now (pending on "
                       "your organisation's equipment, not your own, not yet started or "
                       "past their decision deadline); false: all but those."})


class HistorySchema(ma.Schema):
    reservation_id = Integer(required=True)
    events = ma.fields.List(ma.fields.Nested(StatusEventSchema), required=True)


class SpanSchema(ma.Schema):
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)


class BusySpanSchema(SpanSchema):
    kind = ma.fields.String(required=True, metadata={"enum": ["reservation", "blackout"]})
    blocked_until = ma.fields.AwareDateTime(required=True)
    status = ma.fields.String()
    reason = ma.fields.String()
    reservation_id = Integer()
    holder_id = Integer()
    holder_name = ma.fields.String()


class OfferWeekSchema(ma.Schema):
    week_starts_at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "Monday 00:00 in the item's zone."})
    counted_hours = ma.fields.Float(required=True, metadata={
        "description": "Hours the week's bookings and requests under the offer take from its "
                       "budget, each counted whole in the week it starts "
                       "(docs/reports.md#what-an-offers-weekly-budget-counts)."})
    weekly_hours_budget = Integer(required=True, metadata={
        "description": "The budget in force on the week's Monday (a change of the offer's "
                       "terms never rewrites an earlier week's: "
                       "docs/offers.md#changing-the-terms)."})
    remaining_hours = ma.fields.Float(required=True, metadata={
        "description": "The week's weekly_hours_budget less counted_hours, never below 0."})


class BookableOfferSchema(ma.Schema):
    """The terms of the enterprise's offer an item is booked under, as its school sees them."""

    offer_id = Integer(required=True)
    weekly_hours_budget = Integer(required=True, metadata={
        "description": "Hours per ISO week the whole school may book under the offer."})
    requires_approval = ma.fields.Boolean(required=True)
    approval_hours = Integer(required=True, metadata={
        "description": "Hours the enterprise has to decide a request (never past its start)."})
    supervisor_on_site = ma.fields.Boolean(required=True)
    supervisor_contact = ma.fields.String(required=True)
    allowed_uses = ma.fields.String(required=True)
    asks_back = ma.fields.String(required=True)
    weeks = ma.fields.List(ma.fields.Nested(OfferWeekSchema), required=True)


class AvailabilitySchema(ma.Schema):
    equipment_id = Integer(required=True)
    timezone = ma.fields.String(required=True)
    from_ = ma.fields.AwareDateTime(data_key="from", attribute="from", required=True)
    to = ma.fields.AwareDateTime(required=True)
    free = ma.fields.List(ma.fields.Nested(SpanSchema), required=True)
    busy = ma.fields.List(ma.fields.Nested(BusySpanSchema), required=True)
    offer = ma.fields.Nested(BookableOfferSchema, metadata={
        "description": "An enterprise's item seen by a member of a school it is offered to: "
                       "free spans lie inside this offer's windows."})


class AvailabilityQueryArgsSchema(BaseSchema):
    from_ = Instant(data_key="from", required=True)
    to = Instant(required=True)


class BlackoutSchema(ma.Schema):
    id = Integer(required=True)
    equipment_id = Integer(required=True)
    timezone = zone_field()
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    reason = ma.fields.String(required=True)
    created_by_id = Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)


class BlackoutCreateSchema(BaseSchema):
    starts_at = Instant(required=True, metadata={
        "description": "Now or later (five minutes' grace): a start in the past is 422 "
                       "effective_date_in_past."})
    ends_at = Instant(required=True)
    reason = ma.fields.String(required=True, validate=REASON)
    cancel_conflicting = Boolean(load_default=False, metadata={
        "description": "Cancel the reservations inside (holders are told why)."})


class BlackoutQueryArgsSchema(BaseSchema):
    from_ = Instant(data_key="from")
    to = Instant()


class SeriesCreateSchema(BaseSchema):
    equipment_id = Integer(required=True, validate=ID)
    weekdays = ma.fields.List(Integer(validate=validate.Range(min=1, max=7)),
                              required=True, validate=validate.Length(min=1, max=7),
                              metadata={"description": "ISO weekdays, 1 = Monday."})
    start_time = LocalTime(required=True, format="%H:%M", metadata={
        "description": "Wall-clock start in the base's time zone."})
    duration_minutes = Integer(required=True,
                                         validate=validate.Range(min=5, max=10080))
    starts_on = ma.fields.Date(required=True, validate=DAYS)
    until = ma.fields.Date(validate=DAYS, metadata={
        "description": "Last day (inclusive); or give count."})
    count = Integer(validate=validate.Range(min=1), metadata={
        "description": "Number of sessions, at most SERIES_MAX_OCCURRENCES (100 unless "
                       "configured); or give until."})
    purpose = ma.fields.String(load_default="", validate=PURPOSE)
    attendees = ma.fields.List(Integer(validate=ID), load_default=list,
                               validate=validate.Length(max=500))
    holder_id = Integer(validate=ID)
    class_name = ma.fields.String(data_key="class", validate=CLASS_NAME, metadata={
        "description": "Book for a class of your school by its name (any case; instructors "
                       "and admins): its active members at booking time become attendees, "
                       "beside any in attendees, each checked for qualifications. 422 "
                       "unknown_class or class_empty naming class."})
    skip_conflicts = Boolean(load_default=False, metadata={
        "description": "Book the dates that fit and report the others."})


class SeriesSchema(ma.Schema):
    id = Integer(required=True)
    equipment_id = Integer(required=True)
    timezone = zone_field()
    holder_id = Integer(required=True)
    created_by_id = Integer(required=True)
    weekdays = ma.fields.List(Integer(), required=True)
    start_time = ma.fields.Time(attribute="local_start", format="%H:%M", required=True)
    duration_minutes = Integer(required=True)
    starts_on = ma.fields.Date(required=True)
    until_on = ma.fields.Date(required=True)
    purpose = ma.fields.String(required=True)
    class_ = ma.fields.Nested(ClassRefSchema, data_key="class", attribute="school_class",
                              allow_none=True, required=True, metadata={
                                  "description": "The class the series was booked for."})


class SkippedDateSchema(ma.Schema):
    date = ma.fields.String(required=True)
    code = ma.fields.String(required=True)
    detail = ma.fields.String(required=True)


class SeriesResultSchema(ma.Schema):
    series = ma.fields.Nested(SeriesSchema, required=True)
    reservations = ma.fields.List(ma.fields.Nested(ReservationSchema), required=True)
    skipped = ma.fields.List(ma.fields.Nested(SkippedDateSchema), required=True)


class SeriesCancelSchema(BaseSchema):
    scope = ma.fields.String(required=True, validate=validate.OneOf(("one", "following", "all")))
    reservation_id = Integer(validate=ID, metadata={
        "description": "The session, for scope one or following."})
    reason = ma.fields.String(required=True, validate=REASON)


class CancelledSchema(ma.Schema):
    cancelled = ma.fields.List(ma.fields.Nested(ReservationSchema), required=True)


class WaitlistEntrySchema(ma.Schema):
    id = Integer(required=True)
    user_id = Integer(required=True)
    equipment_id = Integer(required=True)
    timezone = zone_field()
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    purpose = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(WAITLIST_STATUSES)})
    reservation_id = Integer(allow_none=True, required=True, metadata={
        "description": "The pending hold offered to you, once offered."})
    created_at = ma.fields.AwareDateTime(required=True)


class WaitlistCreateSchema(BaseSchema):
    equipment_id = Integer(required=True, validate=ID)
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    purpose = ma.fields.String(load_default="", validate=PURPOSE)


class WaitlistQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "created_at", "starts_at")
    equipment_id = Integer(validate=ID)
    status = ma.fields.String(validate=validate.OneOf(WAITLIST_STATUSES))


class SeriesQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "starts_on")


class QuotaCategorySchema(ma.Schema):
    id = Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class QuotaSchema(ma.Schema):
    organisation_id = Integer(required=True)
    role = ma.fields.String(required=True)
    category = ma.fields.Nested(QuotaCategorySchema, allow_none=True, required=True, metadata={
        "description": "The category whose bookings the quota counts and limits; null: every "
                       "category together."})
    weekly_hours = Integer(allow_none=True, required=True)
    active_reservations = Integer(allow_none=True, required=True)


class QuotaUpdateSchema(BaseSchema):
    weekly_hours = Integer(required=True, allow_none=True,
                                     validate=validate.Range(min=0, max=168))
    active_reservations = Integer(required=True, allow_none=True,
                                            validate=validate.Range(min=0, max=1000))


class QuotaArgsSchema(BaseSchema):
    category = ma.fields.String(validate=validate.Regexp(
        r"^[a-z0-9][a-z0-9_-]*$", error="Not a category code."), metadata={
        "description": "The quota on this category (its code); left out: the quota on every "
                       "category, as before. An unknown code: 422 unknown_category."})


class QuotaListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(QuotaSchema), required=True)


class BlackoutListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(BlackoutSchema), required=True)


ReservationPageSchema = page_schema(ReservationSchema, "ReservationPageSchema")
WaitlistPageSchema = page_schema(WaitlistEntrySchema, "WaitlistPageSchema")
SeriesPageSchema = page_schema(SeriesSchema, "SeriesPageSchema")


class CalendarLinkSchema(ma.Schema):
    url = ma.fields.String(required=True, metadata={
        "description": "Secret URL for calendar apps; keep it private."})


class CalendarQueryArgsSchema(BaseSchema):
    key = ma.fields.String(validate=validate.Length(min=3, max=80), metadata={
        "description": "The secret from /me/calendar-link, for apps that cannot sign in."})
