"""The dashboard's chart library honours the client's Accept-Encoding, q-values included."""

from __future__ import annotations

import re


def test_gzip_is_sent_only_to_a_client_that_accepts_it(client):
    page = client.get("/dashboard").get_data(as_text=True)
    src = re.search(r'src="([^"]*plotly[^"]*)"', page).group(1)
    assert client.get(src, headers={"Accept-Encoding": "gzip"}).headers.get(
        "Content-Encoding") == "gzip"
    for refusing in ("gzip;q=0, identity", "identity", "br"):
        answer = client.get(src, headers={"Accept-Encoding": refusing})
        assert answer.status_code == 200 and "Content-Encoding" not in answer.headers, refusing
