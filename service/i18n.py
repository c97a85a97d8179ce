"""Every message in the reader's language: Flask-Babel catalogues, the request's language from
`Accept-Language`, and a person's own language for what is written outside a request."""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from babel.messages.extract import extract_python
from flask import Flask, has_request_context, request
from flask_babel import (
    Babel,
    force_locale,
    get_locale,
    gettext,
    lazy_gettext,
    ngettext,
    refresh,
)

# The domains translate through these names.
__all__ = ["gettext", "in_language", "language_of_request", "lazy_gettext", "ngettext",
           "translated", "validation_messages"]

# A person's language (users.language, BCP 47) -> the catalogue's locale (Babel's spelling).
LOCALES = {"en": "en", "zh-Hans": "zh_Hans"}
TRANSLATIONS = Path(__file__).parent / "translations"


def language_of_request() -> str:
    """The language a request asks for (`Accept-Language`): any Chinese tag reads Simplified
    Chinese, anything else English."""
    if not has_request_context():
        return "en"
    for tag, _quality in request.accept_languages:
        tag = tag.lower()
        if tag.startswith("zh"):
            return "zh-Hans"
        if tag.startswith("en") or tag == "*":
            return "en"
    return "en"


def _select_locale() -> str:
    return LOCALES[language_of_request()]


@contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Write in a person's language (e-mails, notices) whatever the request asked for."""
    with force_locale(LOCALES.get(language or "en", "en")):
        yield


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=_select_locale)
    # Flask-Babel keeps the locale it chose on `g`, which lives as long as the app context: a
    # request inside a longer one (the tests', a CLI's) would answer in the previous request's
    # language. Each request chooses afresh.
    app.before_request(refresh)


def translated(text) -> str:
    """A refusal's English title (a class attribute, extracted by `extract_titles`) or a lazy
    string, in the current locale."""
    return gettext(text) if isinstance(text, str) else str(text)


# marshmallow's and webargs' own messages: fixed ones by their English text, parametrised ones
# by a pattern whose groups fill the translation's named placeholders. Matched only when the
# reader does not read English, so English answers are exactly marshmallow's.
_FIXED = [
    lazy_gettext("Missing data for required field."),
    lazy_gettext("Field may not be null."),
    lazy_gettext("Invalid value."),
    lazy_gettext("Unknown field."),
    lazy_gettext("Invalid input type."),
    lazy_gettext("Invalid type."),
    lazy_gettext("Not a valid string."),
    lazy_gettext("Not a valid integer."),
    lazy_gettext("Not a valid number."),
    lazy_gettext("Not a valid boolean."),
    lazy_gettext("Not a valid date."),
    lazy_gettext("Not a valid datetime."),
    lazy_gettext("Not a valid aware datetime."),
    lazy_gettext("Not a valid naive datetime."),
    lazy_gettext("Not a valid time."),
    lazy_gettext("Not a valid email address."),
    lazy_gettext("Not a valid list."),
    lazy_gettext("Not a valid mapping type."),
    lazy_gettext("Not a valid UUID."),
    lazy_gettext("Not a valid URL."),
    lazy_gettext("Number too large."),
    lazy_gettext("Special numeric values (nan or infinity) are not permitted."),
    lazy_gettext("Must be after from."),
]
_PATTERNS = [
    (re.compile(r"Must be one of: (?P<choices>.*)\.", re.S), lazy_gettext(
        "Must be one of: %(choices)s.")),
    (re.compile(r"Length must be between (?P<min>\S+) and (?P<max>\S+)\."), lazy_gettext(
        "Length must be between %(min)s and %(max)s.")),
    (re.compile(r"Length must be (?P<equal>\S+)\."), lazy_gettext("Length must be %(equal)s.")),
    (re.compile(r"Longer than maximum length (?P<max>\S+)\."), lazy_gettext(
        "Longer than maximum length %(max)s.")),
    (re.compile(r"Shorter than minimum length (?P<min>\S+)\."), lazy_gettext(
        "Shorter than minimum length %(min)s.")),
    (re.compile(r"Must be greater than or equal to (?P<min>\S+) and less than or equal to "
                r"(?P<max>\S+)\."), lazy_gettext("Must be between %(min)s and %(max)s.")),
    (re.compile(r"Must be greater than or equal to (?P<min>\S+)\."), lazy_gettext(
        "Must be at least %(min)s.")),
    (re.compile(r"Must be less than or equal to (?P<max>\S+)\."), lazy_gettext(
        "Must be at most %(max)s.")),
    (re.compile(r"Must be greater than (?P<min>\S+)\."), lazy_gettext(
        "Must be greater than %(min)s.")),
    (re.compile(r"Must be less than (?P<max>\S+)\."), lazy_gettext("Must be less than %(max)s.")),
    (re.compile(r"At most (?P<most>\S+)\."), lazy_gettext("At most %(most)s.")),
]


def _validation_message(text: str) -> str:
    if text in _FIXED_TEXTS:
        return gettext(text)
    for pattern, message in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return gettext(message._args[0], **match.groupdict())
    return text


_FIXED_TEXTS = {message._args[0] for message in _FIXED}


def validation_messages(messages):
    """A validation error's field -> messages (nested as marshmallow nests them) in the
    reader's language; the field names (keys) never change."""
    if get_locale_language() == "en":
        return messages
    if isinstance(messages, str):
        return _validation_message(messages)
    if isinstance(messages, list):
        return [validation_messages(message) for message in messages]
    if isinstance(messages, dict):
        return {key: validation_messages(value) for key, value in messages.items()}
    return messages


def get_locale_language() -> str:
    """The language Babel writes in now (a request's, or one forced by `in_language`)."""
    locale = get_locale()
    return "zh-Hans" if locale is not None and locale.language == "zh" else "en"


def extract_titles(fileobj, keywords, comment_tags, options):
    """A Babel extractor for errors modules: every refusal class's English `title`
    (`title = "..."` or `code, title = "...", "..."`), which service.errors translates when it
    renders a problem, besides the gettext calls Babel's Python extractor finds."""
    source = fileobj.read()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if not isinstance(statement, ast.Assign):
                continue
            for target in statement.targets:
                value = None
                if isinstance(target, ast.Name) and target.id == "title":
                    value = statement.value
                elif (isinstance(target, ast.Tuple) and isinstance(statement.value, ast.Tuple)
                      and len(target.elts) == len(statement.value.elts)):
                    for name, element in zip(target.elts, statement.value.elts, strict=True):
                        if isinstance(name, ast.Name) and name.id == "title":
                            value = element
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield value.lineno, None, value.value, []
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)


def label(english: str, chinese: str | None) -> str:
    """A name kept in both languages (categories, skills), as the reader asked: the Chinese
    one for a Chinese reader when it was given, else the English one."""
    return (chinese or english) if get_locale_language() == "zh-Hans" else english


def label_field(english: str, chinese: str, description: str):
    """A dump-only answer field: `label` of two attributes (dotted paths allowed)."""
    import marshmallow as ma

    def read(obj, path):
        for name in path.split("."):
            obj = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        return obj or ""

    return ma.fields.Function(lambda obj: label(read(obj, english), read(obj, chinese)),
                              dump_only=True, metadata={"type": "string",
                                                        "description": description})


def gap() -> str:
    """What goes between two sentences: a space in English, nothing in Chinese."""
    return "" if get_locale_language() == "zh-Hans" else " "
