"""HTTP layer of imports: upload a roster or an inventory, get the dry run or the outcome."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from .. import request_bodies
from ..accounts.auth import current_user
from ..db import db
from ..http import Blueprint
from . import services
from .schemas import (
    ImportArgsSchema,
    ImportFileSchema,
    ImportReportSchema,
    PeopleImportArgsSchema,
)

blp = Blueprint("imports", __name__, url_prefix="/api/v1",
                description="Rosters and inventories imported from CSV or XLSX files.")


def _run(kind: str, organisation_id: int, files: dict, args: dict):
    upload = files["file"]
    config = current_app.config
    return services.import_file(
        db.session, current_user(), kind=kind, organisation_id=organisation_id,
        stream=upload.stream, filename=upload.filename or "",
        max_bytes=config["IMPORT_MAX_BYTES"], max_rows=config["IMPORT_MAX_ROWS"], **args)


@blp.route("/organisations/<int:organisation_id>/imports/people")
class PeopleImport(MethodView):
    @blp.arguments(PeopleImportArgsSchema, location="query")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(200, ImportReportSchema)
    @blp.problems(401, 403, 404, 409, 413, 415, 422)
    def post(self, args, files, organisation_id):
        """Import people from a roster (dry run unless commit=true)

        Columns (header row, English or Chinese): email/邮箱, full_name/姓名, role/角色 are
        required; class/班级, student_number/学号, language/语言 optional. People are matched
        by e-mail: new ones are created without a password, known ones updated; an empty
        optional cell leaves the value as it is. People of the organisation the file does not
        name are listed in `missing` and disabled only with disable_missing=true. The school's
        admin or the enterprise's manager only. 413 file_too_large (over IMPORT_MAX_BYTES) or
        too_many_rows (over IMPORT_MAX_ROWS); 415 unsupported_file_type; 422 missing_columns,
        unreadable_file, or, with commit=true, import_has_problems (with the report as
        `report`: nothing was written). 409 when someone else wrote a row meanwhile.
        """
        return _run("people", organisation_id, files, args)


@blp.route("/organisations/<int:organisation_id>/imports/equipment")
class EquipmentImport(MethodView):
    @blp.arguments(ImportArgsSchema, location="query")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(200, ImportReportSchema)
    @blp.problems(401, 403, 404, 409, 413, 415, 422)
    def post(self, args, files, organisation_id):
        """Import equipment from an inventory (dry run unless commit=true)

        Columns: name/名称, asset_tag/资产编号, category/类别 (code, English or Chinese name),
        base/基地 (a training base the organisation runs or co-owns) are required; status,
        description and the booking rules of POST /equipment (slot_minutes,
        min_duration_minutes, max_duration_minutes, setup_buffer_minutes,
        booking_horizon_days, max_attendees, requires_approval, requires_qualification)
        optional. Items are matched by asset tag among the organisation's items in service,
        and owned by the organisation. Who may list its equipment (a school's admins, an
        enterprise's staff) may import it. Refusals as for people.
        """
        return _run("equipment", organisation_id, files, args)


request_bodies.UPLOADS.update({"imports.PeopleImport": "IMPORT_MAX_BYTES",
                     "imports.EquipmentImport": "IMPORT_MAX_BYTES"})
