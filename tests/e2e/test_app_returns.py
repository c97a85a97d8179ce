"""What an enterprise gets back, and a school's partners page, in a real browser on a phone in
English and on a desktop in Chinese against `benchshare serve --demo` (Huaxin's approved offer
to Riverside and its history): the school's admin confirms a contribution month after seeing
its figures; the enterprise's fleet (an idle item flagged, a hostile name shown as text), the
outcomes it received, its impact and its statement (printed as a clean document, downloaded as
CSV); a request approved before its deadline, the countdown shown. axe-core on every page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .app_browser import Api, check_axe, shot, sign_in, visible, wait_ready, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served_app(shared_app):
    """The test process's shared app: this module moves no clock and changes nothing another
    module reads (what it adds has names of its own)."""
    return shared_app


ZONE = ZoneInfo("Asia/Shanghai")  # every demo base's zone
MANAGER = "manager@enterprise1.example"
ADMIN = "admin@school.example"
HOSTILE = '<img src=x onerror="window.pwned=1">Mill #3'
VIEWS = [pytest.param("phone", "en-GB", id="phone-en"),
         pytest.param("desktop", "zh-CN", id="desktop-zh")]


def _open(open_page, path, device, locale, email, module=None):
    page = open_page(path, device=device, locale=locale)
    sign_in(page, email)
    wait_ready(page, module or path.strip("/").split("?")[0].split("/")[0])
    return page


def _name(device, locale, what):
    return f"returns-{what}-{device}-{locale.split('-')[0]}"


def _huaxin(service) -> int:
    return Api(service.url, MANAGER).me["organisation_id"]


def _open_month(admin: Api, enterprise: int, clock) -> tuple[int, dict]:
    """The year and the first month of the enterprise's statement the admin may confirm."""
    this_year = clock.now().astimezone(ZONE).year
    for year in (this_year, this_year - 1):
        rows = admin.ok("GET", f"/organisations/{enterprise}/contribution", year=year)["rows"]
        opened = [r for r in rows if r["status"] == "open"]
        if opened:
            return year, opened[0]
    pytest.fail("the demo has no month left to confirm")


# ---------------------------------------------------------------- the school's partners

@pytest.mark.parametrize(("device", "locale"), VIEWS)
def test_a_school_admin_sees_a_months_figures_then_confirms_it(
        served_app, open_page, device, locale):
    service, clock = served_app
    admin, huaxin = Api(service.url, ADMIN), _huaxin(service)
    year, month = _open_month(admin, huaxin, clock)
    gave = admin.ok("GET", "/reports/partner-equipment", group_by="enterprise",
                    **{"from": f"{year}-01-01", "to": f"{year + 1}-01-01"})

    page = _open(open_page, f"/partners?year={year}", device, locale, ADMIN, "partners")
    partners = page.get_by_test_id("partner-row")
    assert sorted(int(r.get_attribute("data-enterprise-id")) for r in partners.all()) == sorted(
        r["enterprise_id"] for r in gave["rows"])
    section = page.locator(f"[data-testid=partner-months][data-enterprise-id='{huaxin}']")
    figures = section.locator(f"[data-testid=month-figures][data-month='{month['month']}']")
    said = figures.inner_text()
    for figure in ("hours_offered", "hours_booked"):
        assert f"{month[figure]:g}" in said.replace(",", ""), (figure, said)
    check_axe(page, _name(device, locale, "partners"))
    shot(page, _name(device, locale, "partners"))

    section.locator(f"[data-testid=confirm-month][data-month='{month['month']}']").click()
    visible(page, "month-confirmed-notice")
    section = page.locator(f"[data-testid=partner-months][data-enterprise-id='{huaxin}']")
    assert section.locator(f"[data-testid=month-confirmed][data-month='{month['month']}']"
                           ).is_visible()
    row = section.locator(f"[data-testid=statement-month][data-month='{month['month']}']")
    assert row.get_attribute("data-confirmed") == "true"
    assert admin.me["full_name"] in row.inner_text()
    after = admin.ok("GET", f"/organisations/{huaxin}/contribution", year=year)["rows"]
    confirmed = next(r for r in after if r["month"] == month["month"])
    assert (confirmed["status"], confirmed["confirmed_by_id"]) == ("confirmed", admin.me["id"])
    shot(page, _name(device, locale, "partners-confirmed"))

    # Another admin confirms a month of the other partner meanwhile: the page says so in the
    # user's language, not with the API's code.
    other = next(int(r.get_attribute("data-enterprise-id")) for r in partners.all()
                 if int(r.get_attribute("data-enterprise-id")) != huaxin)
    _, late = _open_month(admin, other, clock)
    admin.ok("POST", f"/organisations/{other}/contribution/confirmations",
             {"month": late["month"]})
    section = page.locator(f"[data-testid=partner-months][data-enterprise-id='{other}']")
    section.locator(f"[data-testid=confirm-month][data-month='{late['month']}']").click()
    refusal = section.get_by_role("alert").inner_text()
    assert ("already confirmed" if locale == "en-GB" else "已经确认") in refusal, refusal
    assert "already_confirmed" not in refusal
    assert not page.problems, page.problems


# ---------------------------------------------------------------- the enterprise's pages

@pytest.mark.parametrize(("device", "locale"), VIEWS)
def test_an_enterprise_sees_its_fleet_with_an_idle_item_and_a_hostile_name_as_text(
        served_app, open_page, device, locale):
    service, _ = served_app
    manager = Api(service.url, MANAGER)
    mill = manager.equipment("HX-CNC-003")  # never offered, never booked: idle
    manager.ok("PATCH", f"/equipment/{mill['id']}", {"name": HOSTILE})
    idle = {f["equipment_id"]: f for f in manager.ok("GET", "/reports/idle")["items"]}
    assert mill["id"] in idle

    page = _open(open_page, "/fleet", device, locale, MANAGER)
    rows = page.get_by_test_id("fleet-row")
    assert sorted(int(r.get_attribute("data-equipment-id")) for r in rows.all()) == sorted(
        e["id"] for e in manager.all("/equipment"))
    row = page.locator(f"[data-testid=fleet-row][data-equipment-id='{mill['id']}']")
    assert row.get_attribute("data-idle") == "true"
    assert HOSTILE in row.inner_text()
    assert page.locator("main img").count() == 0 and page.evaluate("window.pwned") is None
    assert row.get_by_test_id("fleet-draft-offer").is_visible()
    assert row.get_by_test_id("fleet-edit").get_attribute("href") == (
        f"/equipment/{mill['id']}/edit")
    offered = page.locator("[data-testid=fleet-row][data-offered=true]")
    assert offered.count() >= 2  # the machining centre and the robot cell offered to Riverside
    check_axe(page, _name(device, locale, "fleet"))
    shot(page, _name(device, locale, "fleet"))

    riverside = next(s for s in manager.all("/organisations", kind="school")
                     if s["name"] == "Riverside Vocational College")
    row.get_by_test_id("fleet-school").select_option(str(riverside["id"]))
    row.get_by_test_id("fleet-draft-offer").click()
    wait_until(page, "() => location.pathname.startsWith('/offers')", {},
               what="the draft offer's page")
    assert f"from_finding={idle[mill['id']]['id']}" in page.url or "/offers/" in page.url
    assert not page.problems, page.problems


@pytest.mark.parametrize(("device", "locale"), VIEWS[1:])
def test_an_enterprise_reads_the_outcomes_it_received_grouped_per_offer_school_and_month(
        served_app, open_page, device, locale):
    service, _ = served_app
    outcomes = Api(service.url, MANAGER).all("/outcomes")
    assert outcomes

    page = _open(open_page, "/received", device, locale, MANAGER)
    rows = page.get_by_test_id("received-row")
    assert sorted(int(r.get_attribute("data-outcome-id")) for r in rows.all()) == sorted(
        o["id"] for o in outcomes)
    first = outcomes[0]
    row = page.locator(f"[data-testid=received-row][data-outcome-id='{first['id']}']")
    assert first["reservation"]["holder_name"] in row.inner_text()
    assert first["result"] in row.inner_text()
    assert "@" not in page.inner_text("main")
    groups = {(g.get_attribute("data-offer-id"), g.get_attribute("data-month"))
              for g in page.get_by_test_id("received-group").all()}
    assert len(groups) == page.get_by_test_id("received-group").count() >= 2
    check_axe(page, _name(device, locale, "received"))
    shot(page, _name(device, locale, "received"))

    month = sorted(g[1] for g in groups)[0]
    page.get_by_test_id("received-month").select_option(month)
    assert {g.get_attribute("data-month") for g in
            page.get_by_test_id("received-group").all()} == {month}
    assert not page.problems, page.problems


@pytest.mark.parametrize(("device", "locale"), VIEWS)
def test_an_enterprise_prints_its_statement_and_downloads_it_as_csv(
        served_app, open_page, device, locale):
    service, clock = served_app
    manager = Api(service.url, MANAGER)
    org = manager.me["organisation_id"]
    year = clock.now().astimezone(ZONE).year
    statement = manager.ok("GET", f"/organisations/{org}/contribution", year=year)
    assert statement["rows"]

    page = _open(open_page, f"/impact?year={year}", device, locale, MANAGER, "impact")
    months = page.get_by_test_id("statement-month")
    assert sorted((m.get_attribute("data-month"), m.get_attribute("data-school-id"),
                   m.get_attribute("data-confirmed")) for m in months.all()) == sorted(
        (r["month"], str(r["school_id"]), str(r["status"] == "confirmed").lower())
        for r in statement["rows"])
    assert statement["enterprise_name"] in page.get_by_test_id("statement-of").inner_text()
    assert str(year) in page.get_by_test_id("statement-of").inner_text()
    assert page.get_by_test_id("impact-offer").count() >= 1
    check_axe(page, _name(device, locale, "impact"))
    shot(page, _name(device, locale, "impact"))

    page.emulate_media(media="print")
    for hidden in ("nav", "lang-switch", "statement-print", "statement-csv", "impact"):
        assert not page.get_by_test_id(hidden).is_visible(), hidden
    for shown in ("statement", "statement-of", "statement-totals"):
        assert page.get_by_test_id(shown).is_visible(), shown
    assert page.get_by_test_id("statement-month").first.is_visible()
    shot(page, _name(device, locale, "statement-print"))
    page.emulate_media(media="screen")

    with page.expect_download() as downloading:
        page.get_by_test_id("statement-csv").click()
    text = Path(downloading.value.path()).read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + len(statement["rows"]), text
    assert all(r["month"] in text for r in statement["rows"])
    assert not page.problems, page.problems


# ---------------------------------------------------------------- a request to decide

def _offer_day(clock, days_ahead: int) -> date:
    """A Tuesday or Thursday (the offer's weekdays) at least `days_ahead` days ahead."""
    day = clock.now().astimezone(ZONE).date() + timedelta(days=days_ahead)
    while day.isoweekday() not in (2, 4):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize(("device", "locale"), VIEWS[:1])
def test_an_enterprise_approves_a_request_before_its_deadline_counting_down(
        served_app, open_page, device, locale):
    service, clock = served_app
    student = Api(service.url, "student1@school.example")
    robot = student.equipment("HX-RBT-001")  # under the offer, needs approval
    day = _offer_day(clock, 3)
    start = "09:00" if device == "phone" else "14:00"  # a 30-minute buffer follows each
    status, request = student.post("/reservations", {
        "equipment_id": robot["id"],
        "starts_at": datetime.combine(day, time.fromisoformat(start), ZONE).isoformat(),
        "ends_at": datetime.combine(day, time.fromisoformat(start), ZONE).replace(
            hour=int(start[:2]) + 1).isoformat(), "purpose": "Seam welding path"})
    assert status == 201 and request["status"] == "pending", request
    deadline = datetime.fromisoformat(request["decide_by"])

    page = _open(open_page, "/approvals", device, locale, MANAGER)
    row = page.locator(f"[data-testid=request][data-reservation-id='{request['id']}']")
    counting = row.get_by_test_id("approval-countdown")
    left = int(counting.get_attribute("data-left"))
    expected = (deadline - clock.now()).total_seconds() / 60
    assert abs(left - expected) <= 2, (left, expected)
    assert counting.inner_text().strip()
    assert "Chen Jie" in row.inner_text()
    check_axe(page, _name(device, locale, "approvals"))
    shot(page, _name(device, locale, "approvals"))

    page.clock.run_for(5 * 60_000)  # the page redraws the countdown every 30 s
    assert int(counting.get_attribute("data-left")) <= left - 4
    row.get_by_test_id("approve").click()
    visible(page, "decided")
    assert student.ok("GET", f"/reservations/{request['id']}")["status"] == "confirmed"
    assert not page.problems, page.problems
