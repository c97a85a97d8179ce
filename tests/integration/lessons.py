"""A completed lesson and an outcome recorded for it, through the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from service.outcomes import services

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # a two-hour session, long past


@dataclass
class Lesson:
    world: object
    reservation: object
    classmate: object
    offer: object

    def user(self, role):
        return self.classmate if role == "classmate" else self.world.users[role]


def completed_lesson(make, world, *, status="completed"):
    """A two-hour session on E1's item under its offer to school A, held by A's student with a
    classmate attending (the caller commits)."""
    classmate = make.user("student", world.school, full_name="Classmate Chen")
    offer = make.offer(world.enterprise, world.school, [world.enterprise_equipment],
                       created_by=world.users["enterprise_staff"])
    reservation = make.reservation(world.enterprise_equipment, world.users["student"], START,
                                   START + timedelta(hours=2), status=status, offer=offer,
                                   attendees=[classmate])
    return Lesson(world, reservation, classmate, offer)


def record(session, lesson, actor="student", **overrides):
    body = {"reservation_id": lesson.reservation.id, "skills": ["cnc-turning"],
            "free_tags": ["  Chip   Breaking "], "trainee_count": 12,
            "trainee_ids": [lesson.classmate.id], "hours": Decimal("1.50"),
            "result": "  Turned a shaft to 0.02 mm.  ", "links": ["https://example.org/r"],
            **overrides}
    return services.record_outcome(session, lesson.user(actor), **body)
