"""An item's QR code: the app's page of the item, drawn by segno as SVG.

A scan opens `{PUBLIC_URL}/equipment/{id}`: the page shows the item, and its holder checks in
there. The picture depends only on that URL, so its digest is its ETag.
"""

from __future__ import annotations

import hashlib
import io

import segno

# 8 px a module with a viewBox: crisp on screen, and a page may scale it to any label size.
SCALE = 8
# The standard quiet zone; a light background, so a dark page does not swallow the code.
BORDER = 4


def item_url(public_url: str, equipment_id: int) -> str:
    """The app's URL of an item (public_url without its trailing slash)."""
    return f"{public_url.rstrip('/')}/equipment/{equipment_id}"


def svg(url: str) -> tuple[bytes, str]:
    """The QR code of `url` as an SVG document, and its entity tag (a digest of the bytes)."""
    # Level M at least (segno raises it while the symbol's size allows): labels get scuffed.
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=SCALE, border=BORDER, unit="px", xmldecl=False,
              dark="#000", light="#fff")
    body = out.getvalue()
    return body, hashlib.sha256(body).hexdigest()[:32]
