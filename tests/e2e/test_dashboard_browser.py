"""The dashboard in a real browser: Debian's chromium, driven by Playwright, against the app
served on a thread over its own database loaded with the demo data (ten weeks of history).

Every chart, table and drill-down leaves the figures it shows on its container (data-plotted);
the test asks the API the same question and compares. Phone (390 px) and desktop, English and
Chinese, axe-core on each. Screenshots go to tests/artifacts/dashboard/ (git-ignored)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from service.accounts.models import Organisation
from service.catalogue.models import Equipment
from service.config import PROJECT_ROOT
from service.db import db

from .app_browser import PHONE, check_axe
from .demo_server import demo_server

pytestmark = pytest.mark.e2e

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts" / "dashboard"
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
    """Wait until every figure has drawn an answer for the filters on the page; the filters."""
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
    page.wait_for_function("() => document.getElementById('idle').dataset.state === 'ready'")
    return dict(parse_qsl(key.lstrip("?")))


def _plotted(page, testid):
    element = page.get_by_test_id(testid if testid in ("kpis", "drilldown", "idle")
                                  else f"chart-{testid}")
    return json.loads(element.get_attribute("data-plotted"))


def _shot(page, name) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def _wait_drill(page) -> dict:
    page.wait_for_function("() => ['ready', 'error'].includes("
                           "document.getElementById('drilldown').dataset.state)")
    panel = page.get_by_test_id("drilldown")
    assert panel.get_attribute("data-state") == "ready", panel.inner_text()
    return json.loads(panel.get_attribute("data-plotted"))


# ---------------------------------------------------------------- the API's own answers

class Api:
    def __init__(self, app, email):
        self.client = app.test_client()
        answer = self.client.post("/api/v1/auth/token", json={"email": email,
                                                              "password": PASSWORD})
        self.headers = {"Authorization": f"Bearer {answer.get_json()['access_token']}"}
        self.me = self.get("/me").get_json()

    def get(self, path, **params):
        response = self.client.get("/api/v1" + path, query_string=params, headers=self.headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    def rows(self, filters, group_by):
        return self.get("/reports/utilisation", **filters, group_by=group_by).get_json()["rows"]

    def reservations(self, **params) -> dict:
        """Every reservation behind a figure (all pages) and the figure's hours."""
        items, page = [], 1
        while True:
            body = self.get("/reports/reservations", **params, page=page,
                            page_size=100).get_json()
            items += body["items"]
            if page * body["page_size"] >= body["total"]:
                return {"items": items, "hours": body["hours"], "total": body["total"]}
            page += 1


def _area(filters):
    return {k: v for k, v in filters.items() if k != "granularity" and v != ""}


def _item_totals(rows):
    """Item rows summed per item, hours first, then divided (as the page and the API do)."""
    items = {}
    for r in rows:
        item = items.setdefault(r["group_id"], {"id": r["group_id"], "name": r["group_name"],
                                                "booked": 0, "available": 0})
        item["booked"] += r["booked_hours"]
        item["available"] += r["available_hours"]
    return items


def _check_charts_against_api(page, api, filters):
    """Each figure the page shows is the API's answer to the same query."""
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
    available = sum(r["available_hours"] for r in school)
    kpis = _plotted(page, "kpis")
    assert kpis["current"]["utilisation"] == pytest.approx(
        sum(r["booked_hours"] for r in school) / available)

    # Least used: only items with available hours, lowest first; the others are counted.
    items = _item_totals(api.rows(filters, "item"))
    ranked = sorted((i for i in items.values() if i["available"] > 0),
                    key=lambda i: (i["booked"] / i["available"], i["name"], i["id"]))
    drawn = _plotted(page, "items")
    assert drawn["without_hours"] == len(items) - len(ranked)
    # (Items that tie may be named in either order: JavaScript compares names by locale.)
    ratio = [i["booked"] / i["available"] for i in ranked]
    assert [i["utilisation"] for i in drawn["least"]] == pytest.approx(ratio[:len(drawn["least"])])
    cutoff = drawn["least"][-1]["utilisation"]
    assert {i["id"] for i in drawn["least"]} <= {
        i["id"] for i, r in zip(ranked, ratio, strict=True) if r <= cutoff + 1e-9}
    assert len(drawn["least"]) >= min(8, len(ranked))
    assert all(i["available"] > 0 for i in drawn["least"])
    # The spread: every item with available hours counted once, in whole numbers.
    spread = json.loads(page.get_by_test_id("chart-spread").get_attribute("data-plotted"))
    assert sum(spread["counts"]) == len(ranked)
    assert spread["counts"][0] == sum(1 for i in ranked if i["booked"] == 0)
    # The table lists every item, the same ones.
    rows = page.get_by_test_id("item-row")
    assert sorted(int(r.get_attribute("data-equipment-id")) for r in rows.all()) == \
        sorted(items)

    kinds = {}
    for r in api.rows(filters, "kind"):
        kinds.setdefault(r["group_name"], []).append(r)
    drawn = _plotted(page, "kind")
    assert set(kinds) <= set(drawn)
    for kind, rows in kinds.items():
        assert drawn[kind]["utilisation"] == [r["utilisation"] for r in rows]

    heat = api.get("/reports/heatmap", **_area(filters)).get_json()
    plotted = _plotted(page, "heatmap")
    assert [plotted["z"][c["weekday"] - 1][c["hour"]] for c in heat["cells"]] == \
        [c["booked_hours"] for c in heat["cells"]]
    assert plotted["booked_hours"] == heat["booked_hours"]
    if "occupancy" in heat["cells"][0]:
        assert plotted["unit"] == heat["unit"] == "share_of_open_hours"
        assert [plotted["occupancy"][c["weekday"] - 1][c["hour"]] for c in heat["cells"]] == \
            [c["occupancy"] for c in heat["cells"]]
    return school, heat


def _heat_cell(page, weekday, hour):
    return page.locator(f"[data-testid=heat-cell][data-weekday='{weekday}']"
                        f"[data-hour='{hour}']")


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
    school, heat = _check_charts_against_api(page, api, filters)
    # Ten weeks of history: most weeks have something booked, and the page says so.
    assert sum(1 for r in school if r["booked_hours"] > 0) >= 8
    assert page.get_by_test_id("kpi-utilisation").inner_text().endswith("%")
    assert page.get_by_test_id("who").inner_text() == "Li Wei · Riverside Vocational College"
    # The period against the previous one; last year has no history in the demo: "no data".
    assert "Previous period" in page.get_by_test_id("compare-previous-utilisation").inner_text()
    assert page.get_by_test_id("compare-last-year-utilisation").inner_text().endswith("no data")
    kpis = _plotted(page, "kpis")
    previous = api.rows({**filters, "from": kpis["previous"]["from"],
                         "to": kpis["previous"]["to"]}, "school")
    if sum(r["available_hours"] for r in previous):
        assert kpis["previous"]["booked_hours"] == pytest.approx(
            sum(r["booked_hours"] for r in previous))
    # Dates in the browser's English (en-GB: "13 Oct 2026"), not the US default.
    assert page.evaluate("new Intl.DateTimeFormat('en-GB', {day: 'numeric', month: 'short', "
                         "year: 'numeric', timeZone: 'UTC'}).format(new Date("
                         f"'{kpis['previous']['from']}T00:00:00Z'))") in \
        page.get_by_test_id("compare-previous-utilisation").inner_text()
    # The base filter holds the school's own bases only, not its partners'.
    offered = {o.get_attribute("value") for o in page.get_by_test_id("base").locator(
        "option").all()} - {""}
    own = {str(b["id"]) for b in api.get("/training-bases", page_size=100).get_json()["items"]
           if b["organisation_id"] == api.me["organisation_id"]
           or api.me["organisation_id"] in b["co_owner_ids"]}
    assert offered and offered == own
    # The heat map says its unit and shows closed hours as closed, not as 0 %.
    assert "Share of the open hours" in page.get_by_test_id("heat-unit").inner_text()
    closed = [c for c in heat["cells"] if c.get("open_hours") == 0]
    shown_closed = page.locator("[data-testid=heat-cell][data-state=closed]")
    if closed:
        assert shown_closed.count() >= 1
        assert "%" not in shown_closed.first.inner_text()
        assert "closed" in shown_closed.first.get_attribute("aria-label")
    check_axe(page, "dashboard-admin-en")
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
    assert "年" in page.get_by_test_id("compare-previous-utilisation").inner_text()
    _shot(page, "admin-zh")

    # A filter: one base, by month. Every figure is redrawn with the API's new numbers.
    campus = sorted(own)[0]
    page.get_by_test_id("granularity").select_option("month")
    page.get_by_test_id("base").select_option(campus)
    filters = _wait_loaded(page, f"base_id={campus}")
    assert filters["granularity"] == "month"
    monthly, _ = _check_charts_against_api(page, api, filters)
    assert [r["period_start"] for r in monthly] != [r["period_start"] for r in school]
    assert all(date.fromisoformat(r["period_start"]).day == 1 for r in monthly)
    # The idle list follows the filters.
    idle = api.get("/reports/idle").get_json()["items"]
    assert _plotted(page, "idle") == [i["equipment_id"] for i in idle
                                      if str(i["base_id"]) == campus]

    # The CSV is the API's CSV for the same filters, fetched with the token.
    with page.expect_download() as download:
        page.get_by_test_id("csv").click()
    saved = Path(download.value.path()).read_bytes()
    assert saved == api.get("/reports/utilisation.csv", **filters, group_by="item").data
    assert download.value.suggested_filename.endswith(".csv")

    page.get_by_test_id("sign-out").click()
    page.get_by_test_id("signin").wait_for(state="visible")
    assert page.evaluate("localStorage.getItem('benchshare.token')") is None
    assert not page.problems, page.problems


def test_the_table_sorts_and_a_row_or_a_heat_map_cell_lists_the_reservations_behind_it(
        served, browser):
    base_url, app = served
    page = _page(browser, base_url)
    _sign_in(page, "admin@school.example")
    filters = _wait_loaded(page)
    api = Api(app, "admin@school.example")
    items = _item_totals(api.rows(filters, "item"))

    def shown():
        return [int(r.get_attribute("data-equipment-id"))
                for r in page.get_by_test_id("item-row").all()]

    page.get_by_test_id("sort-booked").click()  # ascending, then descending
    assert [items[i]["booked"] for i in shown()] == sorted(i["booked"] for i in items.values())
    assert page.locator("th[aria-sort=ascending]").count() == 1
    page.get_by_test_id("sort-booked").click()
    by_booked = shown()
    assert [items[i]["booked"] for i in by_booked] == sorted(
        (i["booked"] for i in items.values()), reverse=True)
    assert page.locator("th[aria-sort=descending]").count() == 1

    # The busiest item's row opens its booked reservations: those the API lists, summing to
    # the item's booked hours.
    busiest = by_booked[0]
    page.locator(f"[data-testid=item-row][data-equipment-id='{busiest}'] "
                 "[data-testid=item-details]").click()
    drawn = _wait_drill(page)
    expected = api.reservations(**_area(filters), equipment_id=busiest, figure="booked")
    assert drawn["ids"] == [r["id"] for r in expected["items"]][:len(drawn["ids"])]
    assert drawn["total"] == expected["total"] > 0
    assert expected["hours"] == pytest.approx(items[busiest]["booked"], abs=0.01)
    assert float(page.get_by_test_id("drill-hours").get_attribute("data-hours")) == \
        pytest.approx(expected["hours"])
    assert page.get_by_test_id("drill-row").count() == len(drawn["ids"])
    _shot(page, "item-drilldown")
    page.keyboard.press("Escape")
    page.get_by_test_id("drilldown").wait_for(state="hidden")

    # A chart's bar: the period's cancellations, as many as the report counts.
    school = api.rows(filters, "school")
    bars = page.locator("[data-testid=chart-rates] .trace.bars").nth(1).locator(".point")
    index = max(range(len(school)), key=lambda i: (school[i]["cancellations"], -i))
    assert school[index]["cancellations"] > 0 and bars.count() == len(school)
    bars.nth(index).scroll_into_view_if_needed()
    box = bars.nth(index).bounding_box()
    # plotly reports a click on the point it last hovered: move there, then click.
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("[data-testid=chart-rates] .hoverlayer .hovertext").first.wait_for()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    drawn = _wait_drill(page)
    assert drawn["params"]["figure"] == "cancelled"
    assert drawn["params"]["from"] == school[index]["period_start"]
    assert drawn["total"] == school[index]["cancellations"] == len(drawn["ids"])
    page.keyboard.press("Escape")
    page.get_by_test_id("drilldown").wait_for(state="hidden")

    # One heat-map cell (the busiest) lists exactly the reservations the API finds behind
    # it, their hours summing to the cell's booked hours.
    heat = api.get("/reports/heatmap", **_area(filters)).get_json()
    cell = max(heat["cells"], key=lambda c: (c["booked_hours"], -c["weekday"], -c["hour"]))
    assert cell["booked_hours"] > 0

    button = _heat_cell(page, cell["weekday"], cell["hour"])
    button.click()
    drawn = _wait_drill(page)
    expected = api.reservations(**_area(filters), weekday=cell["weekday"], hour=cell["hour"])
    assert sorted(drawn["ids"]) == sorted(r["id"] for r in expected["items"])
    assert drawn["total"] == expected["total"] == len(drawn["ids"])
    assert expected["hours"] == pytest.approx(cell["booked_hours"], abs=0.01)
    assert sum(r["hours"] for r in expected["items"]) == pytest.approx(cell["booked_hours"],
                                                                       abs=0.01)
    assert float(page.get_by_test_id("drill-hours").get_attribute("data-hours")) == \
        pytest.approx(cell["booked_hours"], abs=0.01)
    assert "Booked hours" in page.get_by_test_id("drill-title").inner_text()
    _shot(page, "heat-drilldown")

    # By keyboard: the grid is one tab stop; an arrow moves to the next hour, Enter opens it.
    page.get_by_test_id("drill-close").click()
    page.get_by_test_id("drilldown").wait_for(state="hidden")
    assert page.evaluate("document.activeElement.dataset.testid") == "heat-cell"
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("[document.activeElement.dataset.weekday, "
                            "document.activeElement.dataset.hour]")
    assert focused[0] == str(cell["weekday"]) and int(focused[1]) > cell["hour"]
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(hour) => JSON.parse(document.getElementById('drilldown').dataset.plotted || '{}')"
        ".params?.hour == hour", arg=focused[1])
    assert _wait_drill(page)["params"]["weekday"] == cell["weekday"]
    assert not page.problems, page.problems



def test_the_operator_filters_every_figure_by_owner(served, browser):
    base_url, app = served
    api = Api(app, "operator@benchshare.example")
    with app.app_context():
        huaxin = db.session.scalar(select(Organisation).where(
            Organisation.name == "Huaxin Precision Machining Co."))
        own = set(db.session.scalars(select(Equipment.id).where(
            Equipment.owner_organisation_id == huaxin.id)))
        db.session.remove()
    page = _page(browser, base_url)
    _sign_in(page, "operator@benchshare.example")
    _wait_loaded(page)
    owners = page.get_by_test_id("owner").locator("option")
    assert owners.count() == 1 + len(api.get("/organisations", page_size=100)
                                     .get_json()["items"])
    page.get_by_test_id("owner").select_option(str(huaxin.id))
    filters = _wait_loaded(page, f"owner_id={huaxin.id}")
    _check_charts_against_api(page, api, filters)
    listed = {int(r.get_attribute("data-equipment-id"))
              for r in page.get_by_test_id("item-row").all()}
    assert listed and listed <= own
    assert set(_plotted(page, "kind")) == {"enterprise"}
    assert set(_plotted(page, "idle")) <= own
    # The base list narrows to the owner's bases.
    bases = {b["id"]: b for b in api.get("/training-bases", page_size=100).get_json()["items"]}
    for option in page.get_by_test_id("base").locator("option").all()[1:]:
        base = bases[int(option.get_attribute("value"))]
        assert huaxin.id == base["organisation_id"] or huaxin.id in base["co_owner_ids"]
    _shot(page, "operator-owner")
    assert not page.problems, page.problems


def test_the_page_fits_a_phone_in_english_and_chinese(served, browser):
    base_url, app = served
    page = _page(browser, base_url, **PHONE)
    _sign_in(page, "admin@school.example")
    _wait_loaded(page)
    for lang in ("en", "zh"):
        wider = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap'))
            .slice(0, 5).map((e) => `${e.tagName}#${e.id}.${e.className}`)""")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390, (lang, wider)
        for name in ("utilisation", "items", "kind", "rates"):
            box = page.get_by_test_id(f"chart-{name}").bounding_box()
            assert box["width"] > 300 and box["x"] >= 0 and box["x"] + box["width"] <= 390
        # The tables keep their columns and scroll sideways inside their cards.
        for table in ("items-table", "idle-table", "heatmap-table"):
            wrap = page.get_by_test_id(table).locator("xpath=..")
            assert wrap.evaluate("(e) => e.scrollWidth > e.clientWidth && "
                                 "e.getBoundingClientRect().right <= 390"), table
        _shot(page, f"phone-{lang}")
        page.screenshot(path=str(ARTIFACTS / f"phone-{lang}-top.png"))
        page.get_by_test_id("chart-heatmap").screenshot(
            path=str(ARTIFACTS / f"phone-{lang}-heatmap.png"))
        if lang == "en":
            page.get_by_test_id("lang-switch").click()
            page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    check_axe(page, "dashboard-phone-zh")
    # A heat-map cell's reservations on a phone: a dialog that fits the screen.
    page.locator("[data-testid=heat-cell][data-state=open]").first.click()
    _wait_drill(page)
    box = page.get_by_test_id("drilldown").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(ARTIFACTS / "phone-zh-drilldown.png"))
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
    listed = {int(r.get_attribute("data-equipment-id"))
              for r in page.get_by_test_id("item-row").all()}
    assert listed and listed <= own
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
    listed = _plotted(page, "idle")
    assert listed == [i["equipment_id"] for i in api.get("/reports/idle").get_json()["items"]]
    assert set(listed) <= own
    check_axe(page, "dashboard-enterprise-zh")
    _shot(page, "enterprise-zh")
    assert not page.problems, page.problems


def test_a_wrong_password_is_shown_readably_and_a_student_is_told_reports_are_for_admins(
        served, browser):
    base_url, _ = served
    page = _page(browser, base_url)
    page.get_by_test_id("email").fill("admin@school.example")
    page.get_by_test_id("password").fill("not-the-password")
    page.get_by_test_id("signin-submit").click()
    error = page.get_by_test_id("signin-error")
    error.wait_for(state="visible")
    assert error.inner_text().strip() and "[object" not in error.inner_text()
    assert not page.get_by_test_id("dashboard").is_visible()

    _sign_in(page, "student1@school.example")
    message = page.get_by_test_id("not-reporting")
    message.wait_for(state="visible")
    assert "administrators" in message.inner_text()
    assert not page.get_by_test_id("dashboard").is_visible()
    page.get_by_test_id("lang-switch").click()
    assert "管理人员" in message.inner_text()
    assert not page.problems, page.problems


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
