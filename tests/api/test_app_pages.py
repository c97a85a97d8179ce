"""The app's shell answers every app path, its assets carry a digest, other paths stay problems."""

from __future__ import annotations

import re

import pytest

from service.webapp.routes import APP_PATHS

PAGES = [re.sub(r"<int:\w+>", "7", rule) for rule in APP_PATHS]


@pytest.mark.parametrize("path", PAGES)
def test_every_app_path_answers_the_same_shell(client, path):
    answer = client.get(path)
    assert answer.status_code == 200, path
    assert answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert '<main id="main"' in page and 'type="module"' in page
    assert "<style" not in page and not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


def test_the_shell_names_its_assets_by_digest_and_they_are_cached_for_good(client):
    page = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="(/app/static/[^"]+\?v=[^"]*)"', page)
    assert {url.split("?")[0] for url in urls} == {"/app/static/app.css", "/app/static/app.js"}
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        answer = client.get(url)
        assert answer.status_code == 200
        assert "immutable" in answer.headers["Cache-Control"]
        assert answer.mimetype in ("text/css", "text/javascript")


def test_the_shell_preloads_the_modules_it_imports_by_their_plain_urls(client):
    page = client.get("/").get_data(as_text=True)
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', page)
    assert "/app/static/api.js" in preloaded and "/app/static/bookings.js" in preloaded
    assert all(client.get(url).status_code == 200 for url in preloaded)


def test_a_module_without_the_digest_is_revalidated_and_gzipped_on_request(client):
    answer = client.get("/app/static/api.js", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.mimetype == "text/javascript"
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.headers["Cache-Control"] == "no-cache"
    again = client.get("/app/static/api.js", headers={"Accept-Encoding": "gzip",
                                                       "If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304


def test_the_dashboard_imports_the_apps_api_module_and_has_no_copy(client):
    assert client.get("/dashboard/static/api.js").status_code == 404
    script = client.get("/dashboard/static/app.js").get_data(as_text=True)
    assert 'from "/app/static/api.js"' in script


@pytest.mark.parametrize("path", ["/nowhere", "/equipment/abc", "/bookings", "/app/static/none.js",
                                  "/app/static/../routes.py"])
def test_an_unknown_path_is_still_a_404_problem(client, path):
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert answer.get_json()["code"] == "not_found"
