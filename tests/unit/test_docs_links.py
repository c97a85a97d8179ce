"""The README and docs/ hold together: every relative link reaches a file and, when it names
one, a heading there; the README stays a newcomer's page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from service.config import PROJECT_ROOT
from tests.markdown_anchors import FENCE, anchors, slug

README = PROJECT_ROOT / "README.md"
PAGES = [README, *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 250

CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _prose(text: str) -> str:
    """The page without its code: links inside code blocks and spans are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def relative_links(page: Path) -> list[str]:
    return [target for target in LINK.findall(_prose(page.read_text(encoding="utf-8")))
            if not re.match(r"[a-z][a-z0-9+.-]*:", target, re.I)]


def test_the_slug_of_a_heading_is_githubs():
    assert slug("Changing or withdrawing an offer with bookings under it") == \
        "changing-or-withdrawing-an-offer-with-bookings-under-it"
    assert slug("The ground floor for time: `service/calendar/`") == \
        "the-ground-floor-for-time-servicecalendar"
    assert slug("The dashboard's browser test") == "the-dashboards-browser-test"


def test_the_readme_and_the_docs_link_to_each_other():
    linked = {(README.parent / target.partition("#")[0]).resolve()
              for target in relative_links(README)}
    assert {page.resolve() for page in PAGES[1:]} <= linked, "a page of docs/ the README omits"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_every_relative_link_reaches_a_file_and_its_anchor(page):
    broken = []
    for target in relative_links(page):
        path, _, anchor = unquote(target).partition("#")
        reached = (page.parent / path).resolve() if path else page
        if not reached.exists():
            broken.append(f"{target}: no such file")
        elif anchor and (reached.suffix != ".md" or anchor not in anchors(reached)):
            broken.append(f"{target}: no heading #{anchor} in {reached.name}")
    assert broken == [], f"{page.name} links to what is not there"


def test_the_report_definitions_have_their_anchors():
    assert {"definitions", "available", "booked", "used", "offered"} <= \
        anchors(PROJECT_ROOT / "docs" / "reports.md")


def test_the_readme_is_a_short_page():
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to docs/"
