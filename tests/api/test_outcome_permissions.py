"""The tenancy matrix of outcomes: every actor x every outcome endpoint, on outcomes of two
schools' sessions on two enterprises' items.

A's student held two completed sessions: one on E1's item (outcome written by A's
instructor), one on E2's item (outcome written by the student). B's student held one on B's
own item. A fourth completed session of A's student, on E1's item, has no outcome yet. Each
answer's body is checked: refusals by their problem `code`, successes by what they say.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from .outcomes import emails_in

ACTORS = ("anonymous", "student", "classmate", "instructor", "admin", "other_student",
          "other_instructor", "other_admin", "enterprise_staff", "manager", "other_staff",
          "other_manager", "operator")
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

ROLE = (403, "role_not_allowed")
HIDDEN = (404, "not_found")
UNSEEN = (422, "unknown_reservation")
NOT_AUTHOR = (403, "not_outcome_author")
NOT_RECORDER = (403, "not_holder_or_instructor")


def expect(default, **per_role):
    """Expected (status, code) per actor: `default` for the signed-in ones not named."""
    table = {role: default for role in ACTORS}
    table["anonymous"] = (401, "not_authenticated")
    table.update(per_role)
    return {role: (v, None) if isinstance(v, int) else v for role, v in table.items()}


# Who see each outcome: its holder and author, the holder's school's staff, the item's owner.
SEE_E1 = ("student", "instructor", "admin", "enterprise_staff", "manager")
SEE_E2 = ("student", "instructor", "admin", "other_staff", "other_manager")
SEE_B = ("other_student", "other_instructor", "other_admin")


def sees(*roles, status=200):
    return {role: status for role in roles}


def is_outcome(key):
    def check(body, w, role):
        return body["id"] == w.extra[key] and emails_in(body) == []
    return check


def only_visible(body, w, role):
    seen = sorted(o["id"] for o in body["items"])
    wanted = sorted(w.extra[key] for key, roles in (
        ("on_e1", SEE_E1), ("on_e2", SEE_E2), ("on_b", SEE_B)) if role in roles)
    return seen == wanted and emails_in(body) == []


def recorded_by(role_key):
    def check(body, w, role):
        return body["author"]["id"] == w.users[role].id and body["reservation"]["id"] == (
            w.extra[role_key]) and emails_in(body) == []
    return check


def vocabulary(body, w, role):
    return body["total"] == 19 and {"tag", "label_en", "label_zh", "label", "version"} \
        == set(body["items"][0])


def new_outcome(w):
    return {"reservation_id": w.extra["fresh"], "skills": ["cnc-milling"],
            "trainee_count": 1, "hours": 1, "result": "Milled a pocket"}


def edit(w):
    return {"result": "Corrected"}


CASES = [
    ("GET", "/skills", None, expect((200, None)), vocabulary),
    ("GET", "/outcomes?page_size=100", None, expect((200, None)), only_visible),
    ("GET", "/outcomes/{on_e1}", None, expect(HIDDEN, **sees(*SEE_E1)), is_outcome("on_e1")),
    ("GET", "/outcomes/{on_e2}", None, expect(HIDDEN, **sees(*SEE_E2)), is_outcome("on_e2")),
    ("GET", "/outcomes/{on_b}", None, expect(HIDDEN, **sees(*SEE_B)), is_outcome("on_b")),
    # Only the author edits: A's instructor wrote on_e1, A's student on_e2.
    ("PATCH", "/outcomes/{on_e1}", edit,
     expect(HIDDEN, instructor=200, student=NOT_AUTHOR, admin=NOT_AUTHOR,
            enterprise_staff=NOT_AUTHOR, manager=NOT_AUTHOR), recorded_by("e1_session")),
    ("PATCH", "/outcomes/{on_e2}", edit,
     expect(HIDDEN, student=200, instructor=NOT_AUTHOR, admin=NOT_AUTHOR,
            other_staff=NOT_AUTHOR, other_manager=NOT_AUTHOR), recorded_by("e2_session")),
    # Recording: the holder or an instructor of the holder's school; a reservation one
    # cannot see is as if absent; enterprise staff and operators never record.
    ("POST", "/outcomes", new_outcome,
     expect(UNSEEN, student=201, instructor=201, admin=NOT_RECORDER, classmate=NOT_RECORDER,
            enterprise_staff=ROLE, manager=ROLE, other_staff=ROLE, other_manager=ROLE,
            operator=ROLE), recorded_by("fresh")),
    ("POST", "/outcomes", lambda w: {**new_outcome(w), "reservation_id": w.extra["e1_session"]},
     expect(UNSEEN, student=(409, "outcome_exists"), instructor=(409, "outcome_exists"),
            admin=NOT_RECORDER, classmate=NOT_RECORDER, enterprise_staff=ROLE, manager=ROLE,
            other_staff=ROLE, other_manager=ROLE, operator=ROLE), None),
]


def _session(make, equipment, holder, *, hours=2, offer=None, attendees=()):
    return make.reservation(equipment, holder, START, START + timedelta(hours=hours),
                            offer=offer, attendees=list(attendees))


@pytest.fixture(scope="module")
def outcome_world(shared_make, shared_session):
    """The sessions and outcomes of the module docstring, and A's classmate who attended
    them (and sees none of their outcomes): built once, each case rolled back after it."""
    from service.outcomes import services

    make, session = shared_make, shared_session
    world = make.world()
    users = world.users
    classmate = make.user("student", world.school)
    world.users = {**users, "classmate": classmate}
    world.tokens["classmate"] = make.token(classmate)
    offer = make.offer(world.enterprise, world.school, [world.enterprise_equipment],
                       created_by=users["enterprise_staff"])
    e1 = _session(make, world.enterprise_equipment, users["student"], offer=offer,
                  attendees=[classmate])
    e2 = _session(make, world.other_enterprise_equipment, users["student"],
                  attendees=[classmate])
    on_b = _session(make, world.other_equipment, users["other_student"])
    fresh = make.reservation(world.enterprise_equipment, users["student"],
                             START + timedelta(days=1), START + timedelta(days=1, hours=2),
                             offer=offer, attendees=[classmate])
    session.commit()

    def record(actor, reservation):
        return services.record_outcome(session, users[actor], reservation_id=reservation.id,
                                       skills=["welding"], trainee_count=2, hours=Decimal(1),
                                       result="Welded a frame").id

    world.extra.update(on_e1=record("instructor", e1), on_e2=record("student", e2),
                       on_b=record("other_student", on_b), e1_session=e1.id,
                       e2_session=e2.id, fresh=fresh.id)
    return world


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("method, template, body, expected, check", CASES,
                         ids=[f"{c[0]} {c[1]} {i}" for i, c in enumerate(CASES)])
def test_outcome_matrix(shared_client, outcome_world, role, method, template, body, expected,
                        check):
    w = outcome_world
    headers = {} if role == "anonymous" else w.headers(role)
    response = shared_client.open("/api/v1" + template.format(**w.extra), method=method,
                                  headers=headers, json=body(w) if body else None)
    status, code = expected[role]
    payload = response.get_json(silent=True)
    assert response.status_code == status, payload
    if status >= 400:
        assert response.mimetype == "application/problem+json"
        assert payload["status"] == status
        if code is not None:
            assert payload["code"] == code, payload
    else:
        assert check(payload, w, role), payload
