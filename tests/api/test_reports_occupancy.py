"""The heat map as a share of open hours: each cell's open hours are the utilisation report's
available hours, occupancy is booked / open (null when closed), right across daylight-saving
nights, within the caller's scope, and the same whether the days were built or not."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.calendar.wallclock import END_OF_DAY
from service.reports import services
from service.reports.heatmap import heatmap_cells
from service.reports.models import UtilisationHour
from service.reports.queries import heatmap
from service.reports.schemas import HeatmapSchema

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
KATHMANDU = ZoneInfo("Asia/Kathmandu")  # +05:45
HEATMAP = "/api/v1/reports/heatmap"
UTILISATION = "/api/v1/reports/utilisation"
WEEK = {"from": "2025-03-03", "to": "2025-03-10"}  # Mon..Sun
SPRING = {"from": "2025-03-30", "to": "2025-03-31"}  # Berlin's clocks go 02:00 -> 03:00
AUTUMN = {"from": "2025-10-26", "to": "2025-10-27"}  # Berlin's 02:00-03:00 happens twice


def _at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day, time(hour, minute), zone)


@pytest.fixture
def booked(make, world):
    """School A's item booked Monday 09:00-11:00 and Tuesday 14:30-15:00 (a no-show) in a base
    open 08:00-18:00 on weekdays; the enterprise's item Thursday 08:00-09:00."""
    monday, student = date(2025, 3, 3), world.users["student"]
    make.reservation(world.equipment, student, _at(monday, 8), _at(monday, 8, 30),
                     status="cancelled")  # in service from 08:00, booked nothing
    make.reservation(world.equipment, student, _at(monday, 9), _at(monday, 11))
    make.reservation(world.equipment, student, _at(date(2025, 3, 4), 14, 30),
                     _at(date(2025, 3, 4), 15), status="no_show")
    make.reservation(world.enterprise_equipment, student, _at(date(2025, 3, 6), 8),
                     _at(date(2025, 3, 6), 9), status="confirmed")


@pytest.fixture
def dst(make, world):
    """A Berlin base open round the clock and one in Kathmandu open 08:00-18:00, each with an
    item of the school's, booked across the clocks' changes and at a quarter-hour zone."""
    berlin = make.base(world.school, timezone="Europe/Berlin", opening_hours=[
        {"weekday": d, "opens": time(0), "closes": END_OF_DAY} for d in range(1, 8)])
    kathmandu = make.base(world.school, timezone="Asia/Kathmandu")
    items = {"berlin": make.equipment(berlin, world.category, world.school),
             "kathmandu": make.equipment(kathmandu, world.category, world.school)}
    student = world.users["student"]
    # Listed from the start of both days; the spring night booked 01:30-03:30 (one real
    # hour: 02:00-03:00 does not exist), the autumn night 01:30 CEST-02:30 CET (two).
    make.reservation(items["berlin"], student, _at(date(2025, 3, 30), 0, zone=BERLIN),
                     _at(date(2025, 3, 30), 0, 30, zone=BERLIN), status="cancelled")
    make.reservation(items["berlin"], student, _at(date(2025, 3, 30), 1, 30, zone=BERLIN),
                     _at(date(2025, 3, 30), 3, 30, zone=BERLIN))
    make.reservation(items["berlin"], student, datetime.fromisoformat("2025-10-25T23:30Z"),
                     datetime.fromisoformat("2025-10-26T01:30Z"))
    make.reservation(items["kathmandu"], student, _at(date(2025, 3, 3), 8, zone=KATHMANDU),
                     _at(date(2025, 3, 3), 8, 15, zone=KATHMANDU), status="cancelled")
    make.reservation(items["kathmandu"], student, _at(date(2025, 3, 3), 9, 30, zone=KATHMANDU),
                     _at(date(2025, 3, 3), 11, 15, zone=KATHMANDU))
    make.session.commit()
    return items


def _map(client, world, role="operator", **query):
    response = client.get(HEATMAP, query_string=query, headers=world.headers(role))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return body, {(c["weekday"], c["hour"]): c for c in body["cells"]}


def _report(client, world, role="operator", **query):
    response = client.get(UTILISATION, query_string={
        **query, "granularity": "day", "group_by": "school"}, headers=world.headers(role))
    assert response.status_code == 200, response.get_json()
    rows = response.get_json()["rows"]
    return (round(sum(r["available_hours"] for r in rows), 4),
            round(sum(r["booked_hours"] for r in rows), 4))


def test_a_cell_is_booked_hours_as_a_share_of_its_open_hours(client, world, booked):
    body, cells = _map(client, world, "admin", **WEEK)
    assert (body["unit"], len(body["cells"])) == ("share_of_open_hours", 168)
    assert cells[(1, 9)] == {"weekday": 1, "hour": 9, "booked_hours": 1.0, "open_hours": 1.0,
                             "occupancy": 1.0}
    assert cells[(2, 14)]["occupancy"] == 0.5 and cells[(3, 14)]["occupancy"] == 0.0
    # school A's item alone, in service from Monday 08:00: five days of ten hours
    assert (body["open_hours"], body["booked_hours"]) == (50.0, 2.5)


def test_a_closed_hour_has_no_open_hours_and_no_occupancy(client, world, booked):
    _, cells = _map(client, world, "admin", **WEEK)
    for closed in ((1, 7), (1, 18), (6, 10), (7, 12)):
        assert (cells[closed]["open_hours"], cells[closed]["occupancy"]) == (0.0, None)


@pytest.mark.parametrize(("role", "scope"), [
    ("operator", {}), ("admin", {}), ("enterprise_staff", {}),
    ("operator", {"owner_id": "school"}), ("operator", {"owner_id": "enterprise"}),
    ("operator", {"base_id": "base"}), ("operator", {"category": "category"}),
    ("admin", {"owner_id": "enterprise"})])
def test_the_maps_totals_are_the_utilisation_reports_for_the_same_scope(client, world, booked,
                                                                        dst, role, scope):
    ids = {"school": world.school.id, "enterprise": world.enterprise.id,
           "base": world.base.id, "category": world.category.code}
    query = {**WEEK, **{name: ids[value] for name, value in scope.items()}}
    body, cells = _map(client, world, role, **query)
    available, booked_hours = _report(client, world, role, **query)
    assert (body["open_hours"], body["booked_hours"]) == (available, booked_hours)
    assert round(sum(c["open_hours"] for c in cells.values()), 4) == available


def test_an_admin_sees_only_their_own_organisations_hours(client, world, booked):
    mine, _ = _map(client, world, "admin", **WEEK)
    everything, _ = _map(client, world, "operator", **WEEK)
    theirs, _ = _map(client, world, "admin", owner_id=world.enterprise.id, **WEEK)
    assert (mine["open_hours"], theirs["open_hours"], theirs["booked_hours"]) == (50.0, 0, 0)
    assert everything["open_hours"] == 50.0 + 20.0  # the enterprise's item: Thursday, Friday


def test_the_spring_night_has_no_two_oclock(client, world, dst):
    body, cells = _map(client, world, base_id=dst["berlin"].base_id, **SPRING)
    assert [cells[(7, h)]["open_hours"] for h in (1, 2, 3)] == [1.0, 0.0, 1.0]
    assert cells[(7, 2)]["occupancy"] is None
    assert [cells[(7, h)]["booked_hours"] for h in (1, 3)] == [0.5, 0.5]
    assert (body["open_hours"], body["booked_hours"]) == (23.0, 1.0)
    assert _report(client, world, base_id=dst["berlin"].base_id, **SPRING) == (23.0, 1.0)


def test_the_autumn_night_counts_both_passes_under_two_oclock(client, world, dst):
    body, cells = _map(client, world, base_id=dst["berlin"].base_id, **AUTUMN)
    assert (cells[(7, 2)]["open_hours"], cells[(7, 2)]["booked_hours"]) == (2.0, 1.5)
    assert (cells[(7, 1)]["booked_hours"], cells[(7, 2)]["occupancy"]) == (0.5, 0.75)
    assert (body["open_hours"], body["booked_hours"]) == (25.0, 2.0)
    assert _report(client, world, base_id=dst["berlin"].base_id, **AUTUMN) == (25.0, 2.0)


def test_a_quarter_hour_zone_cuts_at_its_own_wall_hours(client, world, dst):
    body, cells = _map(client, world, base_id=dst["kathmandu"].base_id, **WEEK)
    assert {h: cells[(1, h)]["booked_hours"] for h in (9, 10, 11)} == {9: 0.5, 10: 1.0,
                                                                       11: 0.25}
    assert (cells[(1, 7)]["occupancy"], cells[(1, 11)]["occupancy"]) == (None, 0.25)
    assert (body["open_hours"], body["booked_hours"]) == (50.0, 1.75)


def test_built_days_read_from_the_kept_hours_equal_the_live_computation(session, world,
                                                                       booked, dst):
    spans = [(date(2025, 3, 3), date(2025, 3, 10)), (date(2025, 3, 29), date(2025, 4, 1)),
             (date(2025, 10, 25), date(2025, 10, 28))]
    live = [heatmap_cells(session, first, end) for first, end in spans]
    days = [first + timedelta(days=n) for first, end in spans
            for n in range((end - first).days)]
    # a few days left unbuilt: read live beside the kept ones
    services.build_requested_reports(session, "day", [d for d in days if d.day % 3])
    assert session.scalar(select(func.count()).select_from(UtilisationHour)) > 0
    assert [heatmap_cells(session, first, end) for first, end in spans] == live
    services.build_requested_reports(session, "day", [d for d in days if not d.day % 3])
    assert [heatmap_cells(session, first, end) for first, end in spans] == live


def test_a_correction_of_past_hours_rebuilds_the_kept_hours(client, session, world, booked):
    """The week's days built, then the base found open 08:00-20:00 that week: the kept hours
    are rebuilt with the correction, and the map shows the corrected open hours."""
    services.build_requested_reports(
        session, "day", [date(2025, 3, 3) + timedelta(days=n) for n in range(7)])
    assert _map(client, world, "admin", **WEEK)[0]["open_hours"] == 50.0
    response = client.post(
        f"/api/v1/training-bases/{world.base.id}/opening-hours/corrections",
        json={"effective_from": "2025-03-03", "until": "2025-03-09", "reason": "Late shifts.",
              "opening_hours": [{"weekday": d, "opens": "08:00", "closes": "20:00"}
                                for d in range(1, 6)]},
        headers=world.headers("operator"))
    assert response.status_code == 201, response.get_json()
    assert {r["status"] for r in response.get_json()["rebuilt"]} == {"succeeded"}
    body, cells = _map(client, world, "admin", **WEEK)
    assert (body["open_hours"], cells[(1, 19)]["open_hours"]) == (60.0, 1.0)
    assert body["open_hours"] == _report(client, world, "admin", **WEEK)[0]


def test_a_map_of_kept_days_is_answered_again_as_the_schema_dumps_it(client, session, world,
                                                                    booked):
    services.build_requested_reports(
        session, "day", [date(2025, 3, 3) + timedelta(days=n) for n in range(7)])
    first, _ = _map(client, world, "admin", **WEEK)
    again, _ = _map(client, world, "admin", **WEEK)
    expected = HeatmapSchema().dump(heatmap(
        session, world.users["admin"], from_=date(2025, 3, 3), to=date(2025, 3, 10),
        max_days=400))
    assert first == again == expected
