"""The Chinese catalogue: compiled as written, every message translated with its placeholders,
and every message the code marks for translation in it."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "service/translations/zh_Hans/LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _po():
    with open(CATALOGUE / "messages.po", "rb") as po:
        return read_po(po, locale="zh_Hans")


def _key(value):
    """A message's id or string; a plural's forms as a tuple (so it can be compared)."""
    return tuple(value) if isinstance(value, list | tuple) else value


def _forms(value) -> list[str]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _pairs(catalog) -> dict:
    return {_key(m.id): _key(m.string) for m in catalog if m.id}


def test_the_compiled_catalogue_matches_the_written_one():
    with open(CATALOGUE / "messages.mo", "rb") as mo:
        compiled = read_mo(mo)
    assert _pairs(compiled) == _pairs(_po()), \
        "compile again: pybabel compile -d service/translations"


def test_every_message_is_translated_with_the_same_placeholders_and_none_is_fuzzy():
    catalog = _po()
    untranslated = [m.id for m in catalog if m.id and not all(_forms(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    for message in catalog:
        if message.id:
            wanted = sorted(PLACEHOLDER.findall(_forms(message.id)[0]))
            for form in _forms(message.string):  # Chinese has one plural form
                assert sorted(PLACEHOLDER.findall(form)) == wanted, message.id


def test_every_message_the_code_marks_is_in_the_catalogue():
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    marked = {message for _, _, message, _, _ in extract_from_dir(
        ROOT, method_map, options_map, keywords={"gettext": None, "lazy_gettext": None,
                                                 "ngettext": (1, 2), "_": None})}
    missing = sorted((m for m in map(_key, marked) if m not in _pairs(_po())), key=str)
    assert missing == [], "run pybabel extract / update (docs/development.md) and translate"
