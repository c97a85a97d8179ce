"""The import page in a real browser against `benchshare serve --demo`: a school's admin on a
phone, reading Chinese, uploads a roster saved by Excel in China (GB18030, Chinese headers)
with a mistake, sees it in the problems table by row and column, and, on a desktop in English,
checks the fixed file and imports it; a hostile name from the file is shown as text; axe-core
on each page."""

from __future__ import annotations

import csv
import io

import pytest

from .app_browser import Api, check_axe, shot, sign_in, unique, visible, wait_ready, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served_app(shared_app):
    """The test process's shared app: this module moves no clock and changes nothing another
    module reads (the people and the class it imports have names of its own; nobody is
    disabled)."""
    return shared_app


ADMIN = "admin@school.example"
HEADER = ["邮箱", "姓名", "角色", "班级", "学号", "语言"]


def _roster(tag: str, *, mistake: bool, mallory: bool = True) -> bytes:
    rows = [[f"{tag}-li@school.example", "李明", "学生", f"{tag} 数控 A", f"{tag}-001", "中文"],
            [f"{tag}-wang" + ("#school.example" if mistake else "@school.example"), "王芳",
             "学生", f"{tag} 数控 A", f"{tag}-002", "中文"],
            [f"{tag}-m@school.example", '<img src=x onerror="window.pwned=1">Mallory',
             "学生", "", "", "English"]][:3 if mallory else 2]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("gb18030")


def _open(open_page, device, locale):
    page = open_page("/people/import", device=device, locale=locale)
    sign_in(page, ADMIN)
    wait_ready(page, "import")
    return page


def _choose(page, content: bytes, name: str = "花名册.csv") -> None:
    page.get_by_test_id("import-file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content})
    page.get_by_test_id("import-check").click()


def test_an_admin_sees_a_mistake_on_a_phone_in_chinese_then_imports_the_fixed_file(
        served_app, open_page):
    service, _clock = served_app
    tag = unique("imp")
    page = _open(open_page, "phone", "zh-CN")
    assert page.get_by_test_id("page-title").inner_text() == "导入人员或设备"
    check_axe(page, "import-phone-zh")

    _choose(page, _roster(tag, mistake=True))
    problem = visible(page, "import-problem")
    assert (problem.get_attribute("data-row"), problem.get_attribute("data-column"),
            problem.get_attribute("data-code")) == ("3", "email", "invalid_email")
    assert page.get_by_test_id("import-problem").count() == 1
    assert problem.inner_text().split("\t") == ["3", "邮箱", "不是有效的电子邮箱。"]
    assert "发现 1 个问题" in page.get_by_test_id("import-has-problems").inner_text()
    assert page.get_by_test_id("import-commit").count() == 0
    assert page.get_by_test_id("import-changes").inner_text().count(f"{tag}-m@school.example")
    check_axe(page, "import-phone-zh-problems")
    shot(page, "import-phone-zh-problems")
    admin = Api(service.url, ADMIN)
    assert admin.all("/users", q=f"{tag}-li") == []  # a dry run writes nothing

    page = _open(open_page, "desktop", "en-GB")
    _choose(page, _roster(tag, mistake=False))
    visible(page, "import-ready")
    assert page.get_by_test_id("import-summary").inner_text() == \
        "3 rows: 3 new, 0 updated, 0 unchanged."
    check_axe(page, "import-desktop-en-ready")
    page.get_by_test_id("import-commit").click()
    done = visible(page, "import-done")
    assert done.inner_text() == "Imported: 3 new, 0 updated, 0 unchanged, 0 disabled."
    shot(page, "import-desktop-en-done")
    li = admin.user(f"{tag}-li@school.example")
    assert (li["full_name"], li["language"], li["student_number"]) == (
        "李明", "zh-Hans", f"{tag}-001")
    mallory = admin.user(f"{tag}-m@school.example")
    assert mallory["full_name"] == '<img src=x onerror="window.pwned=1">Mallory'

    # Again without Mallory: the others unchanged, her hostile name listed as missing, as text.
    _choose(page, _roster(tag, mistake=False, mallory=False))
    wait_until(page, "() => document.querySelector('[data-testid=import-summary]')"
                     "?.textContent === '2 rows: 0 new, 0 updated, 2 unchanged.'",
               what="the re-import's summary")
    assert '<img src=x onerror="window.pwned=1">Mallory' in \
        page.get_by_test_id("import-missing").inner_text()
    assert page.evaluate("window.pwned") is None and page.problems == []
