"""Over HTTP: every item's QR code is an SVG of the item's page in the app, for whoever may
see the item, cached privately and revalidated by its ETag."""

from __future__ import annotations

import re

import pytest
import segno

from .openapi_document import assert_documented


@pytest.fixture
def document(client):
    """The published OpenAPI document."""
    return client.get("/api/v1/openapi.json").get_json()


def dark_modules(svg: str) -> set[tuple[int, int]]:
    """The (row, column) of each dark module an SVG from segno draws: its one path is a run
    of horizontal strokes (M/m moves, h lines) half a module below each row's top (a light
    background, if any, is another path)."""
    path = re.search(r'<path class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark |= {(int(y), int(x) + i) for i in range(int(float(a)))}
            x += float(a)
    return dark


def encodes(svg: str, url: str) -> bool:
    """Whether the SVG draws exactly the QR symbol segno makes of `url` (at some error level,
    with any quiet zone)."""
    drawn = dark_modules(svg)
    if not drawn:
        return False
    top, left = min(r for r, _ in drawn), min(c for _, c in drawn)
    for level in "LMQH":
        matrix = segno.make(url, error=level, boost_error=False, micro=False).matrix
        wanted = {(r, c) for r, row in enumerate(matrix) for c, v in enumerate(row) if v}
        # The finder pattern's corner is dark: both sets start at their top-left module.
        if {(r - top, c - left) for r, c in drawn} == wanted:
            return True
    return False


def _qr(client, world, role, item, **headers):
    return client.get(f"/api/v1/equipment/{item.id}/qr.svg",
                      headers={**(world.headers(role) if role else {}), **headers})


def test_the_code_holds_the_items_page_on_the_requests_host_when_no_public_url_is_set(
        client, world, document):
    answer = _qr(client, world, "student", world.equipment)
    assert answer.status_code == 200
    assert answer.mimetype == "image/svg+xml"
    svg = answer.get_data(as_text=True)
    assert encodes(svg, f"http://localhost/equipment/{world.equipment.id}")
    assert not encodes(svg, f"http://localhost/equipment/{world.equipment.id + 1}")
    assert answer.headers["Cache-Control"] == "private, no-cache"
    assert answer.headers["ETag"]
    assert_documented(document, "GET", "/equipment/{equipment_id}/qr.svg", answer)


def test_the_code_holds_the_configured_public_url(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://bench.example.edu/app")
    svg = _qr(client, world, "instructor", world.equipment).get_data(as_text=True)
    assert encodes(svg, f"https://bench.example.edu/app/equipment/{world.equipment.id}")
    assert not encodes(svg, f"http://localhost/equipment/{world.equipment.id}")


def test_a_known_etag_is_answered_304_without_a_body(client, world, document):
    tag = _qr(client, world, "student", world.equipment).headers["ETag"]
    answer = _qr(client, world, "admin", world.equipment, **{"If-None-Match": tag})
    assert answer.status_code == 304
    assert answer.get_data() == b""
    assert answer.headers["ETag"] == tag
    assert_documented(document, "GET", "/equipment/{equipment_id}/qr.svg", answer,
                      sent=["If-None-Match"])


@pytest.mark.parametrize(("role", "item"), [
    ("student", "other_equipment"),             # another school's
    ("student", "enterprise_equipment"),        # an enterprise's, offered to nobody
    ("other_staff", "enterprise_equipment"),    # another enterprise's
])
def test_an_item_the_caller_may_not_see_is_404_like_its_page(client, world, document, role,
                                                             item):
    answer = _qr(client, world, role, getattr(world, item))
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["code"] == "not_found"
    page = client.get(f"/api/v1/equipment/{getattr(world, item).id}",
                      headers=world.headers(role))
    assert page.status_code == 404
    assert_documented(document, "GET", "/equipment/{equipment_id}/qr.svg", answer)


def test_the_owner_of_an_enterprise_item_gets_its_code(client, world):
    answer = _qr(client, world, "enterprise_staff", world.enterprise_equipment)
    assert answer.status_code == 200
    assert encodes(answer.get_data(as_text=True),
                   f"http://localhost/equipment/{world.enterprise_equipment.id}")


def test_an_unsigned_caller_gets_401(client, world, document):
    answer = _qr(client, world, None, world.equipment)
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert_documented(document, "GET", "/equipment/{equipment_id}/qr.svg", answer)


def test_the_document_declares_the_svg_and_no_json(document):
    ok = document["paths"]["/api/v1/equipment/{equipment_id}/qr.svg"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["image/svg+xml"]
    assert {"ETag", "Cache-Control"} <= set(ok["headers"])
