"""HTTP layer of impact: an enterprise's impact and contribution statement, JSON or CSV."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from ..accounts.auth import current_user, roles
from ..accounts.permissions import OFFER_DECIDING_ROLES
from ..csv_export import CSV, wants_csv
from ..db import db
from ..http import Blueprint
from ..replica import READ_HEADERS, read
from . import services
from .csv_export import contribution_csv, impact_csv
from .schemas import (
    ConfirmationCreateSchema,
    ConfirmationSchema,
    ContributionQueryArgsSchema,
    ContributionSchema,
    ImpactQueryArgsSchema,
    ImpactSchema,
)

blp = Blueprint("impact", __name__, url_prefix="/api/v1",
                description="What an enterprise's offers gave: impact and contribution.")


def _as_csv(description: str):
    """Document the text/csv form of a 200 beside its JSON (chosen by Accept)."""
    return blp.alt_response(200, schema={"type": "string"}, content_type=CSV, success=True,
                            description=description)


@blp.route("/organisations/<int:organisation_id>/impact")
class Impact(MethodView):
    @blp.arguments(ImpactQueryArgsSchema, location="query")
    @blp.response(200, ImpactSchema, headers=READ_HEADERS)
    @_as_csv("One line per offer and item (Accept: text/csv), as an attachment.")
    @blp.problems(401, 404)
    def get(self, args, organisation_id):
        """An enterprise's impact per offer and item over local days [from, to)

        For the enterprise's own staff (anyone else: 404). Days are read in each item's base
        time zone. `Accept: text/csv` gives the same figures as CSV.

        Definitions of the figures: docs/reports.md#definitions.
        """
        bom = args.pop("bom")
        document = read(lambda session: services.build_impact_report(
            session, current_user(), organisation_id,
            max_days=current_app.config["IMPACT_PERIOD_MAX_DAYS"], **args))
        return impact_csv(document, bom=bom) if wants_csv() else document


@blp.route("/organisations/<int:organisation_id>/contribution")
class Contribution(MethodView):
    @blp.arguments(ContributionQueryArgsSchema, location="query")
    @blp.response(200, ContributionSchema)
    @_as_csv("One line per month and school (Accept: text/csv), as an attachment.")
    @blp.problems(401, 404)
    def get(self, args, organisation_id):
        """An enterprise's yearly contribution statement, per month and school

        For the enterprise's staff, and for the admins of a school it offered to (that
        school's rows). A confirmed month shows its frozen figures. `Accept: text/csv` gives
        the same as CSV.

        Definitions of the figures: docs/reports.md#definitions.
        """
        bom = args.pop("bom")
        document = services.build_contribution_statement(
            db.session, current_user(), organisation_id, **args)
        return contribution_csv(document, bom=bom) if wants_csv() else document


@blp.route("/organisations/<int:organisation_id>/contribution/confirmations")
class ContributionConfirmations(MethodView):
    @roles(*OFFER_DECIDING_ROLES)
    @blp.arguments(ConfirmationCreateSchema)
    @blp.response(201, ConfirmationSchema)
    @blp.problems(401, 403, 404, 409)
    def post(self, body, organisation_id):
        """Confirm a month of the enterprise's contribution to your school (its admin)

        Only a month that has ended (409 month_not_ended), once (409 already_confirmed), with
        something given (409 nothing_to_confirm); the figures are frozen and the enterprise's
        staff are told.

        Definitions of the figures: docs/reports.md#definitions.
        """
        return services.confirm_contribution(db.session, current_user(), organisation_id,
                                             **body)
