"""Every report figure the API states points to its one definition in docs/reports.md, and
every docs/ pointer in the OpenAPI document or in service/ reaches a heading that exists."""

from __future__ import annotations

import json
import re

import pytest

from service.config import PROJECT_ROOT
from tests.api.openapi_document import follow
from tests.markdown_anchors import anchors

DOCS = PROJECT_ROOT / "docs"
SERVICE = PROJECT_ROOT / "service"
METHODS = ("get", "post", "put", "patch", "delete")
POINTER = re.compile(r"docs/([\w.-]+?\.md)(?:#([\w-]+))?")
FIGURE = re.compile(r"^(.+_hours|hours_.+|.+_hours_.+|hours|utilisation|usage)$")

# The endpoints that state available, booked, used or offered hours (or ratios of them).
REPORTING = [
    ("get", "/api/v1/reports/utilisation"),
    ("get", "/api/v1/reports/utilisation.csv"),
    ("get", "/api/v1/reports/heatmap"),
    ("get", "/api/v1/reports/heatmap.csv"),
    ("get", "/api/v1/reports/runs"),
    ("get", "/api/v1/reports/practice"),
    ("get", "/api/v1/reports/practice.csv"),
    ("get", "/api/v1/reports/idle"),
    ("get", "/api/v1/organisations/{organisation_id}/impact"),
    ("get", "/api/v1/organisations/{organisation_id}/contribution"),
    ("post", "/api/v1/organisations/{organisation_id}/contribution/confirmations"),
]


@pytest.fixture(scope="module")
def document(app):
    """The published OpenAPI document."""
    answer = app.test_client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return answer.get_json()




def figure_properties(document, schema, seen=None):
    """(schema name, property, its schema) of every figure-named property reachable from
    `schema`, through references, lists, nesting and allOf/oneOf/anyOf."""
    seen = set() if seen is None else seen
    if isinstance(schema, dict) and "$ref" in schema:
        if schema["$ref"] in seen:
            return
        seen.add(schema["$ref"])
        name = schema["$ref"].rsplit("/", 1)[-1]
    else:
        name = "(inline)"
    schema = follow(document, schema)
    if not isinstance(schema, dict):
        return
    for prop, sub in schema.get("properties", {}).items():
        if FIGURE.match(prop):
            yield name, prop, follow(document, sub)
        yield from figure_properties(document, sub, seen)
    if "items" in schema:
        yield from figure_properties(document, schema["items"], seen)
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            yield from figure_properties(document, sub, seen)


def answer_schemas(operation):
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            for media in response.get("content", {}).values():
                if "schema" in media:
                    yield media["schema"]


def broken_pointers(text: str) -> set[str]:
    broken = set()
    for match in POINTER.finditer(text):
        page, anchor = DOCS / match[1], match[2]
        if not page.is_file():
            broken.add(f"{match[0]}: no such page")
        elif anchor and anchor not in anchors(page):
            broken.add(f"{match[0]}: no heading #{anchor} in {match[1]}")
    return broken


def test_the_reporting_endpoints_are_in_the_document(document):
    missing = [f"{method} {path}" for method, path in REPORTING
               if method not in document["paths"].get(path, {})]
    assert missing == []


def test_every_reporting_endpoint_points_to_the_definitions(document):
    silent = [f"{method} {path}" for method, path in REPORTING
              if "docs/reports.md#definitions" not in
              document["paths"][path][method].get("description", "")]
    assert silent == []


def test_every_figure_an_answer_states_points_to_its_definition(document):
    found, undefined = set(), set()
    for method, path in REPORTING:
        for schema in answer_schemas(document["paths"][path][method]):
            for name, prop, sub in figure_properties(document, schema):
                found.add(f"{name}.{prop}")
                if "docs/reports.md#" not in sub.get("description", ""):
                    undefined.add(f"{method} {path}: {name}.{prop}")
    # The figures themselves are found, so an empty list of the undefined means something.
    assert {"UtilisationRow.booked_hours", "UtilisationRow.utilisation", "HeatmapCell.booked_hours",
            "ImpactFigures.hours_offered", "ContributionFigures.hours_used",
            "IdleFinding.available_hours", "PracticeRow.hours"} <= found
    assert sorted(undefined) == []


def test_every_docs_pointer_in_the_openapi_document_reaches_a_heading(document):
    text = json.dumps(document)
    assert "docs/reports.md#booked" in text
    assert sorted(broken_pointers(text)) == []


def test_every_docs_pointer_in_the_service_sources_reaches_a_heading():
    broken = set()
    for source in sorted(SERVICE.rglob("*")):
        if source.suffix in {".py", ".js", ".html", ".css"} and source.is_file():
            broken |= {f"{source.relative_to(PROJECT_ROOT)}: {problem}"
                       for problem in broken_pointers(source.read_text(encoding="utf-8"))}
    assert sorted(broken) == []


def test_a_pointer_to_a_missing_heading_is_found():
    assert broken_pointers("see docs/reports.md#booked and docs/reports.md#bookd") == \
        {"docs/reports.md#bookd: no heading #bookd in reports.md"}
    assert broken_pointers("docs/nowhere.md") == {"docs/nowhere.md: no such page"}
