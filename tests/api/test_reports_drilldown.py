"""The drill-down: the reservations behind a heat-map cell or a utilisation figure sum to it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service.reservations.models import ReservationEvent

from .problems import assert_problem

URL = "/api/v1/reports/reservations"
HEATMAP = "/api/v1/reports/heatmap"
UTILISATION = "/api/v1/reports/utilisation"
BERLIN, NEW_YORK, SHANGHAI = (ZoneInfo(z) for z in ("Europe/Berlin", "America/New_York",
                                                    "Asia/Shanghai"))
# Five weeks around Berlin's autumn night (2026-10-25: 02:00-03:00 happens twice) and New
# York's (2026-11-01), in the past: the utilisation report speaks of periods begun.
DAYS = {"from": "2026-09-28", "to": "2026-11-02"}
ROUND_THE_CLOCK = [{"weekday": d, "opens": time(0), "closes": time(0)} for d in range(1, 8)]
FIELDS = {"id", "equipment_id", "equipment_name", "base_id", "base_name", "timezone",
          "starts_at", "ends_at", "status", "holder_name", "holder_organisation_name", "hours"}


def _at(zone, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), zone)


@pytest.fixture
def busy(make, world, session):
    """School A: two round-the-clock items in Berlin and its Shanghai item; E1: an item in New
    York. Sessions every few days, one across Berlin's repeated hour, a no-show whose slot was
    booked again (overlapping), cancellations (one late), a lapse, and used time."""
    berlin = make.base(world.school, timezone="Europe/Berlin", opening_hours=ROUND_THE_CLOCK)
    new_york = make.open_base(world.enterprise, kind="enterprise", timezone="America/New_York")
    lathe = make.equipment(berlin, world.category, world.school, name="Lathe")
    mill = make.equipment(berlin, world.category, world.school, name="Mill")
    press = make.equipment(new_york, world.category, world.enterprise, name="Press")
    student, staff = world.users["student"], world.users["enterprise_staff"]
    made = {"late": []}
    for n, day in enumerate(date(2026, 9, 28) + timedelta(days=d) for d in range(0, 35, 3)):
        start = _at(BERLIN, day, 8 + n % 5, 30)
        make.reservation(lathe, student, start, start + timedelta(hours=2), status="completed",
                         checked_in_at=start + timedelta(minutes=15),
                         checked_out_at=start + timedelta(hours=1, minutes=45))
        make.reservation(mill, student, _at(BERLIN, day, 21), _at(BERLIN, day, 23, 30),
                         status="confirmed")
        make.reservation(press, staff, _at(NEW_YORK, day, 5), _at(NEW_YORK, day, 7),
                         status="completed")  # 05:00-06:00 before the base opens
        early = make.reservation(world.equipment, student, _at(SHANGHAI, day, 9),
                                 _at(SHANGHAI, day, 10), status="no_show" if n % 2 else "cancelled")
        for event in session.scalars(select(ReservationEvent).filter_by(
                reservation_id=early.id)):
            event.at = early.starts_at - timedelta(days=3)  # called off in good time
    # Berlin's repeated hour: 01:30 CEST to 03:30 CET is three hours.
    dst = make.reservation(lathe, student, _at(BERLIN, date(2026, 10, 25), 1, 30),
                     datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("UTC")), status="completed")
    # A day long: it reaches into Sunday's early hours from Saturday noon.
    long = make.reservation(lathe, student, _at(BERLIN, date(2026, 10, 17), 12),
                            _at(BERLIN, date(2026, 10, 18), 12), status="confirmed")
    # A no-show 14:00-16:00 and the same slot booked again 15:00-17:00: 3 hours, not 4.
    monday = date(2026, 10, 5)
    make.reservation(mill, student, _at(BERLIN, monday, 14), _at(BERLIN, monday, 16),
                     status="no_show")
    make.reservation(mill, world.users["admin"], _at(BERLIN, monday, 15),
                     _at(BERLIN, monday, 17), status="completed")
    cancelled = make.reservation(mill, student, _at(BERLIN, monday, 18), _at(BERLIN, monday, 19),
                                 status="cancelled")
    session.add(ReservationEvent(reservation_id=cancelled.id, actor_id=student.id,
                                 from_status="confirmed", to_status="cancelled",
                                 at=_at(BERLIN, monday, 8)))
    make.reservation(press, student, _at(NEW_YORK, monday, 10), _at(NEW_YORK, monday, 11),
                     status="lapsed")
    # Outside the days asked: not behind any figure.
    make.reservation(lathe, student, _at(BERLIN, date(2026, 11, 2), 10),
                     _at(BERLIN, date(2026, 11, 2), 11))
    session.commit()
    made.update(lathe=lathe, mill=mill, press=press, late=[cancelled.id], long=long.id,
                dst=dst.id)
    return made


def _drill(client, world, role="operator", **query):
    response = client.get(URL, query_string={**DAYS, "page_size": 100, **query},
                          headers=world.headers(role))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_each_heatmap_cell_lists_the_reservations_whose_hours_sum_to_it(client, world, busy):
    cells = client.get(HEATMAP, query_string=DAYS, headers=world.headers("operator")).get_json()
    booked = [c for c in cells["cells"] if c["booked_hours"]]
    assert len(booked) > 20 and (7, 2) in {(c["weekday"], c["hour"]) for c in booked}
    for cell in booked:
        body = _drill(client, world, weekday=cell["weekday"], hour=cell["hour"])
        assert body["hours"] == cell["booked_hours"], cell
        assert sum(r["hours"] for r in body["items"]) == pytest.approx(cell["booked_hours"],
                                                                       abs=1e-3)
        assert body["total"] == len(body["items"]) and all(r["hours"] > 0
                                                           for r in body["items"])
    repeated = _drill(client, world, weekday=7, hour=2)
    assert [(r["id"], r["hours"]) for r in repeated["items"]] == [(busy["long"], 1.0),
                                                                 (busy["dst"], 2.0)]
    assert _drill(client, world, weekday=3, hour=4) == {
        "items": [], "total": 0, "page": 1, "page_size": 100, "hours": 0.0, "figure": "booked"}


def test_an_overlap_counts_for_the_reservation_that_started_first(client, world, busy):
    body = _drill(client, world, "admin", weekday=1, hour=15, equipment_id=busy["mill"].id)
    assert [(r["status"], r["holder_name"], r["hours"]) for r in body["items"]] == [
        ("no_show", world.users["student"].full_name, 1.0)]
    assert body["hours"] == 1.0


def test_a_figure_lists_the_reservations_behind_the_utilisation_report(client, world, busy):
    report = client.get(UTILISATION, query_string={**DAYS, "granularity": "day",
                                                   "group_by": "school"},
                        headers=world.headers("operator")).get_json()["rows"]
    total = {name: round(sum(row[name] for row in report), 4)
             for name in ("booked_hours", "used_hours", "no_shows", "cancellations",
                          "late_cancellations", "lapses")}
    expected = {"booked": total["booked_hours"], "used": total["used_hours"]}
    for figure, hours in expected.items():
        body = _drill(client, world, figure=figure)
        assert body["hours"] == pytest.approx(hours, abs=1e-3) and hours > 0
        assert sum(r["hours"] for r in body["items"]) == pytest.approx(hours, abs=1e-3)
    counted = {"no_show": "no_shows", "cancelled": "cancellations",
               "late_cancellation": "late_cancellations", "lapsed": "lapses"}
    for figure, name in counted.items():
        body = _drill(client, world, figure=figure)
        assert body["total"] == total[name] > 0, figure
        assert {r["status"] for r in body["items"]} == {
            "cancelled" if figure.endswith("cancellation") else figure}
    late = _drill(client, world, figure="late_cancellation")
    assert [r["id"] for r in late["items"]] == busy["late"]


def test_one_items_booked_hours_match_its_row(client, world, busy):
    rows = client.get(UTILISATION, query_string={**DAYS, "granularity": "day"},
                      headers=world.headers("admin")).get_json()["rows"]
    press_hours = round(sum(r["booked_hours"] for r in rows if r["group_id"] == busy["mill"].id),
                        4)
    body = _drill(client, world, "admin", equipment_id=busy["mill"].id, sort="-hours")
    assert body["hours"] == pytest.approx(press_hours, abs=1e-3)
    assert [r["hours"] for r in body["items"]] == sorted((r["hours"] for r in body["items"]),
                                                         reverse=True)
    first = body["items"][0]
    assert set(first) == FIELDS and "@" not in str(body)
    assert (first["equipment_name"], first["timezone"], first["holder_organisation_name"]) \
        == ("Mill", "Europe/Berlin", world.school.name)


def test_each_role_sees_its_own_organisations_items_only(client, world, busy):
    admin = _drill(client, world, "admin", figure="booked")
    assert {r["equipment_id"] for r in admin["items"]} \
        == {busy["lathe"].id, busy["mill"].id, world.equipment.id}
    staff = _drill(client, world, "enterprise_staff", figure="booked")
    assert {r["equipment_id"] for r in staff["items"]} == {busy["press"].id}
    operator = _drill(client, world, owner_id=world.enterprise.id)
    assert {r["equipment_id"] for r in operator["items"]} == {busy["press"].id}
    assert _drill(client, world, "admin", owner_id=world.enterprise.id)["total"] == 0
    assert _drill(client, world, "admin", equipment_id=busy["press"].id)["total"] == 0
    assert _drill(client, world, "admin", category="no-such")["total"] == 0


def test_an_operator_reads_the_holders_organisation_but_not_their_name(client, world, busy):
    operator = _drill(client, world, figure="booked")
    assert operator["total"] > 0 and {r["holder_name"] for r in operator["items"]} == {None}
    assert {r["holder_organisation_name"] for r in operator["items"]} \
        == {world.school.name, world.enterprise.name}
    admin = _drill(client, world, "admin")["items"]
    assert world.users["student"].full_name in {r["holder_name"] for r in admin}
    assert world.users["student"].full_name not in str(operator)


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_people_who_do_not_report_get_403(client, world, busy, role):
    response = client.get(URL, query_string=DAYS, headers=world.headers(role))
    assert_problem(response, 403, "not_reporting")


def test_pages_past_the_last_still_state_the_figure(client, world, busy):
    whole = _drill(client, world, figure="booked")
    page = _drill(client, world, figure="booked", page=50, page_size=2)
    assert (page["items"], page["total"], page["hours"], page["page"]) \
        == ([], whole["total"], whole["hours"], 50)
    second = _drill(client, world, figure="booked", page=2, page_size=3)
    assert [r["id"] for r in second["items"]] == [r["id"] for r in whole["items"][3:6]]


@pytest.mark.parametrize("query, field", [
    ({"weekday": 1}, "hour"), ({"hour": 3}, "weekday"),
    ({"weekday": 1, "hour": 3, "figure": "used"}, "figure"),
    ({"weekday": 8, "hour": 3}, "weekday"), ({"weekday": 1, "hour": 24}, "hour"),
    ({"figure": "offered"}, "figure"), ({"sort": "email"}, "sort"), ({"bom": "false"}, "bom"),
    ({"to": "2026-09-28"}, "to"), ({"to": "2028-09-28"}, "to"),
])
def test_bad_questions_are_422_on_the_field(client, world, query, field):
    response = client.get(URL, query_string={**DAYS, **query}, headers=world.headers("admin"))
    body = assert_problem(response, 422, "validation_error")
    assert field in str(body["errors"]), body


def test_signed_out_gets_401(client):
    assert_problem(client.get(URL, query_string=DAYS), 401, "not_authenticated")


def test_cells_of_built_days_sum_to_the_kept_hours_and_are_kept_alike(client, world, busy,
                                                                       session):
    from service.reports import services

    first = date.fromisoformat(DAYS["from"])
    services.build_requested_reports(
        session, "day", [first + timedelta(days=n) for n in range(35)])
    cells = client.get(HEATMAP, query_string=DAYS, headers=world.headers("operator")).get_json()
    for cell in cells["cells"]:
        body = _drill(client, world, weekday=cell["weekday"], hour=cell["hour"])
        assert body["hours"] == cell["booked_hours"], cell
        assert sum(r["hours"] for r in body["items"]) == pytest.approx(cell["booked_hours"],
                                                                       abs=1e-3)
        # Asked again (kept by the process), the same answer.
        assert _drill(client, world, weekday=cell["weekday"], hour=cell["hour"]) == body
    # An idle cell of kept days is answered from the kept hours alone: nothing behind it.
    assert _drill(client, world, weekday=3, hour=4)["items"] == []
    # The operator's answer for the school's items names no one; the school's admin asking
    # the same cell right after gets their own answer, with the names, not the operator's.
    operator = _drill(client, world, weekday=7, hour=2, owner_id=world.school.id)
    admin = _drill(client, world, role="admin", weekday=7, hour=2, owner_id=world.school.id)
    assert [r["id"] for r in admin["items"]] == [r["id"] for r in operator["items"]] != []
    assert {r["holder_name"] for r in operator["items"]} == {None}
    assert None not in {r["holder_name"] for r in admin["items"]}
