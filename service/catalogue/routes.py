"""HTTP layer of the catalogue."""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView

from ..accounts.auth import current_user, roles
from ..accounts.permissions import MANAGING_ROLES
from ..db import db
from ..http import Blueprint, etag, if_match_versions, with_etag
from . import bases, categories, equipment, qr, queries
from .schemas import (
    CategoryCreateSchema,
    CategoryPageSchema,
    CategoryQueryArgsSchema,
    CategorySchema,
    CategoryUpdateSchema,
    ClosureCreateSchema,
    ClosurePageSchema,
    ClosureQueryArgsSchema,
    ClosureSchema,
    EquipmentCreateSchema,
    EquipmentSchema,
    EquipmentUpdateSchema,
    TrainingBaseCreateSchema,
    TrainingBaseGetArgsSchema,
    TrainingBasePageSchema,
    TrainingBaseQueryArgsSchema,
    TrainingBaseSchema,
    TrainingBaseUpdateSchema,
)

blp = Blueprint("catalogue", __name__, url_prefix="/api/v1",
                description="Training bases, closures, categories, equipment.")

SVG = "image/svg+xml"
QR_ONLY = {"200": {
    "description": "An SVG image: the QR code of the item's page in the app, "
                   "{PUBLIC_URL}/equipment/{id}.",
    "content": {SVG: {"schema": {"type": "string"}}},
    "headers": {"Cache-Control": {"schema": {"type": "string"},
                                  "description": "private, no-cache: kept by your browser "
                                                 "only, revalidated with If-None-Match."}}}}


@blp.route("/training-bases")
class TrainingBases(MethodView):
    @blp.arguments(TrainingBaseQueryArgsSchema, location="query")
    @blp.response(200, TrainingBasePageSchema)
    @blp.problems(401)
    def get(self, args):
        """List training bases"""
        return queries.list_bases(db.session, current_user(), **args)

    @roles(*MANAGING_ROLES)
    @blp.arguments(TrainingBaseCreateSchema)
    @blp.response(201, TrainingBaseSchema)
    @blp.problems(401, 403, 409)
    def post(self, body):
        """Add a training base your organisation runs (school admin, enterprise manager)"""
        return with_etag(bases.create_base(db.session, current_user(), **body), 201)


@blp.route("/training-bases/<int:base_id>")
class TrainingBaseById(MethodView):
    @blp.arguments(TrainingBaseGetArgsSchema, location="query")
    @blp.response(200, TrainingBaseSchema)
    @blp.problems(401, 404)
    def get(self, args, base_id):
        """Show a training base

        opening_hours is the week in force today in the base's zone, or on the local day
        ?on= names (opening_hours_on says which); opening_hours_changes lists the later
        changes. A base you do not see (docs/tenancy.md#who-sees-what) is 404.
        """
        return with_etag(queries.get_visible_base(db.session, current_user(), base_id,
                                                  on=args.get("on")))

    @roles(*MANAGING_ROLES)
    @blp.arguments(TrainingBaseUpdateSchema)
    @blp.response(200, TrainingBaseSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def patch(self, body, base_id):
        """Change a base your organisation runs

        School admin or enterprise manager. opening_hours replaces the week from
        opening_hours_from on (default tomorrow in the base's zone; 422
        effective_date_in_past before today); days before it are never rewritten.
        co_owner_ids replaces the co-owners. A new timezone is 409 base_has_history once
        the base's equipment has reservations. Honours If-Match.
        """
        return with_etag(bases.update_base(db.session, current_user(), base_id, changes=body,
                                           expected_versions=if_match_versions()))

    @blp.response(204)
    @blp.problems(401, 403, 404, 409, 412)
    def delete(self, base_id):
        """Delete a base your organisation runs that holds no equipment

        School admin or enterprise manager.
        """
        bases.delete_base(db.session, current_user(), base_id,
                          expected_versions=if_match_versions())


@blp.route("/training-bases/<int:base_id>/closures")
class Closures(MethodView):
    @blp.arguments(ClosureQueryArgsSchema, location="query")
    @blp.response(200, ClosurePageSchema)
    @blp.problems(401, 404)
    def get(self, args, base_id):
        """List a base's closures"""
        return queries.list_closures(db.session, current_user(), base_id, **args)

    @roles(*MANAGING_ROLES)
    @blp.arguments(ClosureCreateSchema)
    @blp.response(201, ClosureSchema)
    @blp.problems(401, 403, 404)
    def post(self, body, base_id):
        """Close a base your organisation runs for whole days

        School admin or enterprise manager. From today on (the base's zone): a closure
        starting before today is 422 effective_date_in_past.
        """
        return bases.add_closure(db.session, current_user(), base_id, **body)


@blp.route("/training-bases/<int:base_id>/closures/<int:closure_id>")
class ClosureById(MethodView):
    @blp.response(204)
    @blp.problems(401, 403, 404, 409)
    def delete(self, base_id, closure_id):
        """Remove a closure of a base your organisation runs

        School admin or enterprise manager. A closure not begun (or beginning today) goes;
        one that has begun is cut to end yesterday and stays listed; one wholly past is
        409 closure_in_past.
        """
        bases.remove_closure(db.session, current_user(), base_id, closure_id)


@blp.route("/equipment-categories")
class Categories(MethodView):
    @blp.arguments(CategoryQueryArgsSchema, location="query")
    @blp.response(200, CategoryPageSchema)
    @blp.problems(401)
    def get(self, args):
        """List equipment categories"""
        return queries.list_categories(db.session, **args)

    @roles("operator")
    @blp.arguments(CategoryCreateSchema)
    @blp.response(201, CategorySchema)
    @blp.problems(401, 403, 409)
    def post(self, body):
        """Add an equipment category to the shared vocabulary (operator)"""
        return with_etag(categories.create_category(db.session, current_user(), **body), 201)


@blp.route("/equipment-categories/<int:category_id>")
class CategoryById(MethodView):
    @blp.response(200, CategorySchema)
    @blp.problems(401, 404)
    def get(self, category_id):
        """Show an equipment category"""
        return with_etag(queries.get_category(db.session, category_id))

    @roles("operator")
    @blp.arguments(CategoryUpdateSchema)
    @blp.response(200, CategorySchema)
    @blp.problems(401, 403, 404, 409, 412)
    def patch(self, body, category_id):
        """Change an equipment category (operator; honours If-Match)"""
        return with_etag(categories.update_category(
            db.session, current_user(), category_id, changes=body,
            expected_versions=if_match_versions()))

    @blp.response(204)
    @blp.problems(401, 403, 404, 409, 412)
    def delete(self, category_id):
        """Delete an unused equipment category (operator)"""
        categories.delete_category(db.session, current_user(), category_id,
                                   expected_versions=if_match_versions())


@blp.route("/equipment")
class EquipmentCollection(MethodView):
    # Browsing (GET) lives with availability in service/reservations/routes.py: its
    # free_from/free_to filter reads bookings, and the catalogue sits below the booking engine.
    @roles(*MANAGING_ROLES)
    @blp.arguments(EquipmentCreateSchema)
    @blp.response(201, EquipmentSchema)
    @blp.problems(401, 403, 409)
    def post(self, body):
        """List an item your organisation owns

        School admin or enterprise staff; at a base your organisation runs or co-owns.
        """
        return with_etag(equipment.create_equipment(db.session, current_user(), **body), 201)


@blp.route("/equipment/<int:equipment_id>")
class EquipmentById(MethodView):
    @blp.response(200, EquipmentSchema)
    @blp.problems(401, 404)
    def get(self, equipment_id):
        """Show an item of equipment"""
        return with_etag(queries.get_visible_equipment(db.session, current_user(),
                                                       equipment_id))

    @roles(*MANAGING_ROLES)
    @blp.arguments(EquipmentUpdateSchema)
    @blp.response(200, EquipmentSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def patch(self, body, equipment_id):
        """Change an item and its booking rules

        Its owner's admin (school) or staff (enterprise). Honours If-Match. A new
        slot_minutes that live offers' spans would fall off: 409 offers_off_new_grid.
        Retiring (status retired) records retired_at: reports keep the item in the periods it
        was in service. A retired item stays retired (409 equipment_retired); moving an item
        with reservations to another base is 409 equipment_has_history (retire it and list it
        again there: a retired item's asset tag is free).
        """
        return with_etag(equipment.update_equipment(
            db.session, current_user(), equipment_id, changes=body,
            expected_versions=if_match_versions()))

    @blp.response(204)
    @blp.problems(401, 403, 404, 409, 412)
    def delete(self, equipment_id):
        """Delete an item with no history (its owner's admin or staff)"""
        equipment.delete_equipment(db.session, current_user(), equipment_id,
                                   expected_versions=if_match_versions())


@blp.route("/equipment/<int:equipment_id>/qr.svg")
class EquipmentQr(MethodView):
    @blp.doc(responses=QR_ONLY)
    @blp.problems(401, 404)
    def get(self, equipment_id):
        """The item's QR code (SVG): a scan opens the item's page in the app

        For anyone who may see the item (404 otherwise). The code holds
        {PUBLIC_URL}/equipment/{id} (unset PUBLIC_URL: this request's own host URL).
        """
        item = queries.get_visible_equipment(db.session, current_user(), equipment_id)
        public_url = current_app.config["PUBLIC_URL"] or request.url_root
        body, digest = qr.svg(qr.item_url(public_url, item.id))
        # The answer is an image, but from the API's origin: it may run nothing if opened.
        return Response(body, mimetype=SVG, headers={
            "ETag": etag(digest), "Cache-Control": "private, no-cache",
            "Content-Security-Policy": "default-src 'none'"})
