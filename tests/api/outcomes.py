"""Outcomes over HTTP: a completed lesson, an outcome's body and POST, answers free of e-mails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

API = "/api/v1/outcomes"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # a two-hour session, long past


def emails_in(value) -> list:
    """Every key or text in an answer that looks like an e-mail, however deep."""
    if isinstance(value, dict):
        return [k for k in value if "mail" in k.lower()] + [
            hit for v in value.values() for hit in emails_in(v)]
    if isinstance(value, list):
        return [hit for v in value for hit in emails_in(v)]
    return [value] if isinstance(value, str) and "@" in value else []


def lesson(make, world, session, *, status="completed", equipment=None, holder="student"):
    """A two-hour session held by A's student (a classmate attending), on E1's item under
    its offer to A unless another item is given; committed."""
    classmate = make.user("student", world.school, full_name="Classmate Chen")
    offer = None
    if equipment is None:
        equipment = world.enterprise_equipment
        offer = make.offer(world.enterprise, world.school, [equipment],
                           created_by=world.users["enterprise_staff"])
    reservation = make.reservation(equipment, world.users[holder], START,
                                   START + timedelta(hours=2), status=status, offer=offer,
                                   attendees=[classmate])
    session.commit()
    world.extra.update(reservation=reservation, classmate=classmate, offer=offer)
    return reservation


def body(world, **extra):
    return {"reservation_id": world.extra["reservation"].id,
            "skills": ["cnc-turning", "metrology"], "free_tags": ["  Chip   Breaking "],
            "trainee_count": 12, "trainee_ids": [world.extra["classmate"].id], "hours": 1.5,
            "result": "Turned a shaft to 0.02 mm.", "links": ["https://example.org/report"],
            **extra}


def post(client, world, role="student", key=None, **extra):
    headers = {**world.headers(role), **({"Idempotency-Key": key} if key else {})}
    return client.post(API, json=body(world, **extra), headers=headers)
