"""Fields of request schemas that refuse what marshmallow would quietly guess at."""

from __future__ import annotations

from datetime import UTC

import marshmallow as ma


class Integer(ma.fields.Integer):
    """A whole number: 2.5 is refused rather than quietly read as 2 (strings of digits, as
    query strings send them, are still read)."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class Boolean(ma.fields.Boolean):
    """A JSON true or false in a body: "yes", 1 or "on" are refused rather than guessed at
    (query strings keep marshmallow's reading of "true"/"false")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Instant(ma.fields.AwareDateTime):
    """An ISO 8601 instant that carries its offset (a naive one is refused), 1970 to 2199,
    read as UTC: every answer gives instants in UTC, whatever offset the client wrote."""

    # The document says the years as a pattern (next to format date-time) for generators.
    YEARS = r"^(19[7-9][0-9]|2[01][0-9]{2})-"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "iso")
        kwargs["metadata"] = {"pattern": self.YEARS, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if not 1970 <= parsed.year <= 2199:
            raise ma.ValidationError("Must be between 1970 and 2199.")
        return parsed.astimezone(UTC)


# "Not blank": at least one character that is whitespace neither to Python's `\s` nor to the
# ECMAScript `\s` the OpenAPI document's pattern is read with (they differ: U+0085 and
# U+001C-U+001F are space to Python only, U+FEFF to ECMAScript only), anywhere in the text
# (marshmallow's Regexp matches from the start: a bare `\S` refused a result that began with a
# space), and no NUL anywhere (which every text refuses; a field's own pattern must say so too).
_SPACE = (r"\t\n\v\f\r \u001c-\u001f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
          r"\u3000\ufeff")
NOT_BLANK = rf"^[^\u0000]*[^{_SPACE}\u0000][^\u0000]*$"


def not_blank() -> ma.validate.Regexp:
    """A validator refusing text of whitespace alone (NOT_BLANK), its pattern in the schema."""
    return ma.validate.Regexp(NOT_BLANK, error="Must not be blank.")
