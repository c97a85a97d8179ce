"""A school's view of partner equipment: what its people booked and used of the enterprises' items
offered to it, kept apart from what it owns, and nothing of anyone else's."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from service.outcomes.models import Outcome

from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/reports/partner-equipment"
UTILISATION = "/api/v1/reports/utilisation"
WEEK = {"from": "2025-03-03", "to": "2025-03-10"}


def _at(day: int, hour: int) -> datetime:
    return datetime.combine(date(2025, 3, day), time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def partnered(make, world, session):
    """The enterprise offers its lathe to school A, Mon-Fri 09:00-12:00 of the week of 3 March
    (15 h); A's student books Monday 09:00-11:00 (used 09:00-10:00, an outcome recorded) and
    Wednesday 10:00-11:00 (a no-show). The other enterprise offers its item to school B, whose
    student books it; A's student also books A's own item."""
    week = [{"starts_on": date(2025, 3, 3), "ends_on": date(2025, 3, 9),
             "spans": [(d, time(9), time(12)) for d in range(1, 6)]}]
    lathe = world.enterprise_equipment
    offer = make.offer(world.enterprise, world.school, [lathe],
                       created_by=world.users["enterprise_staff"], windows=week)
    student = world.users["student"]
    used = make.reservation(lathe, student, _at(3, 9), _at(3, 11), offer=offer,
                            checked_in_at=_at(3, 9), checked_out_at=_at(3, 10))
    session.add(Outcome(reservation_id=used.id, author_id=student.id, trainee_count=1,
                        hours=1, result="Faced a shaft."))
    make.reservation(lathe, student, _at(5, 10), _at(5, 11), offer=offer, status="no_show")
    others = make.offer(world.other_enterprise, world.other_school,
                        [world.other_enterprise_equipment],
                        created_by=world.users["other_staff"], windows=week)
    make.reservation(world.other_enterprise_equipment, world.users["other_student"],
                     _at(4, 9), _at(4, 12), offer=others,
                     checked_in_at=_at(4, 9))
    make.reservation(world.equipment, student, _at(4, 14), _at(4, 16),
                     checked_in_at=_at(4, 14))
    session.commit()
    world.extra["offer"] = offer
    return world


FIGURES = {"hours_offered": 15.0, "hours_booked": 3.0, "hours_used": 1.0, "utilisation": 0.2,
           "sessions": 1, "no_shows": 1, "outcomes_received": 1}


def test_a_school_admin_sees_its_peoples_hours_on_partner_equipment_per_offer(client,
                                                                              partnered):
    w = partnered
    response = client.get(URL, query_string=WEEK, headers=w.headers("admin"))
    body = response.get_json()
    assert response.status_code == 200, body
    offer = w.extra["offer"]
    assert body == {"from": "2025-03-03", "to": "2025-03-10", "school_id": w.school.id,
                    "group_by": "offer", "granularity": None, "totals": FIGURES,
                    "rows": [{"period_start": "2025-03-03", "group_by": "offer",
                              "group_id": offer.id,
                              "group_name": f"Offer {offer.id} of {w.enterprise.name}",
                              "enterprise_id": w.enterprise.id, **FIGURES}]}


@pytest.mark.parametrize("group_by", ["item", "enterprise", "category"])
def test_the_partner_hours_group_by_item_enterprise_and_category(client, partnered, group_by):
    w = partnered
    response = client.get(URL, query_string={**WEEK, "group_by": group_by},
                          headers=w.headers("admin"))
    assert response.status_code == 200, response.get_json()
    [row] = response.get_json()["rows"]
    expected = {"item": (w.enterprise_equipment.id, w.enterprise_equipment.name),
                "enterprise": (w.enterprise.id, w.enterprise.name),
                "category": (w.category.id, w.category.name)}[group_by]
    assert (row["group_id"], row["group_name"]) == expected
    assert {k: row[k] for k in FIGURES} == FIGURES
    assert row["enterprise_id"] == (None if group_by == "category" else w.enterprise.id)


def test_partner_equipment_is_kept_apart_from_the_schools_own(client, partnered):
    """The school's utilisation report speaks of its own item only; the partner report of the
    enterprise's item only."""
    w = partnered
    own = client.get(UTILISATION, query_string={**WEEK, "granularity": "week"},
                     headers=w.headers("admin")).get_json()["rows"]
    assert {r["group_id"] for r in own} == {w.equipment.id}
    assert own[0]["booked_hours"] == 2.0
    partner = client.get(URL, query_string={**WEEK, "group_by": "item"},
                         headers=w.headers("admin")).get_json()["rows"]
    assert [r["group_id"] for r in partner] == [w.enterprise_equipment.id]


def test_the_other_school_sees_only_what_its_own_partner_gave_it(client, partnered):
    w = partnered
    body = client.get(URL, query_string={**WEEK, "group_by": "enterprise"},
                      headers=w.headers("other_admin")).get_json()
    assert [(r["group_id"], r["hours_booked"], r["hours_used"]) for r in body["rows"]] == [
        (w.other_enterprise.id, 3.0, 3.0)]


def test_a_school_with_no_partner_gets_empty_rows_and_zero_totals(client, make, world):
    lonely = make.organisation("school")
    admin = make.user("admin", lonely)
    response = client.get(URL, query_string=WEEK,
                          headers={"Authorization": f"Bearer {make.token(admin)}"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["rows"] == []
    assert response.get_json()["totals"] == {
        "hours_offered": 0.0, "hours_booked": 0.0, "hours_used": 0.0, "utilisation": None,
        "sessions": 0, "no_shows": 0, "outcomes_received": 0}


def test_the_partner_hours_per_day(client, partnered):
    w = partnered
    response = client.get(URL, query_string={**WEEK, "granularity": "day",
                                             "group_by": "enterprise"},
                          headers=w.headers("admin"))
    body = response.get_json()
    assert response.status_code == 200, body
    by_day = {r["period_start"]: (r["hours_offered"], r["hours_booked"], r["hours_used"])
              for r in body["rows"]}
    assert by_day == {"2025-03-03": (3.0, 2.0, 1.0), "2025-03-04": (3.0, 0.0, 0.0),
                      "2025-03-05": (3.0, 1.0, 0.0), "2025-03-06": (3.0, 0.0, 0.0),
                      "2025-03-07": (3.0, 0.0, 0.0), "2025-03-08": (0.0, 0.0, 0.0),
                      "2025-03-09": (0.0, 0.0, 0.0)}, "every day the offer's window holds"
    assert body["totals"] == FIGURES


@pytest.mark.parametrize("how", ["accept", "suffix"])
def test_the_partner_report_as_csv(client, partnered, how):
    w = partnered
    url, headers = URL, {**w.headers("admin"), "Accept": "text/csv"}
    if how == "suffix":
        url, headers = URL + ".csv", w.headers("admin")
    response = client.get(url, query_string={**WEEK, "group_by": "item"}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith("\ufeff".encode())  # the spreadsheet's byte-order mark
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["group_id"], r["hours_offered"], r["hours_booked"], r["hours_used"],
             r["outcomes_received"]) for r in rows] == [
        (str(w.enterprise_equipment.id), "15.00", "3.00", "1.00", "1")]


@pytest.mark.parametrize("role", ["student", "instructor", "enterprise_staff", "manager",
                                  "operator"])
def test_only_a_schools_admins_read_the_partner_report(client, partnered, role):
    assert_problem(client.get(URL, query_string=WEEK, headers=partnered.headers(role)), 403,
                   "not_school_admin")


def test_a_span_too_long_or_reversed_is_422(client, partnered):
    headers = partnered.headers("admin")
    assert "to" in assert_problem(client.get(URL, query_string={
        "from": "2025-03-10", "to": "2025-03-03"}, headers=headers), 422,
        "validation_error")["errors"]
    assert "to" in assert_problem(client.get(URL, query_string={
        "from": "2024-01-01", "to": "2025-03-03"}, headers=headers), 422,
        "validation_error")["errors"]


def test_an_enterprise_reads_nothing_of_a_schools_own_equipment(client, partnered):
    w = partnered
    response = client.get(UTILISATION, query_string={**WEEK, "granularity": "week",
                                                     "owner_id": w.school.id},
                          headers=w.headers("enterprise_staff"))
    assert response.status_code == 200
    assert response.get_json()["rows"] == []
    own = client.get(UTILISATION, query_string={**WEEK, "granularity": "week"},
                     headers=w.headers("enterprise_staff")).get_json()["rows"]
    assert {r["group_id"] for r in own} == {w.enterprise_equipment.id}
