"""Builders of test data through the real use cases and models."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import time

from service.accounts.models import Organisation, User
from service.accounts.services import issue_token, register_user
from service.catalogue.models import (
    Equipment,
    EquipmentCategory,
    OpeningHours,
    TrainingBase,
)

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@dataclass
class World:
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
    extra: dict = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


class Factory:
    def __init__(self, session):
        self.session = session

    def organisation(self, kind: str = "school", **fields) -> Organisation:
        n = next(_seq)
        organisation = Organisation(name=fields.pop("name", f"{kind.title()} {n}"), kind=kind,
                                    **fields)
        self.session.add(organisation)
        self.session.flush()
        return organisation

    def user(self, role: str, organisation: Organisation, **fields) -> User:
        n = next(_seq)
        user = register_user(self.session, organisation=organisation,
                             email=fields.pop("email", f"{role}{n}@test.example"),
                             full_name=fields.pop("full_name", f"{role.title()} {n}"),
                             role=role, password=fields.pop("password", PASSWORD))
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
            OpeningHours(weekday=d, opens=time(8), closes=time(18)) for d in range(1, 6)])
        base = TrainingBase(name=fields.pop("name", f"Base {n}"), kind=kind,
                            organisation_id=organisation.id,
                            timezone=fields.pop("timezone", "Asia/Shanghai"),
                            opening_hours=hours, **fields)
        self.session.add(base)
        self.session.flush()
        return base

    def open_base(self, organisation: Organisation, **fields) -> TrainingBase:
        """A base open every day 06:00-22:00 (Asia/Shanghai unless told)."""
        return self.base(organisation, opening_hours=[
            OpeningHours(weekday=d, opens=time(6), closes=time(22)) for d in range(1, 8)],
            **fields)

    def category(self, **fields) -> EquipmentCategory:
        n = next(_seq)
        category = EquipmentCategory(code=fields.pop("code", f"cat-{n}"),
                                     name=fields.pop("name", f"Category {n}"), **fields)
        self.session.add(category)
        self.session.flush()
        return category

    def equipment(self, base: TrainingBase, category: EquipmentCategory, owner: Organisation,
                  **fields) -> Equipment:
        n = next(_seq)
        equipment = Equipment(name=fields.pop("name", f"Item {n}"),
                              asset_tag=fields.pop("asset_tag", f"TAG-{n}"),
                              base_id=base.id, category_id=category.id,
                              owner_organisation_id=owner.id, **fields)
        self.session.add(equipment)
        self.session.flush()
        return equipment

    def world(self) -> World:
        school = self.organisation("school")
        enterprise = self.organisation("enterprise")
        other_enterprise = self.organisation("enterprise")
        users = {
            "student": self.user("student", school),
            "instructor": self.user("instructor", school),
            "admin": self.user("admin", school),
            "enterprise_staff": self.user("enterprise_staff", enterprise),
            "other_staff": self.user("enterprise_staff", other_enterprise),
        }
        tokens = {role: self.token(user) for role, user in users.items()}
        base = self.base(school)
        enterprise_base = self.base(enterprise, kind="enterprise")
        category = self.category()
        equipment = self.equipment(base, category, school)
        enterprise_equipment = self.equipment(enterprise_base, category, enterprise)
        self.session.commit()
        return World(school, enterprise, other_enterprise, users, tokens, base,
                     enterprise_base, category, equipment, enterprise_equipment)
