"""Which items a caller could book for a local span, and why not the others: every item they
see judged by booking's own rules, each refusal the very problem POST /reservations answers,
with its extension members; read in each base's zone, DST nights and 24:00 included; nothing
written."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.calendar.wallclock import END_OF_DAY
from service.catalogue.models import Closure
from service.notifications.models import Notification
from service.reservations.models import Blackout, Reservation, ReservationEvent
from service.reservations.quotas import put_quota

from .openapi_document import problem_validator
from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/equipment/bookable"


def _day_after_tomorrow() -> date:
    return (datetime.now(SHANGHAI) + timedelta(days=2)).date()


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def _utc(instant: datetime) -> str:
    """An instant as answers write it: UTC (the item's zone is beside it)."""
    return instant.astimezone(UTC).isoformat()


def _judge(client, world, role, **query):
    response = client.get(URL, headers=world.headers(role), query_string={
        "on": _day_after_tomorrow().isoformat(), "from": "10:00", "to": "11:00",
        "page_size": 100, **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _still(problem: dict) -> dict:
    return {k: v for k, v in problem.items() if k != "latest_start"}


def _by_id(answer) -> dict[int, dict]:
    return {entry["equipment"]["id"]: entry for entry in answer["items"]}


@pytest.fixture
def shelf(make, world, session):
    """Items at one Shanghai base open daily 06:00-22:00, each refusing 10:00-11:00 the day
    after tomorrow for one reason (but `plain` and `approval`)."""
    base = make.open_base(world.school)
    item = {
        "plain": make.equipment(base, world.category, world.school, name="A plain"),
        "approval": make.equipment(base, world.category, world.school, name="B approval",
                                   requires_approval=True),
        "gated": make.equipment(base, world.category, world.school, name="C gated",
                                requires_qualification=True),
        "near": make.equipment(base, world.category, world.school, name="D near",
                               booking_horizon_days=1),
        "hourly": make.equipment(base, world.category, world.school, name="E hourly",
                                 slot_minutes=120),
        "long": make.equipment(base, world.category, world.school, name="F long",
                               min_duration_minutes=120, max_duration_minutes=240),
        "taken": make.equipment(base, world.category, world.school, name="G taken",
                                setup_buffer_minutes=15),
        "dark": make.equipment(base, world.category, world.school, name="H dark"),
        "broken": make.equipment(base, world.category, world.school, name="I broken",
                                 status="maintenance"),
        "retired": make.equipment(base, world.category, world.school, name="J retired",
                                  status="retired"),
    }
    day = _day_after_tomorrow()
    make.reservation(item["taken"], world.users["admin"], _at(day, 9),
                     _at(day, 10) + timedelta(minutes=30), status="confirmed")
    session.add(Blackout(equipment_id=item["dark"].id, starts_at=_at(day, 8),
                         ends_at=_at(day, 12), reason="Calibration",
                         created_by_id=world.users["admin"].id))
    session.commit()
    return base, item


def test_each_item_is_bookable_or_refused_as_booking_it_would_be(client, world, shelf):
    base, item = shelf
    answer = _judge(client, world, "student", base_id=base.id)
    judged = _by_id(answer)
    assert item["retired"].id not in judged
    assert answer["total"] == len(item) - 1
    assert judged[item["plain"].id]["bookable"] is True
    assert judged[item["plain"].id]["status"] == "confirmed"
    assert judged[item["approval"].id]["status"] == "pending"
    codes = {name: (judged[item[name].id]["refusal"] or {}).get("code") for name in item
             if name != "retired"}
    assert codes == {"plain": None, "approval": None, "gated": "qualification_required",
                     "near": "beyond_booking_horizon", "hourly": "not_on_slot_grid",
                     "long": "duration_out_of_range", "taken": "reservation_conflict",
                     "dark": "equipment_blacked_out", "broken": "equipment_unavailable"}
    # Bookable first, then by name.
    assert [e["equipment"]["name"] for e in answer["items"]] == [
        "A plain", "B approval", "C gated", "D near", "E hourly", "F long", "G taken",
        "H dark", "I broken"]
    # Each refusal is exactly the problem POST /reservations answers the caller.
    for name in codes:
        entry = judged[item[name].id]
        assert (entry["starts_at"], entry["ends_at"], entry["timezone"]) == (
            _utc(_at(_day_after_tomorrow(), 10)), _utc(_at(_day_after_tomorrow(), 11)),
            "Asia/Shanghai")
        if entry["refusal"] is None:
            continue
        posted = client.post("/api/v1/reservations", headers=world.headers("student"), json={
            "equipment_id": item[name].id, "starts_at": entry["starts_at"],
            "ends_at": entry["ends_at"]})
        # But the horizon's latest start, which moves with the clock between the two calls.
        assert _still(posted.get_json()) == _still(entry["refusal"]), name
        assert posted.status_code == entry["refusal"]["status"]


def test_each_refusal_carries_its_members_as_documented(client, world, shelf):
    base, item = shelf
    document = client.get("/api/v1/openapi.json").get_json()
    judged = _by_id(_judge(client, world, "student", base_id=base.id))

    def refusal(name):
        problem = judged[item[name].id]["refusal"]
        problem_validator(document).validate(problem)
        return problem

    gated = refusal("gated")
    assert (gated["category_id"], gated["category_code"], gated["category_name"]) == (
        world.category.id, world.category.code, world.category.name)
    assert gated["granted_by"] == [
        {"id": u.id, "full_name": u.full_name, "role": u.role}
        for u in (world.users["instructor"], world.users["admin"])]
    near = refusal("near")
    assert near["booking_horizon_days"] == 1
    latest = datetime.fromisoformat(near["latest_start"])
    assert latest < _at(_day_after_tomorrow(), 10) and near["timezone"] == "Asia/Shanghai"
    # The last start a person can book: on the item's grid (its slot is 30 minutes).
    assert latest.astimezone(SHANGHAI).minute in (0, 30) and latest.second == 0
    assert datetime.now(UTC) + timedelta(days=1) - timedelta(minutes=30) < latest
    assert refusal("hourly")["slot_minutes"] == 120
    assert refusal("hourly")["timezone"] == "Asia/Shanghai"
    assert (refusal("long")["min_duration_minutes"],
            refusal("long")["max_duration_minutes"]) == (120, 240)
    taken = refusal("taken")
    assert taken["timezone"] == "Asia/Shanghai"
    assert datetime.fromisoformat(taken["conflicting_span"]["blocked_until"]) == \
        _at(_day_after_tomorrow(), 10) + timedelta(minutes=45)
    dark = refusal("dark")
    assert datetime.fromisoformat(dark["conflicting_span"]["ends_at"]) == \
        _at(_day_after_tomorrow(), 12)
    assert dark["timezone"] == "Asia/Shanghai"
    assert refusal("broken")["equipment_status"] == "maintenance"


def test_quota_refusals_say_when_the_quota_frees(client, world, shelf, session):
    base, item = shelf
    day = _day_after_tomorrow()
    put_quota(session, organisation_id=world.school.id, role="student", weekly_hours=None,
              active_reservations=1)
    session.commit()
    booked = client.post("/api/v1/reservations", headers=world.headers("student"), json={
        "equipment_id": item["plain"].id, "starts_at": _at(day, 14).isoformat(),
        "ends_at": _at(day, 16).isoformat()})
    assert booked.status_code == 201, booked.get_json()
    problem = _by_id(_judge(client, world, "student"))[item["approval"].id]["refusal"]
    assert (problem["code"], problem["quota"], problem["limit"]) == (
        "quota_exceeded", "active_reservations", 1)
    assert datetime.fromisoformat(problem["frees_at"]) == _at(day, 16)
    assert problem["timezone"] == "Asia/Shanghai"
    put_quota(session, organisation_id=world.school.id, role="student", weekly_hours=2,
              active_reservations=None)
    session.commit()
    weekly = _by_id(_judge(client, world, "student"))[item["approval"].id]["refusal"]
    assert (weekly["quota"], weekly["limit"], weekly["booked_hours"]) == ("weekly_hours", 2, 2)
    monday = day + timedelta(days=7 - day.weekday())
    assert datetime.fromisoformat(weekly["frees_at"]) == _at(monday, 0)


def test_refusals_of_the_base_and_the_offer_name_the_zone(client, make, world, session):
    day = _day_after_tomorrow()
    short = make.base(world.school, opening_hours=[
        {"weekday": d, "opens": time(12), "closes": time(18)} for d in range(1, 8)])
    closed = make.open_base(world.school)
    session.add(Closure(base_id=closed.id, starts_on=day, ends_on=day, reason="Holiday"))
    afternoons = make.equipment(short, world.category, world.school)
    shut = make.equipment(closed, world.category, world.school)
    mornings_off = make.equipment(make.open_base(world.enterprise, kind="enterprise"),
                                  world.category, world.enterprise)
    make.offer(world.enterprise, world.school, [mornings_off],
               created_by=world.users["enterprise_staff"],
               windows=[{"starts_on": day - timedelta(days=1), "ends_on": day + timedelta(days=30),
                         "spans": [(d, time(14), time(18)) for d in range(1, 8)]}])
    session.commit()
    judged = _by_id(_judge(client, world, "student"))
    expected = {afternoons.id: "outside_opening_hours", shut.id: "base_closed",
                mornings_off.id: "outside_offer_window"}
    for item_id, code in expected.items():
        problem = judged[item_id]["refusal"]
        assert (problem["code"], problem["timezone"]) == (code, "Asia/Shanghai")
    assert judged[mornings_off.id]["refusal"]["offer_id"] is not None


def test_who_sees_what_and_what_each_may_book(client, make, world, session):
    school_item, enterprise_item = world.equipment, world.enterprise_equipment
    other_school_item = world.other_equipment
    make.offer(world.enterprise, world.school, [enterprise_item],
               created_by=world.users["enterprise_staff"])
    session.commit()
    # The world's bases open 08:00-18:00 on weekdays: judge a weekday.
    day = _day_after_tomorrow()
    while day.isoweekday() > 5:
        day += timedelta(days=1)

    def seen(role):
        return _by_id(_judge(client, world, role, on=day.isoformat()))

    student = seen("student")
    assert set(student) == {school_item.id, enterprise_item.id}
    assert student[school_item.id]["bookable"] and student[enterprise_item.id]["bookable"]
    assert seen("instructor").keys() == student.keys()
    staff = seen("enterprise_staff")
    assert set(staff) == {enterprise_item.id}  # its own fleet, booked internally
    assert staff[enterprise_item.id]["bookable"] is True
    other_admin = seen("other_admin")
    assert school_item.id not in other_admin and enterprise_item.id not in other_admin
    assert other_admin[other_school_item.id]["bookable"] is True
    operator = seen("operator")
    assert {school_item.id, other_school_item.id} <= set(operator)
    assert {e["refusal"]["code"] for e in operator.values()} == {"role_not_allowed"}


def test_a_span_across_a_dst_change_is_read_in_each_bases_zone(client, make, world, session):
    always = [{"weekday": d, "opens": time(0), "closes": END_OF_DAY} for d in range(1, 8)]
    berlin = make.base(world.school, timezone="Europe/Berlin", opening_hours=always)
    havana = make.base(world.school, timezone="America/Havana", opening_hours=always)
    rules = {"booking_horizon_days": 400, "slot_minutes": 60, "max_duration_minutes": 600}
    in_berlin = make.equipment(berlin, world.category, world.school, **rules)
    in_havana = make.equipment(havana, world.category, world.school, **rules)
    session.commit()
    # Berlin springs from 02:00 to 03:00 on 2027-03-28: 01:00-04:00 lasts two hours.
    spring = _by_id(_judge(client, world, "instructor", on="2027-03-28", base_id=berlin.id,
                           **{"from": "01:00", "to": "04:00"}))[in_berlin.id]
    assert (spring["starts_at"], spring["ends_at"]) == ("2027-03-28T00:00:00+00:00",
                                                        "2027-03-28T02:00:00+00:00")
    assert spring["bookable"] is True and spring["timezone"] == "Europe/Berlin"
    # Havana springs from 00:00 to 01:00 on 2027-03-14: 00:00 does not exist and is read with
    # the offset before the change, which is 01:00 after it.
    night = _by_id(_judge(client, world, "instructor", on="2027-03-14", base_id=havana.id,
                          **{"from": "00:00", "to": "02:00"}))[in_havana.id]
    assert (night["starts_at"], night["ends_at"]) == ("2027-03-14T05:00:00+00:00",
                                                      "2027-03-14T06:00:00+00:00")
    assert night["bookable"] is True


def test_to_24_00_is_the_end_of_the_day(client, make, world, session):
    always = [{"weekday": d, "opens": time(0), "closes": END_OF_DAY} for d in range(1, 8)]
    base = make.base(world.school, opening_hours=always)
    lathe = make.equipment(base, world.category, world.school, slot_minutes=60)
    session.commit()
    day = _day_after_tomorrow()
    entry = _by_id(_judge(client, world, "instructor", base_id=base.id,
                          **{"from": "22:00", "to": "24:00"}))[lathe.id]
    assert (entry["starts_at"], entry["ends_at"]) == (
        _utc(_at(day, 22)), _utc(_at(day + timedelta(days=1), 0)))
    assert entry["bookable"] is True


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "11:00", "to": "10:00"}, "to"),
    ({"from": "10:00", "to": "10:00"}, "to"),
    ({"from": "10:00", "to": "00:00"}, "to"),
    ({"from": "25:00"}, "from"),
    ({"on": "2026-02-30"}, "on"),
    ({"on": None}, "on"),
    ({"category": "NOT A CODE"}, "category"),
])
def test_bad_input_is_a_422_naming_the_field(client, world, query, field):
    sent = {"on": _day_after_tomorrow().isoformat(), "from": "10:00", "to": "11:00", **query}
    response = client.get(URL, headers=world.headers("student"),
                          query_string={k: v for k, v in sent.items() if v is not None})
    assert field in assert_problem(response, 422, "validation_error")["errors"]


def test_a_base_the_caller_does_not_see_is_a_404(client, world):
    for base_id in (world.other_base.id, 2**62):
        response = client.get(URL, headers=world.headers("student"), query_string={
            "on": _day_after_tomorrow().isoformat(), "from": "10:00", "to": "11:00",
            "base_id": base_id})
        assert_problem(response, 404, "not_found")


def test_an_unknown_category_lists_nothing(client, world):
    answer = _judge(client, world, "student", category="no-such-code")
    assert (answer["items"], answer["total"]) == ([], 0)


def test_pages_keep_bookable_items_first(client, world, shelf):
    base, _ = shelf
    first = _judge(client, world, "student", base_id=base.id, page_size=2)
    second = _judge(client, world, "student", base_id=base.id, page_size=2, page=2)
    assert [e["bookable"] for e in first["items"]] == [True, True]
    assert [e["bookable"] for e in second["items"]] == [False, False]
    assert first["total"] == second["total"] == 9


def test_judging_writes_nothing(client, world, shelf, session):
    tables = (Reservation, ReservationEvent, Notification)

    def counts():
        return [session.scalar(select(func.count()).select_from(t)) for t in tables]

    before = counts()
    _judge(client, world, "student")
    _judge(client, world, "instructor")
    assert counts() == before
