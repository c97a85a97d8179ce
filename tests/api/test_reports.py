"""Utilisation reports through HTTP: stored and live periods, roll-ups, CSV, who sees what."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from service.reports.services import build_utilisation_report

from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/reports/utilisation"
WEEK = {"granularity": "day", "from": "2025-03-03", "to": "2025-03-10"}  # Mon..Sun


@pytest.fixture
def given(make, world, session):
    """The school's item (base open weekdays 08:00-18:00, Shanghai) booked Monday 09:00-11:00
    and used 09:00-10:00; a second school item never booked; both listed since 2025-01-01;
    Monday's day is built."""
    monday = date(2025, 3, 3)
    idle = make.equipment(world.base, world.category, world.school)
    for item in (world.equipment, idle):
        item.created_at = datetime(2025, 1, 1, tzinfo=SHANGHAI)
    make.reservation(world.equipment, world.users["student"],
                     datetime.combine(monday, time(9), SHANGHAI),
                     datetime.combine(monday, time(11), SHANGHAI), status="completed",
                     checked_in_at=datetime.combine(monday, time(9), SHANGHAI),
                     checked_out_at=datetime.combine(monday, time(10), SHANGHAI))
    session.commit()
    build_utilisation_report(session, "day", monday)
    return idle


def _rows(response, **where):
    return [r for r in response.get_json()["rows"]
            if all(r[k] == v for k, v in where.items())]


def test_an_admin_sees_stored_days_per_item_of_their_school(client, world, given):
    response = client.get(URL, query_string=WEEK, headers=world.headers("admin"))
    assert response.status_code == 200
    [monday] = _rows(response, period_start="2025-03-03", group_id=world.equipment.id)
    assert monday == {"period_start": "2025-03-03", "group_by": "item",
                      "group_id": world.equipment.id, "group_name": world.equipment.name,
                      "available_hours": 10.0,
                      "booked_hours": 2.0, "used_hours": 1.0, "offered_hours": 0.0,
                      "utilisation": 0.2, "usage": 0.1, "no_shows": 0, "cancellations": 0,
                      "late_cancellations": 0, "lapses": 0, "stored": True}
    [tuesday] = _rows(response, period_start="2025-03-04", group_id=world.equipment.id)
    assert (tuesday["stored"], tuesday["available_hours"]) == (False, 10.0)
    saturday = _rows(response, period_start="2025-03-08", group_id=given.id)
    assert [(r["available_hours"], r["utilisation"]) for r in saturday] == [(0.0, None)]
    ids = {r["group_id"] for r in response.get_json()["rows"]}
    assert ids == {world.equipment.id, given.id}, "only the school's own equipment"


def test_a_roll_up_sums_hours_before_dividing(client, world, given):
    response = client.get(URL, query_string={**WEEK, "group_by": "school", "to": "2025-03-04"},
                          headers=world.headers("admin"))
    [monday] = response.get_json()["rows"]
    assert (monday["group_id"], monday["available_hours"], monday["booked_hours"],
            monday["utilisation"]) == (None, 20.0, 2.0, 0.1)


def test_weeks_are_computed_live_until_built(client, world, given):
    response = client.get(URL, query_string={**WEEK, "granularity": "week",
                                             "group_by": "base"},
                          headers=world.headers("admin"))
    [week] = response.get_json()["rows"]
    assert (week["group_id"], week["available_hours"], week["booked_hours"],
            week["stored"]) == (world.base.id, 100.0, 2.0, False)


def test_csv_gives_one_line_per_period_and_group(client, world, given):
    response = client.get(URL, query_string={**WEEK, "to": "2025-03-04"},
                          headers={**world.headers("admin"), "Accept": "text/csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.get_data().startswith(b"\xef\xbb\xbfperiod_start,group_by,")
    lines = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [(line["group_id"], line["booked_hours"], line["utilisation"]) for line in lines] \
        == [(str(world.equipment.id), "2.00", "0.2000"), (str(given.id), "0.00", "0.0000")]


def test_csv_for_programs_leaves_the_byte_order_mark_out(client, world, given):
    response = client.get(f"{URL}.csv", query_string={**WEEK, "to": "2025-03-04",
                                                      "bom": "false"},
                          headers=world.headers("admin"))
    assert response.status_code == 200
    assert response.get_data().startswith(b"period_start,group_by,group_id,")
    assert response.headers["Content-Language"] == "en"


@pytest.mark.parametrize("bom", ["no", "0", "TRUE", ""])
def test_a_bom_other_than_true_or_false_is_422(client, world, given, bom):
    response = client.get(f"{URL}.csv", query_string={**WEEK, "bom": bom},
                          headers=world.headers("admin"))
    assert_problem(response, 422, "validation_error")
    assert "bom" in response.get_json()["errors"]


@pytest.mark.parametrize("language", ["zh-CN", "zh", "zh-CN,zh;q=0.9,en;q=0.8"])
def test_a_chinese_reader_gets_chinese_headers(client, world, given, language):
    response = client.get(f"{URL}.csv", query_string={**WEEK, "to": "2025-03-04"},
                          headers={**world.headers("admin"), "Accept-Language": language})
    assert response.status_code == 200
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff期间开始,分组方式,分组编号,分组名称,可用小时,预约小时,")
    assert response.headers["Content-Language"] == "zh-Hans"
    [header, first, *_] = csv.reader(io.StringIO(text[1:]))
    assert first[:3] == ["2025-03-03", "item", str(world.equipment.id)], "values stay as are"


@pytest.mark.parametrize("language", ["en-GB", "de", "zh-TW", "en,zh;q=0.5"])
def test_other_readers_get_english_headers(client, world, given, language):
    response = client.get(f"{URL}.csv", query_string={**WEEK, "to": "2025-03-04"},
                          headers={**world.headers("admin"), "Accept-Language": language})
    assert response.get_data().decode("utf-8-sig").startswith("period_start,")
    assert response.headers["Content-Language"] == "en"


def test_enterprise_staff_see_only_their_own_equipment(client, world, given):
    response = client.get(URL, query_string=WEEK, headers=world.headers("enterprise_staff"))
    assert response.status_code == 200
    assert {r["group_id"] for r in response.get_json()["rows"]} <= {
        world.enterprise_equipment.id}
    other = client.get(URL, query_string={**WEEK, "owner_id": world.school.id},
                       headers=world.headers("enterprise_staff"))
    assert other.get_json()["rows"] == []


def test_nothing_was_available_before_an_item_was_listed(client, world, given, session):
    """An item listed on 2025-03-04 (never booked before) has no hours on the 3rd."""
    given.created_at = datetime(2025, 3, 4, tzinfo=SHANGHAI)
    session.commit()
    response = client.get(URL, query_string={**WEEK, "to": "2025-03-05"},
                          headers=world.headers("admin"))
    rows = {(r["period_start"], r["group_id"]): r for r in response.get_json()["rows"]}
    tuesday = rows[("2025-03-04", given.id)]
    assert (tuesday["available_hours"], tuesday["utilisation"]) == (10.0, 0.0)
    # Monday is a built day: it was built when the item counted as listed since January.
    assert rows[("2025-03-03", given.id)]["stored"] is True
    live_monday = client.get(URL, query_string={"from": "1970-01-01", "to": "1970-01-02",
                                                "group_by": "school"},
                             headers=world.headers("admin")).get_json()["rows"]
    assert [(r["available_hours"], r["utilisation"]) for r in live_monday] == [(0.0, None)]


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_students_and_instructors_get_403(client, world, given, role):
    response = client.get(URL, query_string=WEEK, headers=world.headers(role))
    assert_problem(response, 403, "not_reporting")
    assert_problem(client.get("/api/v1/reports/runs", headers=world.headers(role)), 403,
                   "not_reporting")


def test_signed_out_gets_401(client, given):
    assert client.get(URL, query_string=WEEK).status_code == 401


@pytest.mark.parametrize("query", [
    {**WEEK, "to": "2025-03-03"}, {**WEEK, "granularity": "year"},
    {**WEEK, "group_by": "room"}, {**WEEK, "to": "2026-12-31"}, {"granularity": "day"},
])
def test_bad_queries_are_422(client, world, query):
    assert client.get(URL, query_string=query, headers=world.headers("admin")).status_code \
        == 422


def test_runs_list_the_builds(client, world, given):
    query = {"sort": "-id", "granularity": "day"}
    response = client.get("/api/v1/reports/runs", headers=world.headers("operator"),
                          query_string=query)
    assert response.status_code == 200
    [latest, *_] = response.get_json()["items"]
    assert (latest["period_start"], latest["status"], latest["trigger"]) \
        == ("2025-03-03", "succeeded", "schedule")
    assert latest["rows"] >= 2
    # A build covers the platform: an organisation's admin is not told how many items it has.
    [seen, *_] = client.get("/api/v1/reports/runs", headers=world.headers("admin"),
                            query_string=query).get_json()["items"]
    assert {**seen, "rows": latest["rows"]} == latest and seen["rows"] is None


def test_a_failed_builds_error_text_is_for_operators(client, world, session):
    from service.reports.models import ReportRun

    session.add(ReportRun(granularity="day", period_start=date(2025, 3, 4), trigger="schedule",
                          status="failed", started_at=datetime(2025, 3, 5, tzinfo=SHANGHAI),
                          error="psycopg.errors.DiskFull: could not extend file base/16384"))
    session.commit()
    query = {"status": "failed"}
    [operator] = client.get("/api/v1/reports/runs", headers=world.headers("operator"),
                            query_string=query).get_json()["items"]
    [admin] = client.get("/api/v1/reports/runs", headers=world.headers("other_admin"),
                         query_string=query).get_json()["items"]
    assert "DiskFull" in operator["error"]
    assert admin["error"] == "The build failed." and admin["id"] == operator["id"]


# Whose equipment each actor's report shows: its own organisation's, nobody else's.
OWN_EQUIPMENT = {
    "admin": lambda w, idle: {w.equipment.id, idle.id},
    "other_admin": lambda w, idle: {w.other_equipment.id},
    "enterprise_staff": lambda w, idle: {w.enterprise_equipment.id},
    "manager": lambda w, idle: {w.enterprise_equipment.id},
    "other_staff": lambda w, idle: {w.other_enterprise_equipment.id},
    "other_manager": lambda w, idle: {w.other_enterprise_equipment.id},
}


@pytest.mark.parametrize("role", sorted(OWN_EQUIPMENT))
def test_each_organisation_reports_on_its_own_equipment_only(client, world, given, role):
    response = client.get(URL, query_string=WEEK, headers=world.headers(role))
    assert response.status_code == 200, response.get_json()
    rows = response.get_json()["rows"]
    assert {r["group_id"] for r in rows} <= OWN_EQUIPMENT[role](world, given)
    # The booked Monday of school A's item is nobody else's business.
    assert all(r["booked_hours"] == 0.0 for r in rows
               if r["group_id"] != world.equipment.id)
    foreign = client.get(URL, query_string={**WEEK, "owner_id": world.school.id},
                         headers=world.headers(role)).get_json()["rows"]
    assert (foreign != []) == (role == "admin")


@pytest.mark.parametrize("role", ["other_student", "other_instructor"])
def test_the_other_schools_students_and_instructors_get_403_too(client, world, given, role):
    assert_problem(client.get(URL, query_string=WEEK, headers=world.headers(role)), 403,
                   "not_reporting")


@pytest.mark.parametrize("group_by", ["item", "kind", "school"])
def test_the_answer_is_what_the_documented_schema_dumps(client, world, given, session,
                                                        group_by):
    """The JSON is written without marshmallow (a hot read): it must be the schema's dump."""
    from service.reports.queries import utilisation
    from service.reports.schemas import UtilisationSchema

    query = {**WEEK, "group_by": group_by}
    response = client.get(URL, query_string=query, headers=world.headers("admin"))
    document = utilisation(session, world.users["admin"], granularity="day",
                           from_=date(2025, 3, 3), to=date(2025, 3, 10), group_by=group_by,
                           max_days=366)
    assert {r["stored"] for r in document["rows"]} == {True, False}  # both paths are here
    assert response.get_json() == UtilisationSchema().dump(document)


def test_an_answer_from_built_periods_is_kept_until_a_rebuild(client, world, given, session):
    """Built rows change only by a rebuild (a new run): the kept answer sees that at once."""
    from service.reports.models import UtilisationRow

    query = {**WEEK, "to": "2025-03-04"}  # Monday only: a built day
    first = client.get(URL, query_string=query, headers=world.headers("admin"))
    assert first.get_json()["rows"][0]["stored"] is True
    # A change under the rows that no build made is not seen (nothing but a build writes
    # them)...
    session.execute(UtilisationRow.__table__.update().values(booked_hours=5))
    session.commit()
    assert client.get(URL, query_string=query, headers=world.headers("admin")).data == first.data
    # ... and a rebuild is seen at once.
    build_utilisation_report(session, "day", date(2025, 3, 3), trigger="rebuild")
    again = client.get(URL, query_string=query, headers=world.headers("admin")).get_json()
    assert [r["booked_hours"] for r in again["rows"]] == [2.0, 0.0]
    # Another organisation's question is its own.
    other = client.get(URL, query_string=query, headers=world.headers("other_admin"))
    assert {r["group_id"] for r in other.get_json()["rows"]} <= {world.other_equipment.id}


def test_answers_with_a_period_computed_now_are_never_kept(client, world, given, session):
    query = {**WEEK, "granularity": "week", "group_by": "school"}  # the week is not built
    from service.reservations.models import Reservation

    before = client.get(URL, query_string=query, headers=world.headers("admin")).get_json()
    # The week under way changes as soon as a reservation does.
    session.execute(Reservation.__table__.update().where(
        Reservation.equipment_id == world.equipment.id).values(status="cancelled"))
    session.commit()
    after = client.get(URL, query_string=query, headers=world.headers("admin")).get_json()
    assert before["rows"][0]["booked_hours"] == 2.0
    assert after["rows"][0]["booked_hours"] == 0.0


def test_an_answer_reads_which_periods_are_built_once(client, world, given, session):
    """The question (scope, built runs, zones) is read once, not once for the kept answer's
    key and again for the answer."""
    from sqlalchemy import event

    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(URL, query_string=WEEK, headers=world.headers("admin"))
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert response.status_code == 200
    assert len(response.get_json()["rows"]) == 2 * 7
    assert sum("FROM report_runs" in s for s in statements) == 1, statements
    assert sum("DISTINCT training_bases.timezone" in s for s in statements) == 1, statements
