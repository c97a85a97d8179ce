"""The operator's pages in a real browser against `benchshare serve --demo`, on a phone in
English and a desktop in Chinese: onboarding an enterprise with its manager (who then signs in
with the first password shown), and the shared vocabularies named in English and Chinese, edited
with If-Match; hostile names shown as text; axe-core after each page."""

from __future__ import annotations

import pytest

from .app_browser import Api, check_axe, shot, sign_in, unique, visible, wait_ready, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served_app(shared_app):
    """The test process's shared app: this module moves no clock and changes nothing another
    module reads (what it adds has names of its own)."""
    return shared_app


OPERATOR = "operator@benchshare.example"
HOSTILE = "<img src=x onerror=window.pwned=1>"
VIEWS = [pytest.param("phone", "en-GB", id="phone-en"),
         pytest.param("desktop", "zh-CN", id="desktop-zh")]


def _name(device, locale, what):
    return f"operator-{what}-{device}-{locale.split('-')[0]}"


def _open(open_page, path, device, locale, module):
    page = open_page(path, device=device, locale=locale)
    sign_in(page, OPERATOR)
    wait_ready(page, module)
    return page


def _row(page, testid, **data):
    selector = "".join(f"[data-{k.replace('_', '-')}='{v}']" for k, v in data.items())
    return page.locator(f"[data-testid='{testid}']{selector}")


@pytest.mark.parametrize(("device", "locale"), VIEWS)
def test_the_operator_onboards_an_enterprise_whose_manager_signs_in(
        served_app, open_page, device, locale):
    service, _ = served_app
    page = _open(open_page, "/organisations", device, locale, "organisations")
    name = f"{HOSTILE} {unique('Acme')}"
    email = f"{unique('boss')}@acme.example"
    page.get_by_test_id("org-name").fill(name)
    page.get_by_test_id("org-kind").select_option("enterprise")
    page.get_by_test_id("admin-name").fill(f"{HOSTILE} Zhao")
    page.get_by_test_id("admin-email").fill(email)
    page.get_by_test_id("org-create").click()
    created = visible(page, "org-created")
    password = page.get_by_test_id("first-password").inner_text()
    assert len(password) == 16
    organisation_id = created.get_attribute("data-organisation-id")
    row = _row(page, "org-row", organisation_id=organisation_id)
    row.wait_for()
    assert name in row.inner_text() and row.get_attribute("data-kind") == "enterprise"
    assert page.evaluate("window.pwned") is None
    check_axe(page, _name(device, locale, "organisations"))
    shot(page, _name(device, locale, "organisations"))
    assert page.problems == []

    operator = Api(service.url, OPERATOR)
    manager = operator.user(email)
    assert (manager["role"], manager["is_manager"], manager["organisation_id"]) \
        == ("enterprise_staff", True, int(organisation_id))
    # The manager signs in with the password shown once, on a browser of their own.
    theirs = open_page("/people", device=device, locale=locale)
    sign_in(theirs, email, password)
    wait_until(theirs, "document.body.dataset.ready && document.body.dataset.ready !== 'signin'")
    assert Api(service.url, email, password).me["email"] == email
    assert theirs.evaluate("window.pwned") is None


def test_onboarding_without_a_person_says_what_is_missing(served_app, open_page):
    page = _open(open_page, "/organisations", "phone", "zh-CN", "organisations")
    page.get_by_test_id("org-name").fill(unique("Lone"))
    page.get_by_test_id("org-create").click()
    wait_until(page, "() => document.querySelector('main [role=alert]')?.textContent"
                     ".includes('请填写')", what="the missing fields said in Chinese")


@pytest.mark.parametrize(("device", "locale"), VIEWS)
def test_the_operator_names_a_category_in_chinese_and_edits_it_with_if_match(
        served_app, open_page, device, locale):
    service, _ = served_app
    page = _open(open_page, "/vocabulary", device, locale, "vocabulary")
    code = unique("lasers").lower()
    english = f"{HOSTILE} Laser cutters {code}"
    page.get_by_test_id("cat-code").fill(code)
    page.get_by_test_id("cat-name-en").fill(english)
    page.get_by_test_id("cat-name-zh").fill("激光切割机")
    page.get_by_test_id("cat-add").click()
    visible(page, "cat-added")
    row = _row(page, "cat-row", key=code)
    row.wait_for()
    cells = row.locator("td").all_inner_texts()
    # Shown as the page's language says: Chinese on the Chinese page, else English.
    assert cells[:4] == [code, "激光切割机" if locale == "zh-CN" else english, english,
                         "激光切割机"]
    assert page.evaluate("window.pwned") is None

    # An edit against the version it opened: saved, then a stale one explained and redrawn.
    row.get_by_test_id("cat-edit").click()
    visible(page, "cat-editor")
    page.get_by_test_id("cat-edit-zh").fill("激光切割设备")
    page.get_by_test_id("cat-save").click()
    visible(page, "cat-saved")
    wait_until(page, "(c) => [...document.querySelectorAll(\"[data-testid='cat-row']\")]"
                     ".some(r => r.dataset.key === c && r.textContent.includes('激光切割设备'))",
               code, what="the saved Chinese name listed")
    _row(page, "cat-row", key=code).get_by_test_id("cat-edit").click()
    visible(page, "cat-editor")
    operator = Api(service.url, OPERATOR)
    category = next(c for c in operator.all("/equipment-categories") if c["code"] == code)
    operator.ok("PATCH", f"/equipment-categories/{category['id']}", {"name_zh": "别人改的"})
    page.get_by_test_id("cat-edit-zh").fill("我的修改")
    page.get_by_test_id("cat-save").click()
    visible(page, "stale")
    wait_until(page, "(c) => [...document.querySelectorAll(\"[data-testid='cat-row']\")]"
                     ".some(r => r.dataset.key === c && r.textContent.includes('别人改的'))",
               code, what="the other edit shown, not overwritten")
    assert next(c for c in operator.all("/equipment-categories")
                if c["code"] == code)["name_zh"] == "别人改的"
    check_axe(page, _name(device, locale, "vocabulary"))
    shot(page, _name(device, locale, "vocabulary"))
    assert page.problems == []


def test_the_operator_adds_a_skill_tag_in_both_languages(served_app, open_page):
    service, _ = served_app
    page = _open(open_page, "/vocabulary", "desktop", "zh-CN", "vocabulary")
    tag = unique("laser-cutting").lower()
    page.get_by_test_id("skill-code").fill(tag)
    page.get_by_test_id("skill-name-en").fill("Laser cutting")
    page.get_by_test_id("skill-name-zh").fill("激光切割")
    page.get_by_test_id("skill-add").click()
    visible(page, "skill-added")
    row = _row(page, "skill-row", key=tag)
    row.wait_for()
    assert row.locator("td").all_inner_texts()[:4] == [tag, "激光切割", "Laser cutting",
                                                        "激光切割"]
    skills = Api(service.url, "teacher@school.example").all("/skills")
    assert {s["tag"]: s["label_zh"] for s in skills}[tag] == "激光切割"
