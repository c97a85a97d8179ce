"""The README and docs/ hold together: every relative link reaches a file and, when it names
one, a heading there; the README stays a newcomer's page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from service.config import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
PAGES = [README, *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 250

FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)
EXPLICIT_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"", re.I)


def _prose(text: str) -> str:
    """The page without its code: links inside code blocks and spans are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, inline markup and punctuation dropped,
    spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor a page offers: its headings' (numbered when repeated) and explicit ones."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    found: set[str] = set(EXPLICIT_ANCHOR.findall(text))
    seen: dict[str, int] = {}
    for heading in HEADING.findall(text):
        base = slug(heading)
        found.add(base if base not in seen else f"{base}-{seen[base]}")
        seen[base] = seen.get(base, 0) + 1
    return found


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
