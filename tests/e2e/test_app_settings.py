"""A person's own settings in a real browser against `benchshare serve --demo`: the app adopts
the language a person chose on sign-in unless they chose one in this browser, the settings
page saves the language and changes the password, and the header's switch saves the language
too; phone and desktop, English and Chinese, axe-core on each page."""

from __future__ import annotations

import pytest

from .app_browser import Api, check_axe, shot, sign_in, visible, wait_ready, wait_until
from .outage import call

pytestmark = pytest.mark.e2e

READER = "student4@school.example"
CHANGER = "student5@school.example"
NEW_PASSWORD = "a-new-password-for-five"


def _language(page) -> str:
    return page.evaluate("document.documentElement.lang")


def test_a_chinese_reader_signs_in_to_chinese_and_saves_english_then_the_switch(
        open_page, served_app):
    service, _ = served_app
    reader = Api(service.url, READER)
    assert reader.ok("PATCH", "/me", {"language": "zh-Hans"})["language"] == "zh-Hans"
    page = open_page("/settings", device="phone", locale="en-GB")
    sign_in(page, READER)
    wait_ready(page, "settings")
    assert _language(page) == "zh-CN", "never chose here: the person's own language"
    assert page.get_by_test_id("page-title").inner_text() == "设置"
    assert page.get_by_test_id("settings-language-zh-Hans").is_checked()
    check_axe(page, "settings-phone-zh")
    shot(page, "settings-phone-zh")

    page.get_by_test_id("settings-language-en").check()
    page.get_by_test_id("settings-language-save").click()
    visible(page, "settings-language-saved")
    assert _language(page) == "en" and page.get_by_test_id("page-title").inner_text() \
        == "Settings"
    assert page.get_by_test_id("settings-language-en").is_checked()
    assert reader.ok("GET", "/me")["language"] == "en"
    check_axe(page, "settings-phone-en")

    page.get_by_test_id("lang-switch").click()  # signed in: saved as the person's own too
    wait_until(page, "document.documentElement.lang === 'zh-CN'", what="the switch to 中文")
    for _ in range(50):
        if reader.ok("GET", "/me")["language"] == "zh-Hans":
            break
        page.wait_for_timeout(100)
    assert reader.ok("GET", "/me")["language"] == "zh-Hans"
    assert not page.problems, page.problems


def test_a_student_changes_their_password_on_a_desktop_in_chinese(open_page, served_app):
    service, _ = served_app
    Api(service.url, CHANGER).ok("PATCH", "/me", {"language": "zh-Hans"})
    page = open_page("/settings", device="desktop", locale="en-US")
    sign_in(page, CHANGER)
    wait_ready(page, "settings")
    assert _language(page) == "zh-CN"
    fill = {"settings-current-password": "benchshare-demo",
            "settings-new-password": NEW_PASSWORD, "settings-repeat-password": "typo"}
    for testid, text in fill.items():
        page.get_by_test_id(testid).fill(text)
    page.get_by_test_id("settings-password-save").click()
    assert "两次输入的新密码不一致" in visible(page, "settings-password-notice").inner_text()

    page.get_by_test_id("settings-current-password").fill("not-my-password")
    page.get_by_test_id("settings-repeat-password").fill(NEW_PASSWORD)
    page.get_by_test_id("settings-password-save").click()
    wait_until(page, "() => document.querySelector('[data-testid=settings-password-notice]')"
               ".innerText.includes('当前密码不正确')", what="the wrong password explained")
    check_axe(page, "settings-desktop-zh")

    page.get_by_test_id("settings-current-password").fill("benchshare-demo")
    page.get_by_test_id("settings-repeat-password").fill(NEW_PASSWORD)
    page.get_by_test_id("settings-password-save").click()
    assert visible(page, "settings-password-saved").inner_text() == "密码已修改。"
    shot(page, "settings-desktop-zh")
    status, _, _ = call(service.url + "/api/v1/auth/token", "POST",
                        {"email": CHANGER, "password": NEW_PASSWORD})
    assert status == 200
    assert not page.problems, page.problems
