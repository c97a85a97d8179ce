"""Sign-on in the browser: Riverside's admin sets up its provider (the tests' real OpenID
provider, in this process, reached by the served demo over loopback); a student signs in
through the sign-in page's button on a phone in Chinese and lands signed in; a refusal is said
in words; the admin's settings page. axe-clean at each page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, RunningProvider

from .app_browser import Api, check_axe, shot, sign_in, visible, wait_ready, wait_until

pytestmark = pytest.mark.e2e


def landed(page):
    """A predicate of URLs: back at the served app's completion page, or past it at home."""
    app = urlsplit(page.base_url).netloc
    return lambda url: urlsplit(url).netloc == app and urlsplit(url).path in (
        "/signin/complete", "/")


@pytest.fixture(scope="module")
def riverside_sign_on(served_app):
    """Riverside signs its people on with the tests' provider (set up through the API)."""
    service, _ = served_app
    provider = RunningProvider()
    admin = Api(service.url, "admin@school.example")
    settings = admin.ok("PUT", f"/organisations/{admin.me['organisation_id']}/identity-provider",
                        {"issuer": provider.issuer, "client_id": CLIENT_ID,
                         "client_secret": CLIENT_SECRET, "language_claim": "locale"})
    provider.allow_redirect_uri(settings["redirect_uri"])
    yield provider
    provider.stop()
    # The demo as it was (password sign-in on), should another module be served by it too.
    admin.ok("DELETE", f"/organisations/{admin.me['organisation_id']}/identity-provider")


def test_a_student_signs_on_with_the_schools_account_on_a_phone_in_chinese(
        open_page, riverside_sign_on):
    riverside_sign_on.sign_in_as("student1@school.example")
    page = open_page("/signin", device="phone", locale="zh-CN")
    wait_ready(page, "signin")
    button = visible(page, "sign-on-start")
    assert "Riverside" in button.inner_text() and "账号登录" in button.inner_text()
    check_axe(page, "sign-on-button-phone-zh")
    shot(page, "sign-on-button-phone-zh")
    button.click()
    # Through the start, the provider and the callback: evaluate nothing until it lands.
    page.wait_for_url(landed(page))
    wait_ready(page, "home")
    assert page.evaluate("location.pathname + location.hash") == "/"
    me = page.evaluate("""async () => (await fetch('/api/v1/me', {headers: {Authorization:
        'Bearer ' + localStorage.getItem('benchshare.token')}})).json()""")
    assert me["email"] == "student1@school.example"
    check_axe(page, "sign-on-landed-phone-zh")
    shot(page, "sign-on-landed-phone-zh")
    assert not page.problems, page.problems


def test_a_refused_sign_on_is_explained_with_the_way_back(open_page, riverside_sign_on):
    riverside_sign_on.sign_in_as("nobody@school.example")
    page = open_page("/signin", device="desktop", locale="zh-CN")
    visible(page, "sign-on-start").click()
    page.wait_for_url(landed(page))
    wait_ready(page, "sign-on-complete")
    failed = visible(page, "sign-on-failed")
    assert failed.get_attribute("data-code") == "sign_on_no_account"
    assert "管理员" in page.get_by_test_id("sign-on-error").inner_text()
    assert page.evaluate("location.hash") == ""
    check_axe(page, "sign-on-refused-desktop-zh")
    page.get_by_test_id("sign-on-back").click()
    wait_ready(page, "signin")
    assert not page.problems, page.problems


def test_the_admin_turns_password_sign_in_off_on_the_settings_page(
        open_page, riverside_sign_on, served_app):
    page = open_page("/sign-on", device="desktop")
    sign_in(page, "admin@school.example")
    wait_ready(page, "sign-on-settings")
    assert page.get_by_test_id("signon-issuer").input_value() == riverside_sign_on.issuer
    assert page.get_by_test_id("signon-client-secret").input_value() == ""
    check_axe(page, "sign-on-settings-desktop-en")
    page.get_by_test_id("signon-password-sign-in").uncheck()
    page.get_by_test_id("signon-save").click()
    visible(page, "signon-saved")
    service, _ = served_app
    wait_until(page, """async (url) => (await fetch(url + '/api/v1/auth/token', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({email:
        'student2@school.example', password: 'benchshare-demo'})})).status === 403""",
               service.url, what="password sign-in refused")
    page.set_viewport_size({"width": 390, "height": 844})
    check_axe(page, "sign-on-settings-narrow-en")
    shot(page, "sign-on-settings-narrow-en")
    assert not page.problems, page.problems
