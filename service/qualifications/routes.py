"""HTTP layer of qualifications: who may use which category of equipment."""

from __future__ import annotations

from flask.views import MethodView

from ..accounts.auth import current_user, roles
from ..accounts.permissions import STAFF_ROLES
from ..catalogue import qualifications, queries
from ..db import db
from ..http import Blueprint, if_match_versions, with_etag
from . import services
from .schemas import (
    QualificationCreateSchema,
    QualificationPageSchema,
    QualificationQueryArgsSchema,
    QualificationSchema,
    QualificationUpdateSchema,
)

blp = Blueprint("qualifications", __name__, url_prefix="/api/v1",
                description="Qualifications: who may use which category of equipment.")


@blp.route("/qualifications")
class Qualifications(MethodView):
    @blp.arguments(QualificationQueryArgsSchema, location="query")
    @blp.response(200, QualificationPageSchema)
    @blp.problems(401, 403)
    def get(self, args):
        """List qualifications (own for students, the school's for staff)"""
        return queries.list_qualifications(db.session, current_user(), **args)

    @roles(*STAFF_ROLES)
    @blp.arguments(QualificationCreateSchema)
    @blp.response(201, QualificationSchema)
    @blp.problems(401, 403, 409)
    def post(self, body):
        """Grant a qualification (instructor, admin)"""
        return with_etag(
            qualifications.grant_qualification(db.session, current_user(), **body), 201)


@blp.route("/qualifications/<int:qualification_id>")
class QualificationById(MethodView):
    @blp.response(200, QualificationSchema)
    @blp.problems(401, 404)
    def get(self, qualification_id):
        """Show a qualification"""
        return with_etag(qualifications.get_qualification(db.session, current_user(),
                                                          qualification_id))

    @roles(*STAFF_ROLES)
    @blp.arguments(QualificationUpdateSchema)
    @blp.response(200, QualificationSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def patch(self, body, qualification_id):
        """Renew or annotate a qualification (instructor, admin; honours If-Match)"""
        return with_etag(qualifications.update_qualification(
            db.session, current_user(), qualification_id, changes=body,
            expected_versions=if_match_versions()))

    @blp.response(200, QualificationSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def delete(self, qualification_id):
        """Revoke a qualification (instructor, admin); it stays on record"""
        return with_etag(services.revoke_qualification(
            db.session, current_user(), qualification_id, expected_versions=if_match_versions()))
