"""Schedules with a history: changing a base's opening hours or retiring an item today leaves
every figure of every past period as it was, built, rebuilt or computed now, while the days
after the change read the new hours; only an operator's correction rewrites the past, and it
rebuilds and marks every stored period it touches."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from service.audit.models import AuditEntry
from service.idle.services import week_figures
from service.reports.live import compute_figures
from service.reports.models import ReportRun
from service.reports.services import build_reports

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = date(2025, 3, 1)
MONDAYS = [date(2025, 3, 3) + timedelta(weeks=n) for n in range(4)]
PERIODS = [("week", monday) for monday in MONDAYS] + [("month", MARCH)]
SPAN = {"from": "2025-03-01", "to": "2025-04-01"}
# The new week: every day 10:00-11:00, unlike the old Monday-Friday 08:00-18:00.
NEW_WEEK = [{"weekday": d, "opens": "10:00", "closes": "11:00"} for d in range(1, 8)]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def _today() -> date:
    return datetime.now(SHANGHAI).date()


@pytest.fixture
def history(make, world, session):
    """March 2025 at two Shanghai bases: the school's item used by a student and a class, the
    enterprise's item offered to the school (every day 08:00-12:00 until next year) and booked
    under the offer."""
    student, instructor = world.users["student"], world.users["instructor"]
    offer = make.offer(world.enterprise, world.school, [world.enterprise_equipment],
                       created_by=world.users["manager"], status="approved",
                       values={world.enterprise_equipment.id: "80.00"},
                       windows=[{"starts_on": MARCH, "ends_on": _today() + timedelta(days=300),
                                 "spans": [(d, time(8), time(12)) for d in range(1, 8)]}])
    for week, monday in enumerate(MONDAYS):
        make.reservation(world.equipment, student, _at(monday, 9), _at(monday, 11 + week % 2),
                         checked_in_at=_at(monday, 9), checked_out_at=_at(monday, 11))
        make.reservation(world.equipment, instructor, _at(monday + timedelta(days=2), 14),
                         _at(monday + timedelta(days=2), 16), attendees=[student],
                         checked_in_at=_at(monday + timedelta(days=2), 14))
        make.reservation(world.enterprise_equipment, student, _at(monday + timedelta(days=3), 8),
                         _at(monday + timedelta(days=3), 10), offer=offer)
    make.reservation(world.equipment, student, _at(MONDAYS[1], 15), _at(MONDAYS[1], 16),
                     status="no_show")
    session.commit()
    return offer


def _stored(session) -> list[tuple]:
    return session.execute(text(
        "SELECT granularity, period_start, equipment_id, available_hours, booked_hours,"
        " used_hours, no_shows, cancellations FROM utilisation_rows"
        " ORDER BY 1, 2, 3")).all()


def _get(client, world, role: str, url: str, **query) -> dict:
    response = client.get(f"/api/v1{url}", query_string=query, headers=world.headers(role))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def figures(client, world, session) -> dict:
    """Every figure of March 2025, as each report answers it."""
    enterprise = world.enterprise.id
    return {
        "live": {(g, s): sorted(map(sorted, (r.items() for r in compute_figures(
            session, g, s, [world.equipment.id, world.enterprise_equipment.id]))))
            for g, s in PERIODS},
        "utilisation": [_get(client, world, role, "/reports/utilisation", **SPAN,
                             granularity="week")["rows"] for role in ("admin", "manager")],
        "heatmap": [_get(client, world, role, "/reports/heatmap", **SPAN)
                    for role in ("admin", "manager")],
        "impact": _get(client, world, "manager", f"/organisations/{enterprise}/impact",
                       **SPAN),
        "contribution": _get(client, world, "manager",
                             f"/organisations/{enterprise}/contribution", year=2025),
        "practice": _get(client, world, "admin", "/reports/practice", **SPAN,
                         granularity="week"),
        "idle": {start: {item: week for item, week in items.items()
                         if item in (world.equipment.id, world.enterprise_equipment.id)}
                 for start, items in week_figures(session, MONDAYS).items()},
    }


def _build(session, trigger=None) -> list[ReportRun]:
    runs = []
    for batch in build_reports(session, PERIODS, trigger=trigger):
        assert batch.error is None
        runs += batch.runs
    return runs


def _a_later_day(world) -> date:
    return _today() + timedelta(days=3)


def test_new_opening_hours_leave_every_past_figure_as_it_was(client, world, session, history):
    live_before = figures(client, world, session)
    _build(session)
    stored_before, built_before = _stored(session), figures(client, world, session)
    assert stored_before and live_before["impact"]["offers"]
    assert live_before["live"][("month", MARCH)] and live_before["practice"]["rows"]

    for role, base in (("admin", world.base), ("manager", world.enterprise_base)):
        response = client.patch(f"/api/v1/training-bases/{base.id}", json={
            "opening_hours": NEW_WEEK}, headers=world.headers(role))
        assert response.status_code == 200, response.get_json()
        tomorrow = _today() + timedelta(days=1)
        assert response.get_json()["opening_hours_changes"] == [
            {"effective_from": tomorrow.isoformat(), "opening_hours": NEW_WEEK}]
        assert response.get_json()["opening_hours"][0] == {
            "weekday": 1, "opens": "08:00", "closes": "18:00"}

    assert figures(client, world, session) == built_before
    _build(session)  # rebuilt with what was in force then
    assert _stored(session) == stored_before
    assert figures(client, world, session) == built_before
    session.execute(text("DELETE FROM utilisation_rows"))
    session.execute(text("DELETE FROM report_runs"))
    assert figures(client, world, session) == live_before

    # From tomorrow on the new week: one hour a day, the enterprise's inside its offer too.
    later = _a_later_day(world)
    [school_item] = compute_figures(session, "day", later, [world.equipment.id])
    [offered_item] = compute_figures(session, "day", later, [world.enterprise_equipment.id])
    assert (school_item["available_hours"], offered_item["available_hours"]) == (1, 1)


def test_an_operators_correction_rewrites_only_its_days_and_rebuilds_what_it_touches(
        client, world, session, history):
    _build(session)
    before = figures(client, world, session)
    stored_before = {(g, s, e): available for g, s, e, available, *_ in _stored(session)}
    response = client.post(
        f"/api/v1/training-bases/{world.base.id}/opening-hours/corrections",
        headers=world.headers("operator"), json={
            "effective_from": "2025-03-10", "until": "2025-03-16", "opening_hours": NEW_WEEK,
            "reason": "The base opened one hour a day that week (works)."})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [(r["granularity"], r["period_start"], r["status"]) for r in body["rebuilt"]] == [
        ("month", "2025-03-01", "succeeded"), ("week", "2025-03-10", "succeeded")]
    assert (body["effective_from"], body["until"], body["opening_hours"]) == (
        "2025-03-10", "2025-03-16", NEW_WEEK)
    runs = session.scalars(select(ReportRun).where(ReportRun.trigger == "correction")).all()
    assert sorted((r.granularity, r.period_start.isoformat()) for r in runs) == [
        ("month", "2025-03-01"), ("week", "2025-03-10")]
    entry = session.get(AuditEntry, body["audit_entry_id"])
    assert (entry.organisation_id, entry.entity, entry.entity_id) == (
        world.school.id, "training_base", world.base.id)
    corrected = entry.changes["opening_hours_corrected"][1]
    assert corrected["reason"].startswith("The base opened") and corrected["rebuilds"] == [
        {"granularity": "month", "period_start": "2025-03-01"},
        {"granularity": "week", "period_start": "2025-03-10"}]

    stored = {(g, s, e): available for g, s, e, available, *_ in _stored(session)}
    school = world.equipment.id
    assert stored[("week", date(2025, 3, 10), school)] == 7  # seven days of one hour
    assert stored_before[("week", date(2025, 3, 10), school)] == 50
    assert stored[("month", MARCH, school)] == stored_before[("month", MARCH, school)] - 43
    assert {k: v for k, v in stored.items() if k[1] not in (MARCH, date(2025, 3, 10))} == {
        k: v for k, v in stored_before.items() if k[1] not in (MARCH, date(2025, 3, 10))}
    # The enterprise's base was not corrected: its figures stand.
    after = figures(client, world, session)
    assert after["impact"] == before["impact"] and after["contribution"] == before[
        "contribution"]
    # The days around the corrected ones keep the week they had.
    base = client.get(f"/api/v1/training-bases/{world.base.id}", query_string={
        "on": "2025-03-17"}, headers=world.headers("admin")).get_json()
    assert base["opening_hours"][0] == {"weekday": 1, "opens": "08:00", "closes": "18:00"}


def test_retiring_an_item_leaves_its_past_figures_and_ends_its_future_ones(
        client, world, session, history):
    _build(session)
    before, stored_before = figures(client, world, session), _stored(session)
    for role, item in (("admin", world.equipment), ("manager", world.enterprise_equipment)):
        response = client.patch(f"/api/v1/equipment/{item.id}", json={"status": "retired"},
                                headers=world.headers(role if role == "admin"
                                                      else "enterprise_staff"))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["retired_at"] is not None
    assert figures(client, world, session) == before
    _build(session)
    assert _stored(session) == stored_before
    later = _a_later_day(world)
    assert compute_figures(session, "day", later, [world.equipment.id]) == []

