"""The import endpoints' shapes: the uploaded file, the query, the report."""

from __future__ import annotations

import marshmallow as ma

from ..http import BaseSchema


class ImportFileSchema(BaseSchema):
    file = ma.fields.Raw(required=True, metadata={
        "type": "string", "format": "binary",
        "description": "The sheet: CSV (UTF-8, with or without BOM, or GB18030) or XLSX (its "
                       "first sheet); its header row names the columns (see the operation)."})


class ImportArgsSchema(BaseSchema):
    commit = ma.fields.Boolean(load_default=False, metadata={
        "description": "Write the file (all of it or nothing); by default a dry run."})


class PeopleImportArgsSchema(ImportArgsSchema):
    disable_missing = ma.fields.Boolean(load_default=False, metadata={
        "description": "Disable the organisation's active people the file does not name "
                       "(listed in `missing` either way)."})


class ImportProblemSchema(ma.Schema):
    row = ma.fields.Integer(required=True, metadata={
        "description": "The row as the spreadsheet numbers it (the header is row 1)."})
    column = ma.fields.String(required=True)
    code = ma.fields.String(required=True, metadata={"description": "Stable machine code."})
    message = ma.fields.String(required=True)


class ImportChangeSchema(ma.Schema):
    row = ma.fields.Integer(required=True)
    action = ma.fields.String(required=True, metadata={
        "enum": ["create", "update", "unchanged"]})
    key = ma.fields.String(required=True, metadata={
        "description": "The e-mail (people) or asset tag (equipment) the row is matched by."})
    fields = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "The columns given (create) or changed (update)."})


class MissingPersonSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    full_name = ma.fields.String(required=True)


class ImportReportSchema(ma.Schema):
    kind = ma.fields.String(required=True, metadata={"enum": ["people", "equipment"]})
    organisation_id = ma.fields.Integer(required=True)
    committed = ma.fields.Boolean(required=True, metadata={
        "description": "Whether this answer's changes were written (false: a dry run)."})
    format = ma.fields.String(required=True, metadata={"enum": ["csv", "xlsx"]})
    encoding = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "How a CSV's text was read (utf-8 or gb18030); null for XLSX."})
    rows = ma.fields.Integer(required=True, metadata={"description": "Non-blank rows read."})
    created = ma.fields.Integer(required=True)
    updated = ma.fields.Integer(required=True)
    unchanged = ma.fields.Integer(required=True)
    disabled = ma.fields.Integer(required=True, metadata={
        "description": "People disabled (or, in a dry run with disable_missing, who would "
                       "be)."})
    problems = ma.fields.List(ma.fields.Nested(ImportProblemSchema), required=True)
    changes = ma.fields.List(ma.fields.Nested(ImportChangeSchema), required=True)
    missing = ma.fields.List(ma.fields.Nested(MissingPersonSchema), required=True, metadata={
        "description": "People: the organisation's active people the file does not name."})
