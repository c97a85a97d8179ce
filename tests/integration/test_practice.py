"""Practice hours from SQL agree with a plain Python oracle: Berlin's daylight-saving nights,
period boundaries, holder and attendee time counted once, only students, only check-ins."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.calendar import wallclock
from service.calendar.spans import clip, merge
from service.calendar.statuses import USED
from service.calendar.wallclock import END_OF_DAY, at_local
from service.errors import DomainError
from service.practice.queries import period_starts, practice_hours
from service.reservations.models import ReservationAttendee

TZ = "Europe/Berlin"


def berlin(y, m, d, hh, mm=0) -> datetime:
    return at_local(date(y, m, d), time(hh, mm), TZ)


def _hours(spans) -> Decimal:
    seconds = sum(int((e - s).total_seconds()) for s, e in merge(spans))
    return (Decimal(seconds) / 3600).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def oracle(plan, granularity, from_, to) -> dict:
    """The definition read literally: (student, category, period) -> (hours, sessions)."""
    spans: dict = {}
    for r in plan:
        if r["status"] not in USED or r["checked_in"] is None:
            continue
        end = r["checked_out"] or r["ends"]
        practised = []
        if r["holder"] in r["students"]:
            practised.append((r["holder"], r["checked_in"], max(r["checked_in"], end)))
        for user, checked_in in r["attendees"]:
            if user in r["students"] and checked_in is not None:
                start = max(checked_in, r["checked_in"])
                practised.append((user, start, max(start, end)))
        for student, start, stop in practised:
            # Used time lies inside the booked span (docs/reports.md#used).
            start, stop = max(start, r["starts"]), min(stop, r["ends"])
            if start >= stop:
                continue
            for first in period_starts(from_, to, granularity):
                last = wallclock.period_end(first, granularity)
                piece = clip([(start, stop)], at_local(first, time(0), r["tz"]),
                             at_local(last, time(0), r["tz"]))
                piece = [(s, e) for s, e in piece if s < e]
                if piece:
                    entry = spans.setdefault((student, r["category"], first), ([], set()))
                    entry[0].extend(piece)
                    entry[1].add(r["id"])
    return {key: (float(_hours(found)), len(ids)) for key, (found, ids) in spans.items()}


def observed(document) -> dict:
    return {(row["student_id"], row["category"], row["period_start"]):
            (row["hours"], row["sessions"]) for row in document["rows"]}


class Stage:
    """A school, its students and instructor, Berlin items in two categories."""

    def __init__(self, make, world):
        self.make = make
        self.school = make.organisation("school")
        self.students = [make.user("student", self.school, full_name=f"Student {i}")
                         for i in range(3)]
        self.instructor = make.user("instructor", self.school)
        self.admin = make.user("admin", self.school)
        # Open around the clock: these sessions run through the night (practice counts only
        # available hours, docs/reports.md#used; the agreement test cuts at opening hours).
        self.base = make.base(self.school, timezone=TZ, opening_hours=[
            {"weekday": d, "opens": time(0), "closes": END_OF_DAY} for d in range(1, 8)])
        self.categories = [make.category(), make.category()]
        self.items = [make.equipment(self.base, c, self.school) for c in self.categories
                      for _ in range(2)]
        self.plan: list[dict] = []

    def item(self, category: int):
        """A fresh item: reservations staged straight to the table must not overlap on one."""
        return self.make.equipment(self.base, self.categories[category], self.school)

    def reserve(self, item, holder, starts, ends, *, status="completed", checked_in=None,
                checked_out=None, attendees=()):
        reservation = self.make.reservation(item, holder, starts, ends, status=status,
                                            checked_in_at=checked_in,
                                            checked_out_at=checked_out)
        reservation.attendees = [ReservationAttendee(user_id=u.id, checked_in_at=at)
                                 for u, at in attendees]
        self.make.session.flush()
        self.plan.append({"id": reservation.id, "holder": holder.id, "status": status,
                          "starts": starts, "ends": ends, "checked_in": checked_in,
                          "checked_out": checked_out,
                          "attendees": [(u.id, at) for u, at in attendees], "tz": TZ,
                          "category": item.category.code,
                          "students": {s.id for s in self.students}})
        return reservation

    def report(self, session, granularity, from_, to, actor=None, **filters):
        return practice_hours(session, actor or self.admin, from_=from_, to=to,
                              granularity=granularity, max_days=366, **filters)


@pytest.fixture
def stage(make, world, session):
    """An empty Berlin school ready for schedules."""
    staged = Stage(make, world)
    session.commit()
    return staged


def test_a_session_across_berlins_spring_night_is_split_at_local_midnight(stage, session):
    student = stage.students[0]
    # Saturday 22:00 to Sunday 04:00: the Sunday lost its 02:00-03:00.
    stage.reserve(stage.items[0], student, berlin(2027, 3, 27, 22), berlin(2027, 3, 28, 4),
                  checked_in=berlin(2027, 3, 27, 22))
    code = stage.items[0].category.code
    daily = observed(stage.report(session, "day", date(2027, 3, 27), date(2027, 3, 29)))
    assert daily == {(student.id, code, date(2027, 3, 27)): (2.0, 1),
                     (student.id, code, date(2027, 3, 28)): (3.0, 1)}
    weekly = observed(stage.report(session, "week", date(2027, 3, 22), date(2027, 3, 29)))
    assert weekly == {(student.id, code, date(2027, 3, 22)): (5.0, 1)}
    assert daily == oracle(stage.plan, "day", date(2027, 3, 27), date(2027, 3, 29))


def test_autumn_sunday_has_25_hours_and_weeks_split_at_monday_midnight(stage, session):
    student = stage.students[1]
    # Sunday 2027-10-31 00:00 to Monday 02:00 local: 25 hours on Sunday, 2 on Monday.
    stage.reserve(stage.items[1], student, berlin(2027, 10, 31, 0), berlin(2027, 11, 1, 2),
                  checked_in=berlin(2027, 10, 31, 0))
    code = stage.items[1].category.code
    weekly = observed(stage.report(session, "week", date(2027, 10, 25), date(2027, 11, 8)))
    assert weekly == {(student.id, code, date(2027, 10, 25)): (25.0, 1),
                      (student.id, code, date(2027, 11, 1)): (2.0, 1)}
    monthly = observed(stage.report(session, "month", date(2027, 10, 1), date(2027, 12, 1)))
    assert monthly == {(student.id, code, date(2027, 10, 1)): (25.0, 1),
                       (student.id, code, date(2027, 11, 1)): (2.0, 1)}
    assert monthly == oracle(stage.plan, "month", date(2027, 10, 1), date(2027, 12, 1))


def test_holder_and_attendee_time_at_once_counts_once(stage, session):
    student, other = stage.students[0], stage.students[1]
    lathe, mill = stage.items[0], stage.items[1]  # one category
    # Holds 10:00-12:00, checked out at 11:30.
    stage.reserve(lathe, student, berlin(2027, 5, 3, 10), berlin(2027, 5, 3, 12),
                  checked_in=berlin(2027, 5, 3, 10), checked_out=berlin(2027, 5, 3, 11, 30))
    # Attends a class 11:00-13:00 checked in at 11:05 and never checked out; the student is
    # checked in at 11:10, the other student before the class was (counted from 11:05).
    stage.reserve(mill, stage.instructor, berlin(2027, 5, 3, 11), berlin(2027, 5, 3, 13),
                  status="checked_in", checked_in=berlin(2027, 5, 3, 11, 5),
                  attendees=[(student, berlin(2027, 5, 3, 11, 10)),
                             (other, berlin(2027, 5, 3, 10, 50))])
    code = lathe.category.code
    found = observed(stage.report(session, "day", date(2027, 5, 3), date(2027, 5, 4)))
    assert found == {(student.id, code, date(2027, 5, 3)): (3.0, 2),
                     (other.id, code, date(2027, 5, 3)): (round(115 / 60, 4), 1)}
    assert found == oracle(stage.plan, "day", date(2027, 5, 3), date(2027, 5, 4))


def test_only_checked_in_students_count(stage, session):
    student, absent = stage.students[0], stage.students[2]
    day = date(2027, 5, 4)
    # An instructor's own practice is not a student's; an attendee never checked in has none.
    stage.reserve(stage.item(1), stage.instructor, berlin(2027, 5, 4, 9),
                  berlin(2027, 5, 4, 10), checked_in=berlin(2027, 5, 4, 9),
                  attendees=[(absent, None)])
    for status in ("confirmed", "cancelled", "no_show", "pending"):
        stage.reserve(stage.item(1), student, berlin(2027, 5, 4, 11), berlin(2027, 5, 4, 12),
                      status=status, checked_in=berlin(2027, 5, 4, 11))
    stage.reserve(stage.item(1), student, berlin(2027, 5, 4, 14), berlin(2027, 5, 4, 15),
                  status="completed", checked_in=None)  # completed but no check-in: nothing
    assert stage.report(session, "day", day, day + timedelta(days=1))["rows"] == []


def test_rows_per_category_and_filters(stage, session):
    student, other = stage.students[0], stage.students[1]
    cnc, printer = stage.items[0], stage.items[2]
    stage.reserve(cnc, student, berlin(2027, 6, 1, 9), berlin(2027, 6, 1, 10),
                  checked_in=berlin(2027, 6, 1, 9))
    stage.reserve(printer, student, berlin(2027, 6, 1, 11), berlin(2027, 6, 1, 13),
                  checked_in=berlin(2027, 6, 1, 11, 30))
    stage.reserve(printer, other, berlin(2027, 6, 2, 11), berlin(2027, 6, 2, 12),
                  checked_in=berlin(2027, 6, 2, 11))
    june = (date(2027, 6, 1), date(2027, 7, 1))
    every = stage.report(session, "month", *june)
    assert observed(every) == {(student.id, cnc.category.code, june[0]): (1.0, 1),
                               (student.id, printer.category.code, june[0]): (1.5, 1),
                               (other.id, printer.category.code, june[0]): (1.0, 1)}
    assert observed(every) == oracle(stage.plan, "month", *june)
    assert {r["student_name"] for r in every["rows"]} == {"Student 0", "Student 1"}
    only = stage.report(session, "month", *june, category=printer.category.code,
                        student_id=other.id)
    assert observed(only) == {(other.id, printer.category.code, june[0]): (1.0, 1)}
    assert stage.report(session, "month", *june, category="no-such-code")["rows"] == []


def test_staff_see_their_school_a_student_themselves(stage, session, world):
    student = stage.students[0]
    stage.reserve(stage.items[0], student, berlin(2027, 6, 1, 9), berlin(2027, 6, 1, 10),
                  checked_in=berlin(2027, 6, 1, 9))
    june = (date(2027, 6, 1), date(2027, 6, 2))
    assert len(stage.report(session, "day", *june, actor=stage.instructor)["rows"]) == 1
    assert stage.report(session, "day", *june, actor=world.users["instructor"])["rows"] == []
    assert stage.report(session, "day", *june, actor=world.users["admin"],
                        student_id=student.id)["rows"] == []
    assert len(stage.report(session, "day", *june, actor=student)["rows"]) == 1
    assert stage.report(session, "day", *june, actor=stage.students[1])["rows"] == []
    with pytest.raises(DomainError) as caught:
        stage.report(session, "day", *june, actor=stage.students[1], student_id=student.id)
    assert caught.value.code == "own_practice_only"
    with pytest.raises(DomainError) as caught:
        stage.report(session, "day", *june, actor=world.users["enterprise_staff"])
    assert caught.value.code == "not_reporting"
    with pytest.raises(DomainError) as caught:
        stage.report(session, "day", *june, actor=world.users["operator"], student_id=student.id)
    assert caught.value.code == "no_personal_figures"
    schools = stage.report(session, "day", *june, actor=world.users["operator"])
    mine = [row for row in schools["rows"] if row["school_id"] == student.organisation_id]
    assert [(row["students"], row["hours"], row["sessions"]) for row in mine] == [(1, 1.0, 1)]
    assert all("student_id" not in row for row in schools["rows"])


def test_a_report_longer_than_the_limit_is_refused(stage, session):
    with pytest.raises(DomainError) as caught:
        practice_hours(session, stage.admin, from_=date(2027, 1, 1), to=date(2027, 2, 1),
                       granularity="day", max_days=30)
    assert caught.value.status == 422 and caught.value.errors == {
        "to": ["At most 30 days after from."]}


# Around Berlin's spring (2027-03-28) and autumn (2027-10-31) changes, at a month's end.
DAYS = st.one_of(st.dates(date(2027, 3, 24), date(2027, 4, 2)),
                 st.dates(date(2027, 10, 27), date(2027, 11, 3)))
STATUSES = ("checked_in", "completed", "confirmed", "cancelled", "no_show")


@st.composite
def schedules(draw):
    origin = datetime.combine(draw(DAYS), time(0), tzinfo=UTC) + timedelta(
        minutes=15 * draw(st.integers(0, 95)))
    reservations = []
    for _ in range(draw(st.integers(1, 6))):
        starts = origin + timedelta(minutes=15 * draw(st.integers(0, 200)))
        ends = starts + timedelta(minutes=15 * draw(st.integers(1, 120)))
        checked_in = starts + timedelta(minutes=15 * draw(st.integers(-1, 3)))
        checked_out = draw(st.one_of(st.none(), st.integers(0, 130).map(
            lambda q, ci=checked_in: ci + timedelta(minutes=15 * q))))
        reservations.append({
            "item": draw(st.integers(0, 3)), "holder": draw(st.integers(0, 3)),  # 3: staff
            "starts": starts, "ends": ends, "status": draw(st.sampled_from(STATUSES)),
            "checked_in": checked_in if draw(st.integers(0, 5)) else None,
            "checked_out": checked_out,
            "attendees": {who: starts + timedelta(minutes=15 * draw(st.integers(-2, 12)))
                          if draw(st.booleans()) else None
                          for who in draw(st.sets(st.integers(0, 2), max_size=3))}})
    granularity = draw(st.sampled_from(["day", "week", "month"]))
    from_ = wallclock.period_start(origin.date() - timedelta(days=2), granularity)
    return {"reservations": reservations, "granularity": granularity, "from": from_,
            "to": origin.date() + timedelta(days=draw(st.integers(3, 12)))}


@pytest.mark.slow
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(schedule=schedules())
def test_sql_practice_hours_match_the_python_oracle(session, make, world, schedule):
    stage = Stage(make, world)
    people = [*stage.students, stage.instructor]
    for r in schedule["reservations"]:
        holder = people[r["holder"]]
        attendees = [(stage.students[who], at) for who, at in r["attendees"].items()
                     if stage.students[who] is not holder]
        stage.reserve(stage.item(r["item"] % 2), holder, r["starts"], r["ends"],
                      status=r["status"], checked_in=r["checked_in"],
                      checked_out=r["checked_out"], attendees=attendees)
    args = (schedule["granularity"], schedule["from"], schedule["to"])
    assert observed(stage.report(session, *args)) == oracle(stage.plan, *args), schedule
