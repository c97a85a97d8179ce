"""Builders of test data through the real use cases and models."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from service.accounts.models import Organisation, User
from service.accounts.services import (
    issue_token,
    platform_organisation,
    register_organisation,
    register_user,
)
from service.catalogue.bases import build_base
from service.catalogue.categories import register_category
from service.catalogue.equipment import build_equipment
from service.catalogue.models import Equipment, EquipmentCategory, TrainingBase
from service.offers.models import Offer, OfferEvent, OfferItem, OfferWindow, OfferWindowSpan
from service.reservations.models import Reservation, ReservationAttendee, ReservationEvent

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@dataclass
class World:
    """Two schools and two enterprises on one platform, each with its people and things."""

    school: Organisation
    enterprise: Organisation
    other_enterprise: Organisation
    users: dict[str, User]
    tokens: dict[str, str]
    base: TrainingBase
    enterprise_base: TrainingBase
    category: EquipmentCategory
    equipment: Equipment
    enterprise_equipment: Equipment
    other_school: Organisation
    other_base: TrainingBase
    other_equipment: Equipment
    other_enterprise_base: TrainingBase
    other_enterprise_equipment: Equipment
    extra: dict = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


class Factory:
    def __init__(self, session):
        self.session = session

    def organisation(self, kind: str = "school", **fields) -> Organisation:
        n = next(_seq)
        return register_organisation(self.session, name=fields.pop("name", f"{kind.title()} {n}"),
                                     kind=kind, **fields)

    def user(self, role: str, organisation: Organisation | None = None, **fields) -> User:
        n = next(_seq)
        if role == "operator":
            organisation = platform_organisation(self.session)
        user = register_user(self.session, organisation=organisation,
                             email=fields.pop("email", f"{role}{n}@test.example"),
                             full_name=fields.pop("full_name", f"{role.title()} {n}"),
                             role=role, password=fields.pop("password", PASSWORD),
                             is_manager=fields.pop("is_manager", False))
        for key, value in fields.items():
            setattr(user, key, value)
        self.session.flush()
        return user

    def token(self, user: User, ttl_minutes: int = 60) -> str:
        issued = issue_token(self.session, user=user, ttl_minutes=ttl_minutes)
        self.session.flush()
        return issued.access_token

    def base(self, organisation: Organisation, kind: str = "campus", **fields) -> TrainingBase:
        n = next(_seq)
        hours = fields.pop("opening_hours", [
            {"weekday": d, "opens": time(8), "closes": time(18)} for d in range(1, 6)])
        return build_base(self.session, name=fields.pop("name", f"Base {n}"), kind=kind,
                          organisation=organisation,
                          timezone=fields.pop("timezone", "Asia/Shanghai"),
                          opening_hours=hours, **fields)

    def open_base(self, organisation: Organisation, **fields) -> TrainingBase:
        """A base open every day 06:00-22:00 (Asia/Shanghai unless told)."""
        return self.base(organisation, opening_hours=[
            {"weekday": d, "opens": time(6), "closes": time(22)} for d in range(1, 8)],
            **fields)

    def category(self, **fields) -> EquipmentCategory:
        n = next(_seq)
        return register_category(self.session, code=fields.pop("code", f"cat-{n}"),
                                 name=fields.pop("name", f"Category {n}"), **fields)

    def equipment(self, base: TrainingBase, category: EquipmentCategory,
                  owner: Organisation | None = None, **fields) -> Equipment:
        n = next(_seq)
        return build_equipment(self.session, name=fields.pop("name", f"Item {n}"),
                               asset_tag=fields.pop("asset_tag", f"TAG-{n}"), base_id=base.id,
                               category_id=category.id,
                               owner_organisation_id=(owner or base.organisation).id, **fields)

    def offer(self, enterprise: Organisation, school: Organisation, items: list[Equipment], *,
              created_by: User, status: str = "approved", windows: list[dict] | None = None,
              values: dict[int, str] | None = None, was_approved: bool = True,
              **conditions) -> Offer:
        """An offer written straight to its tables (the offers tests drive the use cases).
        Without windows: every day 00:00-23:59 from 30 days ago to a year ahead. An approved,
        expired or withdrawn offer had its school's approval (an event says so) unless
        `was_approved` is false: only such offers were ever open (docs/reports.md#offered)."""
        today = date.today()
        windows = windows or [{"starts_on": today - timedelta(days=30),
                               "ends_on": today + timedelta(days=365),
                               "spans": [(d, time(0), time(23, 59)) for d in range(1, 8)]}]
        conditions = {"weekly_hours_budget": 100, "withdrawal_notice_days": 0,
                      "asks_back": "outcome_per_session", **conditions}
        offer = Offer(enterprise_id=enterprise.id, school_id=school.id,
                      created_by_id=created_by.id, status=status, **conditions)
        offer.items = [OfferItem(equipment_id=e.id, value_per_hour=(values or {}).get(e.id))
                       for e in items]
        offer.windows = [OfferWindow(starts_on=w["starts_on"], ends_on=w["ends_on"], spans=[
            OfferWindowSpan(weekday=d, opens=o, closes=c) for d, o, c in w["spans"]])
            for w in windows]
        self.session.add(offer)
        self.session.flush()
        if was_approved and status in ("approved", "expired", "withdrawn"):
            self.session.add(OfferEvent(offer_id=offer.id, actor_id=None,
                                        from_status="submitted", to_status="approved"))
            self.session.flush()
        return offer

    def reservation(self, equipment: Equipment, holder: User, starts_at: datetime,
                    ends_at: datetime, *, status: str = "completed",
                    offer: Offer | None = None, attendees: list[User] = (),
                    checked_in_at: datetime | None = None,
                    checked_out_at: datetime | None = None) -> Reservation:
        """A reservation in any state, past ones included, written straight to its table
        (booking itself refuses the past): for outcomes, reports and impact."""
        reservation = Reservation(
            equipment_id=equipment.id, holder_id=holder.id, created_by_id=holder.id,
            status=status, starts_at=starts_at, ends_at=ends_at,
            blocked_until=ends_at + timedelta(minutes=equipment.setup_buffer_minutes),
            offer_id=offer.id if offer else None, checked_in_at=checked_in_at,
            checked_out_at=checked_out_at)
        reservation.attendees = [ReservationAttendee(user_id=u.id) for u in attendees]
        self.session.add(reservation)
        self.session.flush()
        self.session.add(ReservationEvent(reservation_id=reservation.id, actor_id=holder.id,
                                          from_status=None, to_status=status))
        self.session.flush()
        return reservation

    def world(self) -> World:
        school = self.organisation("school")
        enterprise = self.organisation("enterprise")
        other_enterprise = self.organisation("enterprise")
        other_school = self.organisation("school")
        users = {
            "student": self.user("student", school),
            "instructor": self.user("instructor", school),
            "admin": self.user("admin", school),
            "enterprise_staff": self.user("enterprise_staff", enterprise),
            "manager": self.user("enterprise_staff", enterprise, is_manager=True),
            "other_staff": self.user("enterprise_staff", other_enterprise),
            "other_manager": self.user("enterprise_staff", other_enterprise, is_manager=True),
            "other_student": self.user("student", other_school),
            "other_instructor": self.user("instructor", other_school),
            "other_admin": self.user("admin", other_school),
            "operator": self.user("operator"),
        }
        tokens = {role: self.token(user) for role, user in users.items()}
        base = self.base(school)
        enterprise_base = self.base(enterprise, kind="enterprise")
        other_base = self.base(other_school)
        other_enterprise_base = self.base(other_enterprise, kind="enterprise")
        category = self.category()
        equipment = self.equipment(base, category, school)
        enterprise_equipment = self.equipment(enterprise_base, category, enterprise)
        other_equipment = self.equipment(other_base, category, other_school)
        other_enterprise_equipment = self.equipment(other_enterprise_base, category,
                                                    other_enterprise)
        self.session.commit()
        return World(school, enterprise, other_enterprise, users, tokens, base,
                     enterprise_base, category, equipment, enterprise_equipment, other_school,
                     other_base, other_equipment, other_enterprise_base,
                     other_enterprise_equipment)
