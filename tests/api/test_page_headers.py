"""Security headers: the app's and the dashboard's pages carry their Content-Security-Policy,
are never framed and send no Referer; every answer is nosniff; /api/docs still loads."""

from __future__ import annotations

import re

import pytest

from service.page_headers import policy_for

APP_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'")
DASHBOARD_POLICY = APP_POLICY.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';")
PAGE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                "X-Frame-Options": "DENY",
                "Permissions-Policy": "camera=(), microphone=(), geolocation=()"}


def assert_page(response, policy):
    assert response.headers["Content-Security-Policy"] == policy
    for name, value in PAGE_HEADERS.items():
        assert response.headers[name] == value, name


def assert_not_a_page(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "X-Frame-Options" not in response.headers
    assert response.headers.get("Content-Security-Policy") != APP_POLICY


@pytest.mark.parametrize("path", ["/", "/find", "/equipment/7", "/app/static/app.js"])
def test_every_answer_of_the_app_carries_the_page_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_page(response, APP_POLICY)


def test_a_refusal_on_a_page_of_the_app_carries_the_page_policy_too(client):
    response = client.post("/find")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert_page(response, APP_POLICY)


def test_an_unknown_app_path_stays_a_404_problem_with_the_page_headers(client):
    response = client.get("/bookings/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert_page(response, APP_POLICY)


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/"])
def test_the_dashboard_page_allows_inline_styles_for_its_charts_and_nothing_more(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_page(response, DASHBOARD_POLICY)
    page = response.get_data(as_text=True)
    # Its scripts are files of its own: nothing inline for the policy to refuse.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page and "<style" not in page


def test_the_dashboards_scripts_carry_the_headers_and_a_script_type(client):
    page = client.get("/dashboard").get_data(as_text=True)
    for src in re.findall(r'<script[^>]*src="([^"]+)"', page):
        response = client.get(src)
        assert response.status_code == 200, src
        assert response.mimetype == "text/javascript", src
        assert_page(response, DASHBOARD_POLICY)


def test_api_answers_are_nosniff_without_the_page_policy(client, world):
    for response in (client.get("/api/v1/me", headers=world.headers("student")),
                     client.get("/api/v1/me"), client.get("/api/v1/no-such-thing"),
                     client.get("/healthz")):
        assert_not_a_page(response)
        assert "Content-Security-Policy" not in response.headers


def test_the_api_docs_page_and_its_own_files_still_load(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert_not_a_page(response)
    assert "Content-Security-Policy" not in response.headers  # its bootstrap script is inline
    page = response.get_data(as_text=True)
    files = re.findall(r'(?:src|href)="(/api/docs/[^"]+)"', page)
    assert len(files) >= 4, files
    kinds = {"js": "text/javascript", "css": "text/css", "png": "image/png"}
    for path in files:
        answer = client.get(path)
        assert answer.status_code == 200, path
        # nosniff makes the browser refuse a script or style served under another type.
        assert answer.mimetype == kinds[path.rsplit(".", 1)[-1]], path


@pytest.mark.parametrize(("path", "blueprint", "policy"), [
    ("/", None, APP_POLICY),
    ("/signin", None, APP_POLICY),
    ("/outcomes/new/4", None, APP_POLICY),
    ("/labels/2", None, APP_POLICY),
    ("/app/static/app.js", None, APP_POLICY),
    ("/later-page", "webapp", APP_POLICY),
    ("/dashboard/vendor/plotly-6.0.min.js", None, DASHBOARD_POLICY),
    ("/api/v1/equipment/3", "catalogue", None),
    ("/api/docs/", None, None),
    ("/healthz", "health", None),
    ("/dashboards", None, None),
    ("/findings", None, None),
])
def test_which_paths_are_pages(path, blueprint, policy):
    assert policy_for(path, blueprint) == policy
