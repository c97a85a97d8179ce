"""Load the demo data files in seeds/; loading twice adds nothing."""

from __future__ import annotations

import json
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .accounts.models import Organisation, User
from .accounts.services import platform_organisation, register_organisation, register_user
from .calendar.wallclock import at_local, read_closing_time
from .catalogue.bases import build_base
from .catalogue.categories import register_category
from .catalogue.equipment import build_equipment
from .catalogue.models import Equipment, EquipmentCategory, Qualification, TrainingBase
from .catalogue.qualifications import register_qualification
from .catalogue.queries import base_zones
from .classes.models import ClassMember
from .classes.rules import class_named
from .db import utcnow
from .demo_history import load_history
from .idle.services import find_idle_equipment
from .notifications.models import Notification
from .offers.lifecycle import approve_offer, submit_offer
from .offers.models import Offer
from .offers.services import CONDITIONS, create_offer
from .outcomes.services import record_outcome
from .reports.rules import closed_periods
from .reports.services import build_utilisation_report
from .reservations.models import Reservation, ReservationAttendee, ReservationEvent
from .reservations.quotas import find_quota, put_quota


def _read(seeds_dir: Path, name: str):
    with open(seeds_dir / name, encoding="utf-8") as handle:
        return json.load(handle)


def _by(session: Session, model, column, value):
    return session.scalar(select(model).where(column == value))


def _item(session: Session, asset_tag: str) -> Equipment | None:
    """The item in service with the tag (a retired item's tag may be listed again)."""
    return session.scalar(select(Equipment).where(Equipment.asset_tag == asset_tag,
                                                  Equipment.status != "retired"))


def load_demo(session: Session, seeds_dir: str | Path) -> dict[str, int]:
    """Create whatever of the demo data is missing, matched by natural keys; count additions."""
    seeds_dir = Path(seeds_dir)
    added = {"organisations": 0, "users": 0, "categories": 0, "training_bases": 0,
             "equipment": 0}

    organisations = {}
    for row in _read(seeds_dir, "organisations.json"):
        organisation = _by(session, Organisation, Organisation.name, row["name"])
        if organisation is None:
            organisation = register_organisation(session, **row)
            added["organisations"] += 1
        organisations[row["name"]] = organisation

    password = _read(seeds_dir, "users.json")["password"]
    for row in _read(seeds_dir, "users.json")["users"]:
        if _by(session, User, User.email, row["email"].lower()) is None:
            organisation = platform_organisation(session) if row["role"] == "operator" \
                else organisations[row["organisation"]]
            register_user(session, organisation=organisation, email=row["email"],
                          full_name=row["full_name"], role=row["role"], password=password,
                          is_manager=row.get("is_manager", False))
            added["users"] += 1

    categories = {}
    for row in _read(seeds_dir, "categories.json"):
        category = _by(session, EquipmentCategory, EquipmentCategory.code, row["code"])
        if category is None:
            category = register_category(session, **row)
            added["categories"] += 1
        categories[row["code"]] = category

    bases = {}
    for row in _read(seeds_dir, "training_bases.json"):
        base = _by(session, TrainingBase, TrainingBase.name, row["name"])
        if base is None:
            base = _new_base(session, row, organisations)
            added["training_bases"] += 1
        bases[row["name"]] = base

    for row in _read(seeds_dir, "equipment.json"):
        if _item(session, row["asset_tag"]) is None:
            fields = {k: v for k, v in row.items() if k not in ("base", "category", "owner")}
            build_equipment(session, base_id=bases[row["base"]].id,
                            category_id=categories[row["category"]].id,
                            owner_organisation_id=organisations[row["owner"]].id, **fields)
            added["equipment"] += 1

    users = {u.email: u for u in session.scalars(select(User))}
    added["qualifications"] = 0
    for row in _read(seeds_dir, "qualifications.json"):
        user, category = users[row["user"]], categories[row["category"]]
        standing = session.scalar(select(Qualification.id).where(
            Qualification.user_id == user.id, Qualification.category_id == category.id,
            Qualification.revoked_at.is_(None)))
        if standing is None:
            register_qualification(session, holder=user, category_id=category.id,
                                   granted_by=users[row["granted_by"]], note=row.get("note", ""))
            added["qualifications"] += 1

    added["quotas"] = 0
    for row in _read(seeds_dir, "quotas.json"):
        key = {"organisation_id": organisations[row["organisation"]].id, "role": row["role"],
               "category_id": categories[row["category"]].id if row.get("category") else None}
        if find_quota(session, **key) is None:
            put_quota(session, **key, weekly_hours=row["weekly_hours"],
                      active_reservations=row["active_reservations"])
            added["quotas"] += 1

    # classes: the schools' classes and their students, by e-mail.
    added["classes"] = 0
    classes_file = Path(seeds_dir) / "classes.json"
    for row in _read(seeds_dir, "classes.json") if classes_file.exists() else []:
        school_id = organisations[row["organisation"]].id
        if class_named(session, school_id, row["name"], create=False) is None:
            school_class = class_named(session, school_id, row["name"])
            session.add_all(ClassMember(class_id=school_class.id, user_id=users[email].id)
                            for email in row["members"])
            added["classes"] += 1

    session.commit()
    _load_offers(session, seeds_dir, organisations, users, added)
    added["history"] = load_history(session, seeds_dir, utcnow().date())
    if added["history"]:
        added["report_periods"] = _build_reports(session, seeds_dir)
        # And the idle list the weekly judgement would name (its job runs once a day).
        config = current_app.config
        added["idle_items"] = find_idle_equipment(
            session, weeks=config.get("IDLE_WEEKS", 4),
            threshold=config.get("IDLE_THRESHOLD", 0.15)).findings
    return added


def _build_reports(session: Session, seeds_dir: Path) -> int:
    """The closed weeks and months of the history, built now, so the dashboard's first view
    reads kept rows. The days are left to the scheduler's catch-up (`build_due_reports`, one
    JOB_INTERVAL_SECONDS after the start), and computed at each request until then: building
    ten weeks of days here would slow the first start for little."""
    weeks = _read(seeds_dir, "history.json")["weeks"]
    first = utcnow().date() - timedelta(weeks=weeks + 1)
    made = 0
    for granularity, start in closed_periods(first, utcnow(), base_zones(session),
                                             granularities=("week", "month")):
        made += build_utilisation_report(session, granularity, start,
                                         only_if_unbuilt=True) is not None
    return made


def _weekly_spans(rows: list[dict]) -> list[dict]:
    """A seed file's {"weekdays", "opens", "closes"} rows as one span per weekday; a span may
    close at "24:00", as the API lets it."""
    return [{"weekday": day, "opens": time.fromisoformat(row["opens"]),
             "closes": read_closing_time(row["closes"])}
            for row in rows for day in row["weekdays"]]


def _new_base(session: Session, row: dict, organisations: dict) -> TrainingBase:
    hours = _weekly_spans(row["opening_hours"])
    return build_base(
        session, name=row["name"], kind=row["kind"], timezone=row["timezone"],
        organisation=organisations[row["organisation"]], address=row.get("address", ""),
        description=row.get("description", ""), opening_hours=hours,
        co_owner_ids=[organisations[name].id for name in row.get("co_owners", [])])


def _load_offers(session: Session, seeds_dir: Path, organisations: dict, users: dict,
                 added: dict) -> None:
    """The demo enterprises' offers, made and decided through the use cases, and past sessions
    under them with their outcomes, so the impact answer is not empty on a fresh start."""
    added["offers"] = added["sessions"] = added["outcomes"] = 0
    today = utcnow().date()
    for row in _read(seeds_dir, "offers.json")["offers"]:
        enterprise, school = organisations[row["enterprise"]], organisations[row["school"]]
        if session.scalar(select(Offer.id).where(Offer.enterprise_id == enterprise.id,
                                                 Offer.school_id == school.id)) is not None:
            continue
        items = {tag: _item(session, tag)
                 for tag in (item["asset_tag"] for item in row["items"])}
        windows = [{"starts_on": today + timedelta(days=w["from_day"]),
                    "ends_on": today + timedelta(days=w["to_day"]),
                    "spans": _weekly_spans(w["spans"])}
                   for w in row["windows"]]
        offer = create_offer(
            session, users[row["made_by"]], school_id=school.id, windows=windows,
            items=[{"equipment_id": items[i["asset_tag"]].id,
                    "value_per_hour": i.get("value_per_hour")} for i in row["items"]],
            **{name: row[name] for name in CONDITIONS})
        submit_offer(session, users[row["made_by"]], offer.id)
        if row["status"] == "approved":
            approve_offer(session, users[row["decided_by"]], offer.id)
            # Submitted and approved in one go: the school's admins never had a decision to
            # make, so the "awaiting your decision" notice the submission left goes again.
            session.execute(delete(Notification).where(
                Notification.kind == "offer_submitted",
                Notification.data["offer_id"].as_integer() == offer.id))
        added["offers"] += 1
        for past in row["sessions"]:
            _past_session(session, offer, items[past["asset_tag"]], past, users, today, added)
    session.commit()


def _past_session(session: Session, offer: Offer, item: Equipment, row: dict, users: dict,
                  today, added: dict) -> None:
    """A session that took place under the offer, on a weekday `week` weeks from this one:
    booked, checked in on time, completed. The booking engine refuses the past, so its rows
    are written as they would stand today."""
    holder = users[row["holder"]]
    monday = today - timedelta(days=today.isoweekday() - 1)
    day = monday + timedelta(weeks=row["week"], days=row["weekday"] - 1)
    starts_at = at_local(day, time.fromisoformat(row["starts"]), item.base.timezone)
    ends_at = starts_at + timedelta(hours=row["hours"])
    reservation = Reservation(
        equipment_id=item.id, holder_id=holder.id, created_by_id=holder.id, status="completed",
        starts_at=starts_at, ends_at=ends_at,
        blocked_until=ends_at + timedelta(minutes=item.setup_buffer_minutes),
        offer_id=offer.id, checked_in_at=starts_at, checked_out_at=ends_at,
        attendees=[ReservationAttendee(user_id=users[e].id) for e in row["attendees"]])
    session.add(reservation)
    session.flush()
    for actor, before, after, at in ((holder, None, "confirmed", starts_at - timedelta(days=3)),
                                     (holder, "confirmed", "checked_in", starts_at),
                                     (holder, "checked_in", "completed", ends_at)):
        session.add(ReservationEvent(reservation_id=reservation.id, actor_id=actor.id,
                                     from_status=before, to_status=after, at=at))
    session.commit()
    added["sessions"] += 1
    if row["outcome"]:
        outcome = dict(row["outcome"])
        record_outcome(session, holder, reservation_id=reservation.id,
                       hours=Decimal(outcome.pop("hours")),
                       trainee_ids=[users[e].id for e in row["attendees"]], **outcome)
        added["outcomes"] += 1
