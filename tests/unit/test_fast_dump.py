"""A schema's dump written by orjson is the schema's own dump, or refused when it cannot be."""

import json
from datetime import date

import marshmallow as ma
import orjson
import pytest

from service.fast_dump import fast_dump
from service.reports.schemas import UtilisationSchema


class Line(ma.Schema):
    day = ma.fields.Date(required=True)
    hours = ma.fields.Float(required=True, allow_none=True)
    tags = ma.fields.List(ma.fields.String())


class Sheet(ma.Schema):
    from_ = ma.fields.Date(data_key="from")
    title = ma.fields.String()
    first = ma.fields.Nested(Line, allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(Line))
    more = ma.fields.Nested(Line, many=True)
    counted = ma.fields.Boolean()
    count = ma.fields.Integer()


def marshmallow_json(schema: ma.Schema, document: dict) -> object:
    return json.loads(json.dumps(schema.dump(document), default=str))


LINE = {"day": date(2026, 3, 29), "hours": 1.5, "tags": ["cnc", "safety"]}
SHEET = {"from_": date(2026, 3, 1), "title": "March", "first": LINE,
         "lines": [LINE, {**LINE, "hours": None, "tags": []}], "more": [LINE],
         "counted": True, "count": 3}


def test_renamed_nested_and_listed_fields_are_written_as_the_schema_dumps_them():
    assert orjson.loads(fast_dump(Sheet())(SHEET)) == marshmallow_json(Sheet(), SHEET)


def test_values_the_schema_does_not_name_are_left_out_as_the_dump_leaves_them():
    document = {**SHEET, "secret": "x", "first": {**LINE, "secret": "y"}, "title": None}
    del document["count"]

    assert orjson.loads(fast_dump(Sheet())(document)) == marshmallow_json(Sheet(), document)


def test_the_utilisation_answer_is_written_as_its_schema_dumps_it():
    row = {"period_start": date(2025, 3, 3), "group_by": "item", "group_id": 7,
           "group_name": "Lathe", "available_hours": 10.0, "booked_hours": 2.0,
           "used_hours": 1.5, "utilisation": 0.2, "usage": None, "no_shows": 1,
           "cancellations": 0, "late_cancellations": 0, "stored": True}
    document = {"granularity": "day", "from_": date(2025, 3, 3), "to": date(2025, 3, 4),
                "group_by": "item", "rows": [row, {**row, "group_id": None}]}

    written = orjson.loads(fast_dump(UtilisationSchema())(document))

    assert written == marshmallow_json(UtilisationSchema(), document)
    assert written["from"] == "2025-03-03"


@pytest.mark.parametrize("field", [ma.fields.AwareDateTime(), ma.fields.Decimal(),
                                   ma.fields.Function(str), ma.fields.Dict()])
def test_a_field_orjson_would_write_otherwise_is_refused_when_the_dumper_is_made(field):
    schema = ma.Schema.from_dict({"value": field})()

    with pytest.raises(TypeError, match="not written by orjson"):
        fast_dump(schema)
