"""Internal reservations: an enterprise's staff book their own equipment for their own use, through
the same engine (and endpoint) as a school's members, and nobody outside learns who holds it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from .bookings import SHANGHAI, body, post
from .problems import assert_problem


def _tuesday(hour: int, weeks_ahead: int = 1) -> datetime:
    today = datetime.now(SHANGHAI).date()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 + 7 * weeks_ahead)
    return datetime.combine(tuesday, time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def fleet(make, world, session):
    """E1's floor (open daily 06:00-22:00): a machine offered to school A on Tuesdays
    09:00-12:00, and one never offered that needs a qualification and approval."""
    floor = make.open_base(world.enterprise, kind="enterprise")
    offered = make.equipment(floor, world.category, world.enterprise, booking_horizon_days=60)
    unoffered = make.equipment(floor, world.category, world.enterprise, booking_horizon_days=60,
                               requires_qualification=True, requires_approval=True)
    today = date.today()
    make.offer(world.enterprise, world.school, [offered],
               created_by=world.users["manager"], weekly_hours_budget=10,
               windows=[{"starts_on": today, "ends_on": today + timedelta(days=90),
                         "spans": [(2, time(9), time(12))]}])
    session.commit()
    world.extra.update(offered=offered, unoffered=unoffered)
    return world


def test_enterprise_staff_book_their_never_offered_item_outside_any_offer(client, fleet):
    """In the base's opening hours, under no offer; its own rules (approval) still hold, and
    its staff need no qualification on their own machine."""
    response = post(client, fleet, "enterprise_staff",
                    body(fleet.extra["unoffered"], _tuesday(18), hours=2, purpose="Fixture"))
    reservation = response.get_json()
    assert response.status_code == 201, reservation
    assert (reservation["holder_id"], reservation["offer_id"], reservation["status"]) == (
        fleet.users["enterprise_staff"].id, None, "pending")


def test_enterprise_staff_book_their_offered_item_outside_the_offers_windows(client, fleet):
    response = post(client, fleet, "manager", body(fleet.extra["offered"], _tuesday(15)))
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["status"], response.get_json()["offer_id"]) == (
        "confirmed", None)


def test_an_internal_reservation_keeps_the_engines_promises(client, fleet):
    """Opening hours, the exclusion constraint and idempotency apply as to anyone."""
    item = fleet.extra["offered"]
    assert_problem(post(client, fleet, "enterprise_staff", body(item, _tuesday(23))), 422,
                   "outside_opening_hours")
    first = post(client, fleet, "enterprise_staff", body(item, _tuesday(15)),
                 **{"Idempotency-Key": "internal-1"})
    again = post(client, fleet, "enterprise_staff", body(item, _tuesday(15)),
                 **{"Idempotency-Key": "internal-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert_problem(post(client, fleet, "manager", body(item, _tuesday(15))), 409,
                   "reservation_conflict")


@pytest.mark.parametrize("role", ["other_staff", "other_manager"])
def test_another_enterprises_staff_cannot_book_it(client, fleet, role):
    problem = assert_problem(post(client, fleet, role, body(fleet.extra["unoffered"],
                                                            _tuesday(15))), 403,
                             "not_your_equipment")
    assert problem["errors"] == {"equipment_id": ["Not your organisation's."]}


def test_a_student_sees_an_internal_booking_as_taken_but_never_who_holds_it(client, fleet):
    item = fleet.extra["offered"]
    booked = post(client, fleet, "enterprise_staff", body(item, _tuesday(10)))
    assert booked.status_code == 201, booked.get_json()
    window = {"from": _tuesday(0).isoformat(), "to": _tuesday(0, weeks_ahead=1).replace(
        hour=23).isoformat()}
    path = f"/api/v1/equipment/{item.id}/availability"
    seen = client.get(path, query_string=window, headers=fleet.headers("student"))
    assert seen.status_code == 200, seen.get_json()
    [busy] = seen.get_json()["busy"]
    assert busy["kind"] == "reservation" and busy["status"] == "confirmed"
    assert not {"holder_id", "holder_name", "reservation_id"} & busy.keys()
    # a school's admin does not either; the enterprise's own people do
    [admin_view] = client.get(path, query_string=window,
                              headers=fleet.headers("admin")).get_json()["busy"]
    assert "holder_id" not in admin_view
    [own] = client.get(path, query_string=window,
                       headers=fleet.headers("manager")).get_json()["busy"]
    assert own["holder_id"] == fleet.users["enterprise_staff"].id
    # and a student trying the taken hour is told the span, not the holder
    problem = assert_problem(post(client, fleet, "student", body(item, _tuesday(10))), 409,
                             "reservation_conflict")
    assert "reservation_id" not in problem["conflicting_span"]
    listed = client.get("/api/v1/reservations", headers=fleet.headers("student")).get_json()
    assert listed["total"] == 0
