"""The pure rules of sign-on: which issuers are fetched from, what claims mean."""

from __future__ import annotations

import pytest

from service.signon.rules import claim_text, completion_url, issuer_problem, language_of


@pytest.mark.parametrize("issuer", [
    "https://login.school.example", "https://login.school.example/realms/students",
    "http://127.0.0.1:5556", "http://localhost:8080/dex",
])
def test_https_issuers_and_loopback_ones_are_accepted(issuer):
    assert issuer_problem(issuer) is None


@pytest.mark.parametrize("issuer", [
    "http://login.school.example", "ftp://login.school.example", "https://", "login.example",
    "https://user:pw@login.example", "https://login.example?x=1", "https://login.example#x",
    "https://login.example:99999", "javascript:alert(1)",
])
def test_other_issuers_are_refused(issuer):
    assert issuer_problem(issuer)


@pytest.mark.parametrize("value, language", [
    ("zh-CN", "zh-Hans"), ("zh_Hans", "zh-Hans"), ("ZH", "zh-Hans"), ("en-GB", "en"),
    ("de", "en"), ("", None), (None, None), (["zh"], None), (3, None),
])
def test_a_locale_claim_gives_one_of_our_languages(value, language):
    assert language_of(value) == language


def test_a_claim_is_one_line_of_text_or_nothing():
    claims = {"name": "  Lin\n Wei ", "groups": ["CNC 1", "CNC 2"], "n": 3, "empty": []}
    assert claim_text(claims, "name") == "Lin Wei"
    assert claim_text(claims, "groups") == "CNC 1"
    assert claim_text(claims, "n") is None and claim_text(claims, "empty") is None
    assert claim_text(claims, None) is None and claim_text(claims, "missing") is None
    assert claim_text({"x": "a" * 500}, "x", most=20) == "a" * 20


def test_the_outcome_travels_in_the_fragment():
    assert completion_url(error="sign_on_failed") == "/signin/complete#error=sign_on_failed"
