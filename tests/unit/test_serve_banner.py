"""What `benchshare serve` prints on starting: where the service answers and, with the demo
data, every account a newcomer may sign in as."""

from __future__ import annotations

import json

from service.cli import banner
from service.config import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
URL = "http://127.0.0.1:8000"


def _seeded():
    return json.loads((SEEDS / "users.json").read_text(encoding="utf-8"))


def test_the_demo_banner_names_every_seeded_account_and_their_password():
    seeded = _seeded()
    printed = "\n".join(banner(URL, SEEDS))
    missing = [u["email"] for u in seeded["users"] if u["email"] not in printed]
    assert missing == []
    assert f"password '{seeded['password']}'" in printed


def test_the_demo_banner_says_who_each_account_is():
    lines = banner(URL, SEEDS)
    by_email = {line.split()[0]: line for line in lines if "@" in line.split()[0]}
    assert len(by_email) == len(_seeded()["users"])
    assert by_email["admin@school2.example"].endswith("admin, Lakeside Technical School")
    assert by_email["manager@enterprise1.example"].endswith(
        "enterprise_staff (manager), Huaxin Precision Machining Co.")
    assert by_email["student1@school2.example"].endswith("student, Lakeside Technical School")


def test_without_the_demo_the_banner_lists_no_accounts():
    lines = banner(URL)
    assert lines[0] == f"BenchShare is serving at {URL}"
    assert f"  API docs: {URL}/api/docs/" in lines
    assert not any("@" in line for line in lines)
