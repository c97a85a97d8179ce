"""HTTP layer of a school's classes: the classes and their students (their practice hours:
service/practice/routes.py)."""

from __future__ import annotations

import functools

from flask import url_for
from flask.views import MethodView

from ..accounts.auth import current_user, roles
from ..db import db
from ..http import Blueprint, etag, if_match_versions
from . import queries, services
from .schemas import (
    ClassCreateSchema,
    ClassListSchema,
    ClassQueryArgsSchema,
    ClassSchema,
    ClassUpdateSchema,
    MembersUpdateSchema,
)

blp = Blueprint("classes", __name__, url_prefix="/api/v1",
                description="A school's classes (cohorts): their students, booked for by name.")


def if_match_first(view):
    """Read If-Match before the body is parsed: a garbled header is the 400 it is, whatever
    the body (the document declares the header where the service reads it)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if_match_versions()
        return view(*args, **kwargs)

    return checked


def _answer(school_class, status: int = 200):
    body = queries.class_answer(db.session, current_user(), school_class)
    headers = {"ETag": etag(school_class.version)}
    if status == 201:
        headers["Location"] = url_for("classes.ClassById", class_id=school_class.id)
    return body, status, headers


@blp.route("/classes")
class Classes(MethodView):
    @blp.arguments(ClassQueryArgsSchema, location="query")
    @blp.response(200, ClassListSchema)
    @blp.problems(401)
    def get(self, args):
        """List the classes you see

        A school's instructors and admins: its classes; a student: the classes they are
        in; anyone else: none (an empty list).
        """
        return {"items": queries.list_classes(db.session, current_user(), **args)}

    @roles("admin")
    @blp.arguments(ClassCreateSchema)
    @blp.response(201, ClassSchema)
    @blp.problems(401, 403, 409, 422)
    def post(self, body):
        """Add a class to your school (admin)

        409 class_name_taken when the school has a class of that name, whatever its case;
        422 not_students_of_your_school naming each user_id that is not one.
        """
        return _answer(services.create_class(db.session, current_user(), **body), 201)


@blp.route("/classes/<int:class_id>")
class ClassById(MethodView):
    @blp.response(200, ClassSchema)
    @blp.problems(401, 404)
    def get(self, class_id):
        """Show a class with its students

        Its school's instructors and admins, or a student in it (who sees only themselves
        among the members); anyone else 404.
        """
        return _answer(queries.get_visible_class(db.session, current_user(), class_id))

    @blp.arguments(ClassUpdateSchema)
    @blp.response(200, ClassSchema)
    @blp.problems(401, 403, 404, 409, 412, 422)
    def patch(self, body, class_id):
        """Rename a class or replace its students (its school's admin; honours If-Match)"""
        return _answer(services.update_class(db.session, current_user(), class_id,
                                             changes=body,
                                             expected_versions=if_match_versions()))

    @blp.response(204)
    @blp.problems(401, 403, 404, 412)
    def delete(self, class_id):
        """Delete a class (its school's admin; honours If-Match)

        Its past and future bookings stay, with their attendees; they no longer name it.
        """
        services.delete_class(db.session, current_user(), class_id,
                              expected_versions=if_match_versions())


@blp.route("/classes/<int:class_id>/members")
class ClassMembers(MethodView):
    @if_match_first
    @blp.arguments(MembersUpdateSchema)
    @blp.response(200, ClassSchema)
    @blp.problems(401, 403, 404, 412, 422)
    def put(self, body, class_id):
        """Set a class's students (its school's admin; honours If-Match)

        Students of the class's school only: 422 not_students_of_your_school names the
        others.
        """
        return _answer(services.set_members(db.session, current_user(), class_id,
                                            user_ids=body["user_ids"],
                                            expected_versions=if_match_versions()))
