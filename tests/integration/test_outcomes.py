"""Outcome use cases against PostgreSQL: who records, what is checked, one per reservation
(under a race too), and the author's edit window."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from service.db import db
from service.errors import Forbidden, NotFound, PreconditionFailed
from service.outcomes import queries, services
from service.outcomes.errors import (
    HoursExceedBooking,
    InvalidFreeTag,
    NotAnAttendee,
    NotHolderOrInstructor,
    NotTheAuthor,
    OutcomeExists,
    OutcomeLocked,
    ReservationNotCompleted,
    SkillsRequired,
    TooManySkills,
    TraineeCountTooSmall,
    UnknownReservation,
    UnknownSkill,
)
from service.outcomes.models import Outcome, OutcomeSkill

from ..factories import Factory
from .lessons import START, completed_lesson, record


@pytest.fixture
def lesson(make, world, session):
    """A completed lesson, committed."""
    done = completed_lesson(make, world)
    session.commit()
    return done


def tags(outcome):
    return sorted((s.tag, s.in_vocabulary) for s in outcome.skills)


def test_the_holder_records_what_the_session_taught(session, lesson):
    outcome = record(session, lesson)
    assert (outcome.reservation_id, outcome.author_id, outcome.trainee_count, outcome.hours,
            outcome.result, outcome.links, outcome.version) == (
        lesson.reservation.id, lesson.world.users["student"].id, 12, Decimal("1.50"),
        "Turned a shaft to 0.02 mm.", ["https://example.org/r"], 1)
    assert tags(outcome) == [("chip breaking", False), ("cnc-turning", True)]
    assert [(t.user_id, t.user.full_name) for t in outcome.trainees] == [
        (lesson.classmate.id, "Classmate Chen")]
    stored = session.scalars(select(OutcomeSkill).where(OutcomeSkill.outcome_id == outcome.id))
    assert sorted((s.tag, s.in_vocabulary) for s in stored) == tags(outcome)


def test_an_instructor_of_the_holders_school_records_it_too(session, lesson):
    outcome = record(session, lesson, actor="instructor",
                     trainee_ids=[lesson.world.users["student"].id, lesson.classmate.id])
    assert outcome.author_id == lesson.world.users["instructor"].id
    assert [t.user_id for t in outcome.trainees] == sorted(
        [lesson.world.users["student"].id, lesson.classmate.id])


@pytest.mark.parametrize("actor, refusal, code", [
    ("admin", NotHolderOrInstructor, "not_holder_or_instructor"),
    ("classmate", NotHolderOrInstructor, "not_holder_or_instructor"),
    ("other_instructor", UnknownReservation, "unknown_reservation"),
    ("other_student", UnknownReservation, "unknown_reservation"),
    ("enterprise_staff", Forbidden, "role_not_allowed"),
    ("operator", Forbidden, "role_not_allowed"),
])
def test_nobody_else_records_it(session, lesson, actor, refusal, code):
    with pytest.raises(refusal) as refused:
        record(session, lesson, actor=actor)
    assert refused.value.code == code
    if refusal is UnknownReservation:  # the reservation they cannot see: as if absent
        assert refused.value.errors == {"reservation_id": ["No such reservation."]}
    assert session.scalar(select(func.count()).select_from(Outcome)) == 0


def test_an_unknown_reservation_is_refused_like_an_invisible_one(session, lesson):
    with pytest.raises(UnknownReservation) as refused:
        record(session, lesson, reservation_id=10**12)
    assert refused.value.errors == {"reservation_id": ["No such reservation."]}


@pytest.mark.parametrize("status", ["pending", "confirmed", "checked_in", "cancelled",
                                    "rejected", "no_show"])
def test_only_a_completed_reservation_gets_an_outcome(make, world, session, status):
    lesson = completed_lesson(make, world, status=status)
    session.commit()
    with pytest.raises(ReservationNotCompleted) as refused:
        record(session, lesson)
    assert refused.value.extra == {"current_status": status}


def test_a_reservation_booked_outside_any_offer_gets_one_too(make, world, session):
    own = make.reservation(world.equipment, world.users["student"], START,
                           START + timedelta(hours=1))
    session.commit()
    outcome = services.record_outcome(
        session, world.users["student"], reservation_id=own.id, skills=["welding"],
        trainee_count=1, hours=Decimal("1"), result="Butt weld")
    assert outcome.reservation.offer_id is None


def test_one_outcome_per_reservation(session, lesson):
    first = record(session, lesson)
    with pytest.raises(OutcomeExists) as refused:
        record(session, lesson, actor="instructor")
    assert refused.value.extra == {"outcome_id": first.id}


def test_skills_come_from_the_vocabulary_or_as_free_tags(session, lesson):
    with pytest.raises(UnknownSkill) as unknown:
        record(session, lesson, skills=["cnc-turning", "juggling"])
    assert unknown.value.errors == {"skills": ["Unknown skill 'juggling'."]}
    with pytest.raises(SkillsRequired):
        record(session, lesson, skills=[], free_tags=[])
    with pytest.raises(InvalidFreeTag) as too_long:
        record(session, lesson, free_tags=["x" * 61])
    assert list(too_long.value.errors) == ["free_tags"]
    with pytest.raises(InvalidFreeTag):
        record(session, lesson, free_tags=["   "])
    with pytest.raises(InvalidFreeTag):
        record(session, lesson, free_tags=["bell\x07"])
    with pytest.raises(TooManySkills):
        record(session, lesson, skills=["cnc-turning", "welding"],
               free_tags=[f"tag {n}" for n in range(9)])


def test_a_free_tag_of_the_vocabulary_is_kept_as_that_skill_once(session, lesson):
    outcome = record(session, lesson, skills=["welding"],
                     free_tags=[" CNC-Turning ", "welding", "Welding", "jigs"])
    assert tags(outcome) == [("cnc-turning", True), ("jigs", False), ("welding", True)]


def test_trainees_are_the_holder_and_attendees_counted_in_trainee_count(session, lesson):
    stranger = lesson.world.users["other_student"]
    with pytest.raises(NotAnAttendee) as refused:
        record(session, lesson, trainee_ids=[lesson.classmate.id, stranger.id])
    assert refused.value.extra == {"user_ids": [stranger.id]}
    assert list(refused.value.errors) == ["trainee_ids"]
    with pytest.raises(TraineeCountTooSmall) as short:
        record(session, lesson, trainee_count=1,
               trainee_ids=[lesson.classmate.id, lesson.world.users["student"].id])
    assert list(short.value.errors) == ["trainee_count"]
    twice = record(session, lesson, trainee_count=1,
                   trainee_ids=[lesson.classmate.id, lesson.classmate.id])
    assert [t.user_id for t in twice.trainees] == [lesson.classmate.id]


def test_hours_are_at_most_the_booked_length(session, lesson):
    with pytest.raises(HoursExceedBooking) as refused:
        record(session, lesson, hours=Decimal("2.01"))
    assert refused.value.errors == {"hours": ["At most 2.00: the reservation's booked length."]}
    assert record(session, lesson, hours=Decimal("2")).hours == Decimal("2.00")


# ---------------------------------------------------------------- editing

def edit(session, lesson, outcome, actor="student", now=None, **changes):
    return services.update_outcome(session, lesson.user(actor), outcome.id, changes=changes,
                                   now=now)


def test_the_author_edits_within_the_window_and_lists_are_replaced(session, lesson):
    outcome = record(session, lesson)
    changed = edit(session, lesson, outcome, free_tags=["Fixtures"], hours=Decimal("2"),
                   trainee_ids=[], trainee_count=3, links=[], result="Better")
    assert (changed.version, changed.hours, changed.trainee_count, changed.trainees,
            changed.links, changed.result) == (2, Decimal("2"), 3, [], [], "Better")
    # Free tags replaced; the vocabulary skills kept, since they were not given.
    assert tags(changed) == [("cnc-turning", True), ("fixtures", False)]
    skills_only = edit(session, lesson, outcome, skills=["welding"])
    assert (skills_only.version, tags(skills_only)) == (3, [("fixtures", False),
                                                            ("welding", True)])


def test_an_empty_edit_changes_nothing(session, lesson):
    outcome = record(session, lesson)
    assert edit(session, lesson, outcome).version == 1


def test_the_edit_window_closes_after_the_set_days(session, lesson):
    outcome = record(session, lesson)
    created = outcome.created_at
    just_before = created + timedelta(days=14) - timedelta(seconds=1)
    assert edit(session, lesson, outcome, now=just_before, result="Late fix").version == 2
    with pytest.raises(OutcomeLocked) as locked:
        edit(session, lesson, outcome, now=created + timedelta(days=14), result="Too late")
    assert locked.value.extra == {
        "editable_until": (created + timedelta(days=14)).isoformat()}
    with pytest.raises(OutcomeLocked):  # a shorter window set
        services.update_outcome(session, lesson.user("student"), outcome.id,
                                changes={"result": "x"}, edit_days=1, now=just_before)


def test_only_the_author_edits_and_others_do_not_see_it(session, lesson):
    outcome = record(session, lesson, actor="instructor")
    for actor in ("student", "admin", "enterprise_staff"):  # they see it, but did not write it
        with pytest.raises(NotTheAuthor):
            edit(session, lesson, outcome, actor=actor, result="Mine now")
    for actor in ("classmate", "other_instructor", "other_staff", "operator"):
        with pytest.raises(NotFound):
            edit(session, lesson, outcome, actor=actor, result="Mine now")
    with pytest.raises(PreconditionFailed):
        services.update_outcome(session, lesson.user("instructor"), outcome.id,
                                changes={"result": "x"}, expected_versions=[7])


def test_a_refused_edit_leaves_the_outcome_as_it_was(session, lesson):
    outcome = record(session, lesson)
    with pytest.raises(HoursExceedBooking):
        edit(session, lesson, outcome, skills=["welding"], trainee_ids=[],
             hours=Decimal("3"))
    session.commit()  # nothing half-done may be flushed now
    again = queries.get_visible_outcome(session, lesson.user("student"), outcome.id)
    assert (again.version, tags(again), len(again.trainees)) == (
        1, [("chip breaking", False), ("cnc-turning", True)], 1)


# ---------------------------------------------------------------- racing connections

@pytest.fixture
def race(fresh_database):
    """An app on its own database (real commits on separate connections), a completed
    lesson, and what a recording needs."""
    from ..concurrency.races import app_on_own_database

    app = app_on_own_database(fresh_database("benchshare_outcome_race"))
    with app.app_context():
        make = Factory(db.session)
        lesson = completed_lesson(make, make.world())
        db.session.commit()
        ids = {"reservation": lesson.reservation.id, "student": lesson.user("student").id,
               "instructor": lesson.user("instructor").id}
    yield app, ids
    with app.app_context():
        db.engine.dispose()


def _record_as(app, ids, actor, barrier, results, index):
    from service.accounts.models import User

    with app.app_context():
        user = db.session.get(User, ids[actor])
        if barrier is not None:
            barrier.wait()
        try:
            outcome = services.record_outcome(
                db.session, user, reservation_id=ids["reservation"], skills=["welding"],
                trainee_count=1, hours=Decimal("1"), result=f"By {actor}")
            results[index] = ("recorded", outcome.id)
        except OutcomeExists as exc:
            results[index] = ("outcome_exists", exc.extra["outcome_id"], exc.detail)


def _outcomes(app) -> list[tuple[int, str]]:
    with app.app_context():
        return db.session.execute(select(Outcome.id, Outcome.result)).all()


@pytest.mark.concurrency
def test_two_connections_recording_at_once_make_one_outcome(race):
    app, ids = race
    barrier, results = threading.Barrier(2), [None, None]
    threads = [threading.Thread(target=_record_as, args=(app, ids, actor, barrier, results, i))
               for i, actor in enumerate(("student", "instructor"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    [(winner_id, _)] = _outcomes(app)
    assert sorted(r[0] for r in results) == ["outcome_exists", "recorded"]
    assert {r[1] for r in results} == {winner_id}


@pytest.mark.concurrency
def test_a_recording_that_loses_at_the_unique_constraint_is_outcome_exists(race):
    """The other connection's row is not yet committed when we check, so only PostgreSQL's
    constraint can refuse us: it must become the same 409, naming the winner."""
    app, ids = race
    results = [None]
    with app.app_context():
        with db.engine.connect() as first, db.engine.connect() as watcher:
            winner = first.execute(text(
                "INSERT INTO outcomes (reservation_id, author_id, trainee_count, hours, result,"
                " version) VALUES (:r, :a, 1, 1, 'First', 1) RETURNING id"),
                {"r": ids["reservation"], "a": ids["student"]}).scalar_one()
            loser = threading.Thread(target=_record_as,
                                     args=(app, ids, "instructor", None, results, 0))
            loser.start()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # until its INSERT waits on our row
                waiting = watcher.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()")).scalar_one()
                watcher.rollback()  # the activity view is a snapshot per transaction
                if waiting:
                    break
                time.sleep(0.02)
            assert waiting, "the second recording never reached the constraint"
            first.commit()
        loser.join(timeout=30)
    assert results[0] == ("outcome_exists", winner,
                          f"Reservation {ids['reservation']} got its outcome meanwhile.")
    assert _outcomes(app) == [(winner, "First")]
