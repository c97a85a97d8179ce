"""The dashboard in a real browser: Debian's chromium, driven by Playwright, against the app
served on a thread over its own database loaded with the demo data (ten weeks of history).

Every chart leaves the figures it drew on its container (data-plotted); the test asks the API
the same question and compares. Screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from service.accounts.models import Organisation
from service.catalogue.models import Equipment, TrainingBase
from service.config import PROJECT_ROOT
from service.db import db

from .demo_server import demo_server

pytestmark = pytest.mark.e2e

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
PASSWORD = "benchshare-demo"
CHARTS = ("utilisation", "items", "kind", "heatmap", "rates")


# ---------------------------------------------------------------- the service and the browser

@pytest.fixture(scope="module")
def served(fresh_database):
    """(base URL, app) of the app on a free port, its database migrated and demo-loaded."""
    with demo_server(fresh_database, "benchshare_dashboard") as (url, app):
        yield url, app


@pytest.fixture(scope="module")
def browser(app_chromium):
    """Debian's chromium, launched by the app's browser kit (tests/e2e/app_browser.py)."""
    return app_chromium


def _page(browser, base_url, **context):
    context.setdefault("viewport", {"width": 1366, "height": 900})
    context.setdefault("locale", "en-GB")
    page = browser.new_context(accept_downloads=True, **context).new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # Script errors; an API's error status is the page's to show, not a script error.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and
            not m.text.startswith("Failed to load resource") else None)
    page.goto(base_url + "/dashboard")
    page.problems = problems
    return page


def _sign_in(page, email):
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("signin-submit").click()


def _wait_loaded(page, containing: str = "") -> dict:
    """Wait until every chart has drawn an answer for the filters on the page; the filters."""
    try:
        page.wait_for_function(
            "(part) => document.body.dataset.loaded && "
            "document.body.dataset.loaded.includes(part)", arg=containing, timeout=30_000)
    except Exception as exc:  # noqa: BLE001 - say what the page shows instead
        raise AssertionError(f"charts not drawn: errors {page.problems}, page says "
                             f"{page.inner_text('body')[:2000]!r}") from exc
    key = page.evaluate("document.body.dataset.loaded")
    for name in CHARTS:
        chart = page.get_by_test_id(f"chart-{name}")
        assert chart.get_attribute("data-state") == "ready", (name, chart.inner_text())
        assert chart.get_attribute("data-query") == key
    return dict(parse_qsl(key.lstrip("?")))


def _plotted(page, name):
    return json.loads(page.get_by_test_id(f"chart-{name}").get_attribute("data-plotted"))


def _shot(page, name) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"dashboard-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


# ---------------------------------------------------------------- the API's own answers

class Api:
    def __init__(self, app, email):
        self.client = app.test_client()
        answer = self.client.post("/api/v1/auth/token", json={"email": email,
                                                              "password": PASSWORD})
        self.headers = {"Authorization": f"Bearer {answer.get_json()['access_token']}"}

    def get(self, path, **params):
        response = self.client.get("/api/v1" + path, query_string=params, headers=self.headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    def rows(self, filters, group_by):
        return self.get("/reports/utilisation", **filters, group_by=group_by).get_json()["rows"]


def _expected_items(rows, count=5):
    """The least and most used items as the page must rank them: hours summed, then divided;
    with fewer than ten items, the lower half and the upper half."""
    items = {}
    for r in rows:
        item = items.setdefault(r["group_id"], {"id": r["group_id"], "name": r["group_name"],
                                                "booked": 0, "available": 0})
        item["booked"] += r["booked_hours"]
        item["available"] += r["available_hours"]
    ranked = sorted(({**i, "utilisation": i["booked"] / i["available"]}
                     for i in items.values() if i["available"] > 0),
                    key=lambda i: (i["utilisation"], i["id"]))
    least = ranked[:min(count, len(ranked) // 2)]
    return least, list(reversed(ranked[max(len(least), len(ranked) - count):]))


def _check_charts_against_api(page, api, filters):
    """Each chart's plotted figures are the API's answer to the same query."""
    school = api.rows(filters, "school")
    assert school, "nothing to compare: the demo should have history"
    assert _plotted(page, "utilisation") == {
        "x": [r["period_start"] for r in school],
        "utilisation": [r["utilisation"] for r in school],
        "usage": [r["usage"] for r in school]}
    assert _plotted(page, "rates") == {
        "x": [r["period_start"] for r in school],
        **{k: [r[k] for r in school] for k in ("no_shows", "cancellations",
                                                "late_cancellations")}}

    least, most = _expected_items(api.rows(filters, "item"))
    drawn = _plotted(page, "items")
    for side, expected in (("least", least), ("most", most)):
        assert [i["id"] for i in drawn[side]] == [i["id"] for i in expected], side
        assert [i["name"] for i in drawn[side]] == [i["name"] for i in expected]
        assert [i["utilisation"] for i in drawn[side]] == pytest.approx(
            [i["utilisation"] for i in expected])

    kinds = {}
    for r in api.rows(filters, "kind"):
        kinds.setdefault(r["group_name"], []).append(r)
    drawn = _plotted(page, "kind")
    # A school's admin also sees the partner equipment offered to the school (its people's
    # booked hours of what was offered); anyone else is refused that report.
    partner = api.client.get("/api/v1/reports/partner-equipment", headers=api.headers,
                             query_string={"group_by": "enterprise", **{
                                 k: filters[k] for k in ("from", "to", "granularity")}})
    expected = set(kinds)
    if partner.status_code == 200 and partner.get_json()["rows"]:
        expected.add("partner")
        periods: dict = {}
        for r in partner.get_json()["rows"]:
            booked, offered = periods.get(r["period_start"], (0, 0))
            periods[r["period_start"]] = (booked + r["hours_booked"],
                                          offered + r["hours_offered"])
        assert drawn["partner"]["x"] == sorted(periods)
        # The page rounds to four places as JavaScript does (0.15625 -> 0.1563, where Python's
        # round gives 0.1562): equal to within that last place.
        assert drawn["partner"]["utilisation"] == pytest.approx(
            [b / o if o else None for b, o in (periods[k] for k in sorted(periods))], abs=1e-4)
    assert set(drawn) == expected
    for kind, rows in kinds.items():
        assert drawn[kind]["x"] == [r["period_start"] for r in rows]
        assert drawn[kind]["utilisation"] == [r["utilisation"] for r in rows]

    area = {k: v for k, v in filters.items() if k in ("from", "to", "base_id", "category")}
    heat = api.get("/reports/heatmap", **area).get_json()
    z = _plotted(page, "heatmap")["z"]
    assert [[z[c["weekday"] - 1][c["hour"]] for c in heat["cells"]]] == \
        [[c["booked_hours"] for c in heat["cells"]]]
    assert _plotted(page, "heatmap")["booked_hours"] == heat["booked_hours"]
    return school


# ---------------------------------------------------------------- the tests

def test_the_plotly_library_is_served_cached_and_gzipped(served):
    _, app = served
    client = app.test_client()
    page = client.get("/dashboard")
    assert page.status_code == 200
    src = next(part.split('"')[1] for part in page.get_data(as_text=True).split("<script")
               if "plotly" in part)
    plain = client.get(src)
    zipped = client.get(src, headers={"Accept-Encoding": "gzip, br"})
    assert plain.status_code == zipped.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "immutable" in zipped.headers["Cache-Control"]
    assert len(zipped.data) < len(plain.data) / 2 and len(plain.data) > 3_000_000
    again = client.get(src, headers={"Accept-Encoding": "gzip",
                                     "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/dashboard/vendor/plotly-0.0.1.min.js").status_code == 404


def test_an_admin_sees_the_api_numbers_switches_language_and_filters(served, browser):
    base_url, app = served
    page = _page(browser, base_url)
    assert page.evaluate("document.documentElement.lang") == "en"
    _sign_in(page, "admin@school.example")
    filters = _wait_loaded(page)
    api = Api(app, "admin@school.example")
    school = _check_charts_against_api(page, api, filters)
    # Ten weeks of history: most weeks have something booked, and the page says so.
    assert sum(1 for r in school if r["booked_hours"] > 0) >= 8
    assert page.get_by_test_id("kpi-utilisation").inner_text().endswith("%")
    assert page.get_by_test_id("who").inner_text() == "Li Wei · Riverside Vocational College"
    _shot(page, "admin-en")

    # 中文: the labels change, <html lang> follows, and the choice outlives a reload.
    assert page.get_by_test_id("title-utilisation").inner_text() == "Utilisation over time"
    page.get_by_test_id("lang-switch").click()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.get_by_test_id("title-utilisation").inner_text() == "利用率趋势"
    assert page.get_by_test_id("lang-switch").inner_text() == "English"
    assert "下载" in page.get_by_test_id("csv").inner_text()
    page.reload()
    _wait_loaded(page)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.get_by_test_id("title-utilisation").inner_text() == "利用率趋势"
    _shot(page, "admin-zh")

    # A filter: one base, by month. The charts are redrawn with the API's new numbers.
    with app.app_context():
        campus = db.session.scalar(select(TrainingBase).where(
            TrainingBase.name == "Riverside Campus Training Centre"))
        db.session.remove()
    page.get_by_test_id("granularity").select_option("month")
    page.get_by_test_id("base").select_option(str(campus.id))
    filters = _wait_loaded(page, f"base_id={campus.id}")
    assert filters["granularity"] == "month"
    monthly = _check_charts_against_api(page, api, filters)
    assert [r["period_start"] for r in monthly] != [r["period_start"] for r in school]
    assert all(date.fromisoformat(r["period_start"]).day == 1 for r in monthly)

    # The CSV is the API's CSV for the same filters, fetched with the token.
    with page.expect_download() as download:
        page.get_by_test_id("csv").click()
    saved = Path(download.value.path()).read_bytes()
    assert saved == api.get("/reports/utilisation.csv", **filters, group_by="item").data
    assert download.value.suggested_filename.endswith(".csv")

    page.get_by_test_id("sign-out").click()
    page.get_by_test_id("signin").wait_for(state="visible")
    assert page.evaluate("sessionStorage.getItem('benchshare.token')") is None
    assert not page.problems, page.problems


def test_the_page_fits_a_phone(served, browser):
    base_url, app = served
    page = _page(browser, base_url, viewport={"width": 390, "height": 844},
                 device_scale_factor=2, is_mobile=True, has_touch=True)
    _sign_in(page, "admin@school.example")
    _wait_loaded(page)
    wider = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > 391)
        .slice(0, 5).map((e) => `${e.tagName}#${e.id}.${e.className}`)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wider
    for name in CHARTS:
        box = page.get_by_test_id(f"chart-{name}").bounding_box()
        assert box["width"] > 300 and box["x"] >= 0 and box["x"] + box["width"] <= 390, name
    _shot(page, "phone")
    assert not page.problems, page.problems


def test_enterprise_staff_see_their_own_equipment_and_impact(served, browser):
    base_url, app = served
    page = _page(browser, base_url, locale="zh-CN")
    # The browser's language picks Chinese when nothing was chosen on the page.
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    _sign_in(page, "manager@enterprise1.example")
    filters = _wait_loaded(page)
    api = Api(app, "manager@enterprise1.example")
    _check_charts_against_api(page, api, filters)
    with app.app_context():
        huaxin = db.session.scalar(select(Organisation).where(
            Organisation.name == "Huaxin Precision Machining Co."))
        own = set(db.session.scalars(select(Equipment.id).where(
            Equipment.owner_organisation_id == huaxin.id)))
        db.session.remove()
    items = _plotted(page, "items")
    drawn = {i["id"] for i in items["least"] + items["most"]}
    assert drawn and drawn <= own
    assert set(_plotted(page, "kind")) == {"enterprise"}

    impact = page.get_by_test_id("impact")
    page.wait_for_function(
        "() => document.getElementById('impact').dataset.state === 'ready'")
    expected = api.get(f"/organisations/{huaxin.id}/impact", **{
        "from": filters["from"], "to": filters["to"]}).get_json()["totals"]
    assert json.loads(impact.get_attribute("data-plotted")) == expected
    assert expected["hours_booked"] > 0
    assert page.get_by_test_id("impact-sessions").inner_text() == str(expected["sessions"])

    # The idle list is the API's, for Huaxin's equipment only.
    page.wait_for_function("() => document.getElementById('idle').dataset.state === 'ready'")
    listed = json.loads(page.get_by_test_id("idle").get_attribute("data-plotted"))
    assert listed == [i["equipment_id"] for i in api.get("/reports/idle").get_json()["items"]]
    assert set(listed) <= own
    _shot(page, "enterprise-zh")
    assert not page.problems, page.problems


def test_a_student_is_told_reports_are_for_administrators(served, browser):
    base_url, _ = served
    page = _page(browser, base_url)
    _sign_in(page, "student1@school.example")
    message = page.get_by_test_id("not-reporting")
    message.wait_for(state="visible")
    assert "administrators" in message.inner_text()
    assert not page.get_by_test_id("dashboard").is_visible()
    page.get_by_test_id("lang-switch").click()
    assert "管理人员" in message.inner_text()
    assert not page.problems, page.problems


def test_a_wrong_password_is_shown_readably(served, browser):
    base_url, _ = served
    page = _page(browser, base_url)
    page.get_by_test_id("email").fill("admin@school.example")
    page.get_by_test_id("password").fill("not-the-password")
    page.get_by_test_id("signin-submit").click()
    error = page.get_by_test_id("signin-error")
    error.wait_for(state="visible")
    assert error.inner_text().strip() and "[object" not in error.inner_text()
    assert not page.get_by_test_id("dashboard").is_visible()


def test_idle_items_are_listed_and_enterprise_staff_draft_an_offer(served, browser):
    base_url, app = served
    api = Api(app, "manager@enterprise2.example")
    idle = api.get("/reports/idle").get_json()
    assert idle["items"], "the demo history leaves Greenvolt's BMS bench idle"
    page = _page(browser, base_url)
    _sign_in(page, "manager@enterprise2.example")
    page.wait_for_function("() => document.getElementById('idle').dataset.state === 'ready'")
    rows = page.get_by_test_id("idle-row")
    assert [int(r.get_attribute("data-equipment-id")) for r in rows.all()] == \
        [i["equipment_id"] for i in idle["items"]]
    assert "Offer it to partner schools" in rows.first.inner_text()

    rows.first.get_by_test_id("draft-offer").click()
    school = page.get_by_test_id("draft-school")
    school.locator("option").first.wait_for(state="attached")
    school.select_option(label="Lakeside Technical School")
    page.get_by_test_id("draft-form").locator("button[type=submit]").click()
    result = page.get_by_test_id("draft-result")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=draft-result]').dataset.offerId "
        "!== undefined")
    offer = api.get(f"/offers/{result.get_attribute('data-offer-id')}").get_json()
    assert offer["status"] == "draft" and str(offer["id"]) in result.inner_text()
    assert [i["equipment_id"] for i in offer["items"]] == [idle["items"][0]["equipment_id"]]
    _shot(page, "idle-draft")

    # A school's admin sees the school's idle items with the other suggestion, no button.
    admin = Api(app, "admin@school.example").get("/reports/idle").get_json()["items"]
    page = _page(browser, base_url)
    _sign_in(page, "admin@school.example")
    page.wait_for_function("() => document.getElementById('idle').dataset.state === 'ready'")
    rows = page.get_by_test_id("idle-row")
    assert admin and rows.count() == len(admin)
    assert "Share it with partner enterprises" in rows.first.inner_text()
    assert page.get_by_test_id("draft-offer").count() == 0
    assert not page.problems, page.problems
