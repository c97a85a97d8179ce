"""Every message in the reader's language: Flask-Babel catalogues, the request's language from
`Accept-Language`, and a person's own language for what is written outside a request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, has_request_context, request
from flask_babel import Babel, force_locale, gettext, lazy_gettext, ngettext

# The domains translate through these names.
__all__ = ["gettext", "in_language", "language_of_request", "lazy_gettext", "ngettext"]

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
