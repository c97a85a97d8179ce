"""Use cases that write outcomes: record one for a completed session, edit it while the
author still may."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import OUTCOME_RECORDING_ROLES, require_role
from ..db import utcnow
from ..reservations.models import Reservation, ReservationAttendee
from ..reservations.permissions import visible_reservations
from . import rules
from .errors import (
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
from .models import Outcome, OutcomeSkill, OutcomeTrainee
from .permissions import may_edit, may_record
from .queries import get_visible_outcome, outcome_of, vocabulary

ONE_PER_RESERVATION = "uq_outcomes_reservation_id"
# What a PATCH may change (the reservation never).
FIELDS = ("skills", "free_tags", "trainee_count", "trainee_ids", "hours", "result", "links")


def _tags(session: Session, skills: Iterable[str], free_tags: Iterable[str]) -> rules.Tags:
    known = vocabulary(session)
    if unknown := [s for s in rules.unique(skills) if s not in known]:
        raise UnknownSkill(errors={"skills": [f"Unknown skill {s!r}." for s in unknown]})
    problems = [f"{raw!r}: {problem}" for raw in free_tags
                if (problem := rules.tag_problem(rules.normalise_tag(raw)))]
    if problems:
        raise InvalidFreeTag(errors={"free_tags": problems})
    tags = rules.split_tags(skills, free_tags, known)
    if tags.count == 0:
        raise SkillsRequired(errors={"skills": ["Name at least one skill or free tag."]})
    if tags.count > rules.MAX_TAGS:
        raise TooManySkills(errors={"skills": [
            f"At most {rules.MAX_TAGS} skills and free tags together."]})
    return tags


def _set_tags(outcome: Outcome, tags: rules.Tags) -> None:
    kept = {skill.tag: skill for skill in outcome.skills}
    wanted = [(t, True) for t in tags.vocabulary] + [(t, False) for t in tags.free]
    outcome.skills = []
    for tag, in_vocabulary in wanted:
        skill = kept.get(tag) or OutcomeSkill(tag=tag)
        skill.in_vocabulary = in_vocabulary
        outcome.skills.append(skill)


def _people(session: Session, reservation: Reservation) -> set[int]:
    """Who were in the session: the holder and the attendees."""
    attendees = session.scalars(select(ReservationAttendee.user_id).where(
        ReservationAttendee.reservation_id == reservation.id))
    return {reservation.holder_id, *attendees}


def _trainees(session: Session, reservation: Reservation, trainee_ids: Iterable[int]
              ) -> list[User]:
    """The people named as trained, each once: the holder or attendees of the session."""
    ids = rules.unique(trainee_ids)
    if strangers := [i for i in ids if i not in _people(session, reservation)]:
        raise NotAnAttendee(errors={"trainee_ids": [
            f"User {i} was neither the holder nor an attendee of reservation {reservation.id}."
            for i in strangers]}, user_ids=strangers)
    if not ids:
        return []
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    return [users[i] for i in ids]


def _set_trainees(outcome: Outcome, trainees: list[User]) -> None:
    kept = {t.user_id: t for t in outcome.trainees}
    outcome.trainees = [kept.get(u.id) or OutcomeTrainee(user_id=u.id, user=u)
                        for u in trainees]


def _check_counts(reservation: Reservation, *, trainee_count: int, named: int,
                  hours: Decimal) -> None:
    if trainee_count < named:
        raise TraineeCountTooSmall(errors={"trainee_count": [
            f"At least {named}: the trainees named."]})
    most = rules.booked_hours(reservation.starts_at, reservation.ends_at)
    if Decimal(hours) > most:
        raise HoursExceedBooking(errors={"hours": [
            f"At most {most.quantize(Decimal('0.01'))}: the reservation's booked length."]})


def _reservation_to_record(session: Session, actor: User, reservation_id: int) -> Reservation:
    reservation = session.scalar(select(Reservation).where(
        Reservation.id == reservation_id, visible_reservations(actor)))
    if reservation is None:  # absent or not the actor's to see: the same answer
        raise UnknownReservation(errors={"reservation_id": ["No such reservation."]})
    if not may_record(actor, reservation):
        raise NotHolderOrInstructor()
    if reservation.status != "completed":
        raise ReservationNotCompleted(
            f"Reservation {reservation.id} is {reservation.status}, not completed.",
            current_status=reservation.status)
    if (existing := outcome_of(session, reservation.id)) is not None:
        raise OutcomeExists(f"Reservation {reservation.id} has outcome {existing}; edit it.",
                            outcome_id=existing)
    return reservation


def record_outcome(session: Session, actor: User, *, reservation_id: int,
                   skills: list[str] = (), free_tags: list[str] = (), trainee_count: int,
                   trainee_ids: list[int] = (), hours: Decimal, result: str,
                   links: list[str] = ()) -> Outcome:
    """The holder of a completed reservation, or an instructor of the holder's school, says
    what the session taught. One outcome per reservation."""
    require_role(actor, *OUTCOME_RECORDING_ROLES)
    reservation = _reservation_to_record(session, actor, reservation_id)
    tags = _tags(session, skills, free_tags)
    trainees = _trainees(session, reservation, trainee_ids)
    _check_counts(reservation, trainee_count=trainee_count, named=len(trainees), hours=hours)
    outcome = Outcome(reservation_id=reservation.id, reservation=reservation,
                      author=session.get(User, actor.id),
                      author_id=actor.id, trainee_count=trainee_count, hours=hours,
                      result=result.strip(), links=rules.unique(links))
    _set_tags(outcome, tags)
    _set_trainees(outcome, trainees)
    session.add(outcome)
    try:
        session.commit()
    except IntegrityError as exc:
        # Another request recorded it between our check and our commit: PostgreSQL kept one.
        if getattr(exc.orig.diag, "constraint_name", None) != ONE_PER_RESERVATION:
            raise
        session.rollback()
        existing = outcome_of(session, reservation_id)
        raise OutcomeExists(f"Reservation {reservation_id} got its outcome meanwhile.",
                            outcome_id=existing) from exc
    return outcome


def update_outcome(session: Session, actor: User, outcome_id: int, *, changes: dict,
                   edit_days: int = 14, now: datetime | None = None,
                   expected_versions: list[int] | None = None) -> Outcome:
    """The author corrects the outcome within `edit_days` of recording it. Lists given
    (skills, free_tags, trainee_ids, links) replace the old ones."""
    outcome = get_visible_outcome(session, actor, outcome_id, lock=True,
                                  expected_versions=expected_versions)
    if not may_edit(actor, outcome):
        raise NotTheAuthor()
    if not rules.editable(outcome.created_at, now or utcnow(), edit_days):
        deadline = rules.edit_deadline(outcome.created_at, edit_days)
        raise OutcomeLocked(f"Outcomes are editable for {edit_days} days after recording.",
                            editable_until=deadline.isoformat())
    if unknown := set(changes) - set(FIELDS):
        raise TypeError(f"unexpected changes: {sorted(unknown)}")
    if not changes:
        return outcome  # nothing to change: no new version
    # Every check before any change: a refusal leaves the outcome as it was.
    reservation = outcome.reservation
    tags = None
    if "skills" in changes or "free_tags" in changes:
        old: dict[bool, list[str]] = {False: [], True: []}
        for skill in outcome.skills:
            old[skill.in_vocabulary].append(skill.tag)
        tags = _tags(session, changes.get("skills", old[True]),
                     changes.get("free_tags", old[False]))
    trainees = (_trainees(session, reservation, changes["trainee_ids"])
                if "trainee_ids" in changes else None)
    _check_counts(reservation, trainee_count=changes.get("trainee_count", outcome.trainee_count),
                  named=len(outcome.trainees if trainees is None else trainees),
                  hours=changes.get("hours", outcome.hours))
    if tags is not None:
        _set_tags(outcome, tags)
    if trainees is not None:
        _set_trainees(outcome, trainees)
    for name in ("trainee_count", "hours"):
        if name in changes:
            setattr(outcome, name, changes[name])
    if "result" in changes:
        outcome.result = changes["result"].strip()
    if "links" in changes:
        outcome.links = rules.unique(changes["links"])
    # Skills and trainees are rows of their own: touch the outcome so its version (the ETag)
    # moves with every edit.
    outcome.updated_at = utcnow()
    session.commit()
    return outcome
