"""Shapes of the outcomes API, one schema per direction. No e-mail ever leaves here: people
are their id and full name, the holder's school its id and name."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from flask import current_app
from marshmallow import validate

from ..catalogue.schemas import ID
from ..fields import not_blank
from ..http import BaseSchema, Instant, Integer, PageArgsSchema, page_schema
from ..i18n import label_field
from . import rules

# numeric(6, 2); a Decimal, as the field reads: the float 9999.99 lies a hair below it
MAX_HOURS = Decimal("9999.99")


class PersonSchema(ma.Schema):
    id = Integer(required=True)
    full_name = ma.fields.String(required=True)


class SchoolSchema(ma.Schema):
    id = Integer(required=True)
    name = ma.fields.String(required=True)


class OutcomeReservationSchema(ma.Schema):
    id = Integer(required=True)
    equipment_id = Integer(required=True)
    equipment_name = ma.fields.String(attribute="equipment.name", required=True, metadata={
        "description": "The item's name today."})
    offer_id = Integer(required=True, allow_none=True, metadata={
        "description": "The offer the session was booked under; null for a school's own item."})
    holder_name = ma.fields.String(attribute="holder.full_name", required=True, metadata={
        "description": "Who booked the session (full name only)."})
    timezone = ma.fields.String(attribute="equipment.timezone", required=True, metadata={
        "description": "The item's zone (IANA name): the instants here are UTC."})
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)


def _tags(in_vocabulary: bool):
    return ma.fields.Function(
        lambda outcome: [s.tag for s in outcome.skills if s.in_vocabulary is in_vocabulary],
        required=True, metadata={"type": "array", "items": {"type": "string"}})


def _editable_until(outcome):
    return rules.edit_deadline(outcome.created_at,
                               current_app.config["OUTCOME_EDIT_DAYS"]).isoformat()


class OutcomeSchema(ma.Schema):
    id = Integer(required=True)
    reservation = ma.fields.Nested(OutcomeReservationSchema, required=True)
    school = ma.fields.Nested(SchoolSchema, attribute="reservation.holder.organisation",
                              required=True, metadata={"description": "The holder's school."})
    author = ma.fields.Nested(PersonSchema, required=True)
    skills = _tags(True)
    free_tags = _tags(False)
    trainee_count = Integer(required=True)
    trainees = ma.fields.Function(
        lambda outcome: PersonSchema(many=True).dump([t.user for t in outcome.trainees]),
        required=True, metadata={"type": "array", "items": {
            "type": "object", "required": ["id", "full_name"],
            "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"}}}})
    hours = ma.fields.Float(required=True)
    result = ma.fields.String(required=True)
    links = ma.fields.List(ma.fields.String(), required=True)
    version = Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)
    editable_until = ma.fields.Function(_editable_until, required=True, metadata={
        "type": "string", "format": "date-time",
        "description": "The author may edit the outcome until this instant."})


# Some of the http(s) URLs the Url field takes (host names with a TLD, plain paths), as
# a pattern generators can follow; the field itself takes any valid http(s) URL.
LINK = r"^https?://([a-z0-9]{1,20}\.){1,3}[a-z]{2,6}(/[A-Za-z0-9._~-]{0,40}){0,5}$"


class Hours(ma.fields.Decimal):
    """Hours to the cent: 1.5 or "1.5"; more than two decimals are refused, not rounded."""

    def __init__(self, **kwargs):
        # More than 0: OpenAPI 3.0's boolean exclusiveMinimum says so beside `minimum`.
        kwargs["metadata"] = {"multipleOf": 0.01, "exclusiveMinimum": True,
                              **kwargs.get("metadata", {})}
        super().__init__(allow_nan=False, validate=validate.Range(
            min=0, min_inclusive=False, max=MAX_HOURS), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        # A plain number (the OpenAPI document's bounds are serialised through here too).
        return None if value is None else float(value)

    def _validated(self, value):
        value = super()._validated(value)
        # normalize(), not quantize(): quantizing a huge number raises instead of answering.
        if value is not None and value.normalize().as_tuple().exponent < -2:
            raise ma.ValidationError("At most two decimals.")
        return value


def _fields(create: bool) -> dict:
    """The fields a client writes; all required for a new outcome as noted, none for a change."""
    def d(value):
        return {"load_default": value} if create else {}

    return {
        "skills": ma.fields.List(
            ma.fields.String(validate=validate.Length(min=1, max=rules.TAG_MAX_LENGTH)),
            **d(list), validate=validate.Length(max=rules.MAX_TAGS), metadata={
                "description": "Slugs of the shared vocabulary (GET /skills)."}),
        "free_tags": ma.fields.List(
            ma.fields.String(validate=validate.Length(min=1, max=200)), **d(list),
            validate=validate.Length(max=rules.MAX_TAGS), metadata={
                "description": "Free text tags, stored trimmed and lower-case (1-60 "
                               "characters); at most 10 skills and free tags together."}),
        "trainee_count": Integer(required=create, validate=validate.Range(min=1, max=10_000),
                                 metadata={"description": "People trained, named or not."}),
        "trainee_ids": ma.fields.List(Integer(validate=ID), **d(list),
                                      validate=validate.Length(max=500), metadata={
            "description": "The holder or attendees who were trained."}),
        "hours": Hours(required=create, metadata={
            "description": "Hours of training, at most the booked length, two decimals."}),
        "result": ma.fields.String(required=create, validate=[
            validate.Length(min=1, max=2000), not_blank()],
            metadata={"description": "What the session achieved, in a few lines."}),
        "links": ma.fields.List(
            ma.fields.Url(schemes={"http", "https"}, validate=validate.Length(max=500),
                          metadata={"pattern": LINK}),
            **d(list), validate=validate.Length(max=5), metadata={
                "description": "Up to 5 http(s) links (photos, reports)."}),
    }


OutcomeCreateSchema = BaseSchema.from_dict({
    "reservation_id": Integer(required=True, validate=ID, metadata={
        "description": "A completed reservation."}),
    **_fields(create=True)}, name="OutcomeCreateSchema")

OutcomeUpdateSchema = BaseSchema.from_dict(_fields(create=False), name="OutcomeUpdateSchema")


class OutcomeQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "created_at", "updated_at", "starts_at")
    reservation_id = Integer(validate=ID)
    equipment_id = Integer(validate=ID)
    offer_id = Integer(validate=ID)
    from_ = Instant(data_key="from", metadata={"description": "Sessions ending after this."})
    to = Instant(metadata={"description": "Sessions starting before this."})


class SkillSchema(ma.Schema):
    tag = ma.fields.String(required=True)
    label_en = ma.fields.String(required=True)
    label_zh = ma.fields.String(required=True)
    label = label_field("label_en", "label_zh", "The label in the asked language "
                        "(Accept-Language).")
    version = Integer(required=True, metadata={"description": "The row version (its ETag)."})


SKILL_TAG = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,59}$",
                            error="Lower-case letters, digits, - and _.")
# A label people read in the outcome form and the vocabulary page: spaces alone say nothing.
# (A list, not validate.And: the OpenAPI document states each, minLength and pattern; the
# pattern keeps the no-NUL rule every free text states, openapi.NO_NUL.)
LABEL = [validate.Length(min=1, max=120),
         validate.Regexp(r"^[^\u0000]*[^\s\u0000][^\u0000]*$", error="Must not be blank.")]


class SkillCreateSchema(BaseSchema):
    tag = ma.fields.String(required=True, validate=SKILL_TAG, metadata={
        "description": "The stable slug outcomes store."})
    label_en = ma.fields.String(required=True, validate=LABEL)
    label_zh = ma.fields.String(required=True, validate=LABEL, metadata={
        "description": "Simplified Chinese."})


class SkillUpdateSchema(BaseSchema):
    label_en = ma.fields.String(validate=LABEL)
    label_zh = ma.fields.String(validate=LABEL)


class SkillQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("tag", "label_en")
    sort = ma.fields.String(load_default="tag", metadata={
        "description": "Field to sort by; prefix with '-' for descending."})


OutcomePageSchema = page_schema(OutcomeSchema, "OutcomePageSchema")
SkillPageSchema = page_schema(SkillSchema, "SkillPageSchema")
