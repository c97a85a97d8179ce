"""A schema's dump written by orjson, for answers too big for marshmallow's pace."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import marshmallow as ma
import orjson

# Fields orjson writes exactly as marshmallow dumps them, given values of the field's type
# (a date as YYYY-MM-DD, None as null). Exact types: a subclass may dump otherwise.
PLAIN = (ma.fields.String, ma.fields.Integer, ma.fields.Float, ma.fields.Boolean,
         ma.fields.Date)


def fast_dump(schema: ma.Schema) -> Callable[[Mapping], bytes]:
    """A function writing a document as JSON of `schema.dump(document)`, without marshmallow.

    The keys, their names (`data_key`) and the nesting come from the schema's fields, so the
    answer follows the schema; values are written as they are, so the read side must hand
    values of each field's type (a test checks an answer against the schema's dump). A field
    that orjson would write otherwise than marshmallow is refused here, when the dumper is
    made, not at a request."""
    write = _document_writer(schema)
    return lambda document: orjson.dumps(write(document))


def _document_writer(schema: ma.Schema) -> Callable[[Mapping], Mapping]:
    fields = [(field.attribute or name, field.data_key or name, _value_writer(field))
              for name, field in schema.dump_fields.items()]
    order = [attribute for attribute, _, _ in fields]
    names = set(order)
    if all(attribute == key and write is None for attribute, key, write in fields):
        # A row holding exactly the schema's fields is written as it is: the hot case, a
        # thousand rows of plain values.
        def write_plain(value: Mapping) -> Mapping:
            if value.keys() == names:
                return value
            return {key: value[key] for key in order if key in value}

        return write_plain

    def write(value: Mapping) -> Mapping:
        return {key: value[attribute] if nested is None or value[attribute] is None
                else nested(value[attribute])
                for attribute, key, nested in fields if attribute in value}

    return write


def _value_writer(field: ma.fields.Field) -> Callable | None:
    """How a field's value is written: None when orjson writes it as it is."""
    if type(field) is ma.fields.Nested:
        inner = _document_writer(field.schema)
        return (lambda values: [inner(v) for v in values]) if field.many else inner
    if type(field) is ma.fields.List:
        inner = _value_writer(field.inner)
        return None if inner is None else (lambda values: [inner(v) for v in values])
    if type(field) in PLAIN:
        return None
    raise TypeError(f"{type(field).__name__} is not written by orjson as marshmallow dumps it.")
