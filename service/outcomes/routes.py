"""HTTP layer of outcomes and the skill vocabulary."""

from __future__ import annotations

from flask import current_app, url_for
from flask.views import MethodView

from ..accounts.auth import current_user, roles
from ..accounts.permissions import OUTCOME_RECORDING_ROLES
from ..db import db
from ..http import Blueprint, etag, if_match_versions, with_etag
from ..idempotency.views import idempotent
from . import queries, services, skills
from .schemas import (
    OutcomeCreateSchema,
    OutcomePageSchema,
    OutcomeQueryArgsSchema,
    OutcomeSchema,
    OutcomeUpdateSchema,
    SkillCreateSchema,
    SkillPageSchema,
    SkillQueryArgsSchema,
    SkillSchema,
    SkillUpdateSchema,
)

blp = Blueprint("outcomes", __name__, url_prefix="/api/v1",
                description="What completed sessions taught: the return enterprises get for "
                            "their idle equipment.")


@blp.route("/outcomes")
class Outcomes(MethodView):
    @blp.arguments(OutcomeQueryArgsSchema, location="query")
    @blp.response(200, OutcomePageSchema)
    @blp.problems(401)
    def get(self, args):
        """List the outcomes you may see

        The holder, the author, the holder's school's instructors and admins, and the staff
        of the organisation owning the item see an outcome; nobody else.
        """
        return queries.list_outcomes(db.session, current_user(), **args)

    @roles(*OUTCOME_RECORDING_ROLES)
    @idempotent
    @blp.arguments(OutcomeCreateSchema)
    @blp.response(201, OutcomeSchema)
    @blp.problems(401, 403, 409)
    def post(self, body):
        """Record what a completed session taught

        By the reservation's holder or an instructor of the holder's school; one outcome per
        reservation (409 outcome_exists); only for a completed reservation (409
        reservation_not_completed).
        """
        outcome = services.record_outcome(db.session, current_user(), **body)
        return outcome, 201, {"ETag": etag(outcome.version), "Location": url_for(
            "outcomes.OutcomeById", outcome_id=outcome.id)}


@blp.route("/outcomes/<int:outcome_id>")
class OutcomeById(MethodView):
    @blp.response(200, OutcomeSchema)
    @blp.problems(401, 404)
    def get(self, outcome_id):
        """Show an outcome"""
        return with_etag(queries.get_visible_outcome(db.session, current_user(), outcome_id))

    @blp.arguments(OutcomeUpdateSchema)
    @blp.response(200, OutcomeSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def patch(self, body, outcome_id):
        """Correct an outcome (its author, within OUTCOME_EDIT_DAYS of recording it)

        Lists given replace the old ones. After the edit window: 409 outcome_locked.
        Honours If-Match.
        """
        return with_etag(services.update_outcome(
            db.session, current_user(), outcome_id, changes=body,
            edit_days=current_app.config["OUTCOME_EDIT_DAYS"],
            expected_versions=if_match_versions()))


@blp.route("/skills")
class Skills(MethodView):
    @blp.arguments(SkillQueryArgsSchema, location="query")
    @blp.response(200, SkillPageSchema)
    @blp.problems(401)
    def get(self, args):
        """The shared skill vocabulary outcomes are tagged with"""
        return queries.list_skills(db.session, **args)

    @roles("operator")
    @blp.arguments(SkillCreateSchema)
    @blp.response(201, SkillSchema)
    @blp.problems(401, 403, 409)
    def post(self, body):
        """Add a skill tag to the shared vocabulary, in English and Chinese (operator)

        409 name_taken when the tag is in the vocabulary already.
        """
        return with_etag(skills.create_skill(db.session, current_user(), **body), 201)


@blp.route("/skills/<string:tag>")
class SkillByTag(MethodView):
    @blp.response(200, SkillSchema)
    @blp.problems(401, 404)
    def get(self, tag):
        """Show a skill tag with its labels"""
        return with_etag(skills.get_skill(db.session, tag))

    @roles("operator")
    @blp.arguments(SkillUpdateSchema)
    @blp.response(200, SkillSchema)
    @blp.problems(401, 403, 404, 412)
    def patch(self, body, tag):
        """Rename a skill tag in English or Chinese (operator; honours If-Match)

        The tag itself, which outcomes store, does not change.
        """
        return with_etag(skills.update_skill(db.session, current_user(), tag, changes=body,
                                             expected_versions=if_match_versions()))
