"""Shapes of the classes API, one schema per direction."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from ..catalogue.schemas import ID
from ..fields import not_blank
from ..http import BaseSchema, Integer
from .rules import NAME_MAX

# Not blank, and without NUL like every text (the document says both: a field's own pattern
# replaces the document's NUL-free one).
NAME = [validate.Length(min=1, max=NAME_MAX), not_blank()]
MEMBERS = validate.Length(max=2000)


class MemberSchema(ma.Schema):
    id = Integer(required=True)
    full_name = ma.fields.String(required=True)
    student_number = ma.fields.String(allow_none=True, required=True)
    is_active = ma.fields.Boolean(required=True, metadata={
        "description": "false: a disabled account, not booked for with the class."})


class ClassSummarySchema(ma.Schema):
    id = Integer(required=True)
    organisation_id = Integer(required=True)
    name = ma.fields.String(required=True)
    member_count = Integer(required=True)
    version = Integer(required=True)


class ClassSchema(ClassSummarySchema):
    members = ma.fields.List(ma.fields.Nested(MemberSchema), required=True, metadata={
        "description": "Its students by name (a student sees only themselves)."})
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)


class ClassListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ClassSummarySchema), required=True)


class ClassQueryArgsSchema(BaseSchema):
    q = ma.fields.String(validate=validate.Length(min=1, max=NAME_MAX), metadata={
        "description": "Only classes whose name contains this (any case)."})


class ClassCreateSchema(BaseSchema):
    name = ma.fields.String(required=True, validate=NAME, metadata={
        "description": "Unique in your school whatever its case; white space runs made one."})
    student_ids = ma.fields.List(Integer(validate=ID), load_default=list, validate=MEMBERS,
                                 metadata={"description": "Students of your school (else 422 "
                                                          "not_students_of_your_school)."})


class ClassUpdateSchema(BaseSchema):
    name = ma.fields.String(validate=NAME)
    student_ids = ma.fields.List(Integer(validate=ID), validate=MEMBERS, metadata={
        "description": "Replaces the members: students of your school (else 422 "
                       "not_students_of_your_school)."})


class MembersUpdateSchema(BaseSchema):
    user_ids = ma.fields.List(Integer(validate=ID), required=True, validate=MEMBERS,
                              metadata={"description": "The class's students, replacing "
                                                       "today's: students of your school "
                                                       "(else 422 not_students_of_your_school)."})


class ClassRefSchema(ma.Schema):
    """A booking's class, as its answer names it."""

    id = Integer(required=True)
    name = ma.fields.String(required=True)
