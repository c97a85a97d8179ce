"""Forgot password in a real browser against a real `benchshare serve --demo`: a student asks
on a phone in Chinese, the link is read from the served app's outbox, opened, a new password
chosen and the student is signed in; the used link then says so; an unknown address gets the
same answer. axe-core clean on every page, at phone and desktop size, in English and Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from .app_browser import check_axe, shot, sign_in, visible, wait_ready

pytestmark = pytest.mark.e2e

STUDENT = "student4@school.example"
NEW_PASSWORD = "my-own-new-password"


def outbox_link(data_dir: Path, email: str) -> str:
    """The newest reset link to `email` in the served app's outbox (its embedded PostgreSQL:
    socket directory and port from postmaster.pid)."""
    lines = (Path(data_dir) / "postgres" / "postmaster.pid").read_text().splitlines()
    port, socket_dir = lines[3].strip(), lines[4].strip()
    with psycopg.connect(host=socket_dir, port=port, user="postgres",
                         dbname="benchshare") as connection:
        body = connection.execute(
            "SELECT n.body FROM notifications n JOIN users u ON u.id = n.user_id "
            "WHERE u.email = %s AND n.kind = 'password_reset' ORDER BY n.id DESC LIMIT 1",
            (email,)).fetchone()
    assert body, f"no reset link to {email} in the outbox"
    return re.search(r"/password#token=\S+", body[0]).group(0)


def test_a_student_who_forgot_their_password_chooses_a_new_one_through_the_emailed_link(
        served_app, open_page):
    service, _clock = served_app

    phone = open_page("/password/forgot", device="phone", locale="zh-CN")
    wait_ready(phone, "password-forgot")
    assert phone.get_by_test_id("page-title").inner_text() == "忘记密码？"
    check_axe(phone, "password-forgot-phone-zh")
    phone.get_by_test_id("forgot-email").fill(STUDENT)
    phone.get_by_test_id("forgot-submit").click()
    sent = visible(phone, "forgot-sent").inner_text()
    assert "如果该邮箱已注册" in sent
    check_axe(phone, "password-forgot-sent-phone-zh")
    shot(phone, "password-forgot-sent-phone-zh")

    desktop = open_page("/password/forgot", device="desktop", locale="en-GB")
    wait_ready(desktop, "password-forgot")
    desktop.get_by_test_id("forgot-email").fill("nobody@nowhere.example")
    desktop.get_by_test_id("forgot-submit").click()
    assert visible(desktop, "forgot-sent").inner_text().startswith(
        "If this address belongs to an account")
    check_axe(desktop, "password-forgot-sent-desktop-en")

    link = outbox_link(service.data_dir, STUDENT)
    desktop.goto(service.url + link)
    wait_ready(desktop, "password")
    assert "token" not in desktop.url, "the link's token leaves the address bar"
    check_axe(desktop, "password-desktop-en")
    desktop.get_by_test_id("password-new").fill(NEW_PASSWORD)
    desktop.get_by_test_id("password-again").fill(NEW_PASSWORD + "?")
    desktop.get_by_test_id("password-submit").click()
    assert visible(desktop, "password-error").inner_text() == "The two passwords differ."
    desktop.get_by_test_id("password-again").fill(NEW_PASSWORD)
    desktop.get_by_test_id("password-submit").click()
    wait_ready(desktop, "home")
    assert desktop.evaluate("localStorage.getItem('benchshare.token')").startswith("bs_")
    shot(desktop, "password-chosen-home-desktop-en")

    again = open_page(link, device="phone", locale="zh-CN")
    wait_ready(again, "password")
    again.get_by_test_id("password-new").fill("another-password")
    again.get_by_test_id("password-again").fill("another-password")
    again.get_by_test_id("password-submit").click()
    assert "此链接已使用过" in visible(again, "password-error").inner_text()
    visible(again, "password-ask-new")
    check_axe(again, "password-used-phone-zh")

    fresh = open_page("/signin", device="phone", locale="zh-CN")
    sign_in(fresh, STUDENT, NEW_PASSWORD)
    wait_ready(fresh, "home")
    assert not phone.problems and not desktop.problems and not again.problems
