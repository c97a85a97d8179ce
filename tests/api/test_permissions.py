"""The tenancy matrix: every role x every endpoint x its own and another organisation's object.

The world has two schools (A: `school`, B: `other_school`) and two enterprises (E1:
`enterprise`, E2: `other_enterprise`) on one platform. Actors are named after where they
belong (`admin` is A's admin, `other_admin` B's; `enterprise_staff` and `manager` are E1's,
`other_staff` and `other_manager` E2's). Each row names the object it touches, so a role meets
both its own organisation's object and another's. Every answer's body is checked: refusals by
their problem `code`, successes by what they say.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from .tenancy import ACTORS, HIDDEN, MEMBER, NOT_BASE, NOT_ITEM, NOT_ORG, ROLE, expect

SHANGHAI = ZoneInfo("Asia/Shanghai")


def org_of(w, role):
    return w.users[role].organisation_id


# ---------------------------------------------------------------- body checks on success

def not_json(body, w, role):
    """An image (the QR code's SVG): nothing JSON to read; its pixels are tested on their own."""
    return body is None


def judges_only_visible_items(body, w, role):
    """A school's item is judged for its own people (and the operator), an enterprise's for
    its staff (its offer to school A is not approved yet), nobody else's."""
    judged = {entry["equipment"]["id"] for entry in body["items"]}
    return (w.equipment.id in judged) == (role in (*MEMBER["school"], "operator")) and \
        (w.enterprise_equipment.id in judged) == (role in (*MEMBER["enterprise"], "operator"))


def is_me(body, w, role):
    return body["id"] == w.users[role].id and "password_hash" not in body


def no_platform_unless_operator(body, w, role):
    kinds = {o["kind"] for o in body["items"]}
    return ("platform" in kinds) == (role == "operator") and {"school", "enterprise"} <= kinds


def only_visible_people(body, w, role):
    items = body["items"]
    if role == "operator":
        return items and all(u["role"] in ("admin", "operator") or u["is_manager"]
                             for u in items)

    if role == "student" or role == "other_student":
        return [u["id"] for u in items] == [w.users[role].id]
    return items and all(u["organisation_id"] == org_of(w, role) for u in items)


def field(name, value):
    def check(body, w, role):
        return body[name] == (value(w, role) if callable(value) else value)
    return check


def own_organisation(name):
    return field(name, lambda w, role: org_of(w, role))


def status_is(value):
    return field("status", value)


def empty(body, w, role):
    return body is None


def own_qualifications(body, w, role):
    return all(q["user_id"] in {u.id for u in w.users.values()
                                if u.organisation_id == org_of(w, role)}
               for q in body["items"])


def anything(body, w, role):
    return True


def _future_weekday(hour: int) -> datetime:
    day = datetime.now(SHANGHAI) + timedelta(days=2)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


# ---------------------------------------------------------------- the rows

def new_user(org_key, role="student", **extra):
    def build(w):
        return {"organisation_id": getattr(w, org_key).id, "email": f"new-{role}@test.example",
                "full_name": "New Person", "role": role, "password": "long enough pw", **extra}
    return build


def new_base(**extra):
    return lambda w: {"name": "New base", "kind": "campus", "timezone": "Europe/Berlin",
                      **{k: (v(w) if callable(v) else v) for k, v in extra.items()}}


def new_item(base_key, **extra):
    return lambda w: {"name": "Cobot", "asset_tag": "COB-1", "base_id": getattr(w, base_key).id,
                      "category_id": w.category.id,
                      **{k: (v(w) if callable(v) else v) for k, v in extra.items()}}


def new_offer(item_key):
    return lambda w: {
        "school_id": w.new_school.id, "items": [{"equipment_id": getattr(w, item_key).id}],
        "windows": [{"starts_on": "2027-03-01", "ends_on": "2027-06-30",
                     "spans": [{"weekday": 2, "opens": "09:00", "closes": "12:00"}]}],
        "weekly_hours_budget": 4}


def only_visible_offers(body, w, role):
    """E1's people see both its offers, A's admin the submitted one, nobody else any."""
    seen = sorted(o["id"] for o in body["items"])
    if role in MEMBER["enterprise"]:
        return seen == sorted([w.extra["offer"], w.extra["draft_offer"]])
    if role == "admin":
        return seen == [w.extra["offer"]]
    return seen == []


CASES = [
    # -- who am I, the directory
    ("GET", "/me", None, expect((200, None)), is_me),
    ("GET", "/organisations?page_size=100", None, expect((200, None)),
     no_platform_unless_operator),
    ("POST", "/organisations", lambda w: {"name": "Acme Robotics", "kind": "enterprise"},
     expect(ROLE, operator=201), field("kind", "enterprise")),
    ("GET", "/organisations/{enterprise}", None, expect((200, None)), field("kind", "enterprise")),
    ("PATCH", "/organisations/{enterprise}", lambda w: {"description": "Partner"},
     expect(NOT_ORG, manager=200, operator=200), field("description", "Partner")),
    ("PATCH", "/organisations/{school}", lambda w: {"description": "Ours"},
     expect(NOT_ORG, admin=200, operator=200), field("description", "Ours")),
    ("PATCH", "/organisations/{school}", lambda w: {"kind": "enterprise"},
     expect(NOT_ORG, operator=(409, "organisation_has_members")), None),
    ("DELETE", "/organisations/{enterprise}", None,
     expect(ROLE, operator=(409, "still_referenced")), None),
    ("GET", "/users?page_size=100", None, expect((200, None)), only_visible_people),
    # -- people: each organisation adds its own; operators onboard admins and managers
    ("POST", "/users", new_user("school"),
     expect(ROLE, admin=201, other_admin=NOT_ORG, manager=NOT_ORG, other_manager=NOT_ORG,
            operator=(403, "not_onboarding")), field("organisation_id", lambda w, r: w.school.id)),
    ("POST", "/users", new_user("enterprise", "enterprise_staff"),
     expect(ROLE, manager=201, other_manager=NOT_ORG, admin=NOT_ORG, other_admin=NOT_ORG,
            operator=(403, "not_onboarding")), field("is_manager", False)),
    # An operator onboards only the *first* admin or manager: E1 and B have theirs already.
    ("POST", "/users", new_user("enterprise", "enterprise_staff", is_manager=True),
     expect(ROLE, manager=201, operator=(409, "already_onboarded"), other_manager=NOT_ORG,
            admin=NOT_ORG, other_admin=NOT_ORG), field("is_manager", True)),
    ("POST", "/users", new_user("other_school", "admin"),
     expect(ROLE, operator=(409, "already_onboarded"), other_admin=201, admin=NOT_ORG,
            manager=NOT_ORG, other_manager=NOT_ORG),
     field("organisation_id", lambda w, r: w.other_school.id)),
    ("POST", "/users", new_user("new_school", "admin"),
     expect(ROLE, operator=201, admin=NOT_ORG, other_admin=NOT_ORG, manager=NOT_ORG,
            other_manager=NOT_ORG), field("organisation_id", lambda w, r: w.new_school.id)),
    ("POST", "/users", new_user("platform", "operator"),
     expect(ROLE, operator=201, admin=(422, "validation_error"),
            other_admin=(422, "validation_error"), manager=(422, "validation_error"),
            other_manager=(422, "validation_error")), field("role", "operator")),
    ("GET", "/users/{student}", None,
     expect(HIDDEN, student=200, instructor=200, admin=200), field("role", "student")),
    ("GET", "/users/{enterprise_staff}", None,
     expect(HIDDEN, enterprise_staff=200, manager=200), field("role", "enterprise_staff")),
    ("GET", "/users/{manager}", None,
     expect(HIDDEN, enterprise_staff=200, manager=200, operator=200), field("is_manager", True)),
    ("PATCH", "/users/{student}", lambda w: {"full_name": "Renamed"},
     expect(HIDDEN, student=ROLE, instructor=ROLE, other_student=ROLE, admin=200),
     field("full_name", "Renamed")),
    ("PATCH", "/users/{enterprise_staff}", lambda w: {"full_name": "Renamed"},
     expect(HIDDEN, student=ROLE, instructor=ROLE, other_student=ROLE, manager=200,
            enterprise_staff=NOT_ORG), field("full_name", "Renamed")),
    ("PATCH", "/users/{manager}", lambda w: {"is_active": False},
     expect(HIDDEN, student=ROLE, instructor=ROLE, other_student=ROLE, operator=NOT_ORG,
            manager=(409, "cannot_change_self"), enterprise_staff=NOT_ORG),
     field("is_active", False)),
    ("PATCH", "/users/{admin}", lambda w: {"is_active": False},
     expect(HIDDEN, student=ROLE, instructor=ROLE, other_student=ROLE, operator=NOT_ORG,
            admin=(409, "cannot_change_self")), field("is_active", False)),
    ("PATCH", "/users/{manager}", lambda w: {"full_name": "Renamed"},
     expect(HIDDEN, student=ROLE, instructor=ROLE, other_student=ROLE, operator=NOT_ORG,
            manager=200, enterprise_staff=NOT_ORG), field("full_name", "Renamed")),
    ("DELETE", "/users/{student}", None,
     expect(HIDDEN, student=NOT_ORG, instructor=NOT_ORG, admin=200), field("is_active", False)),
    ("DELETE", "/users/{enterprise_staff}", None,
     expect(HIDDEN, enterprise_staff=NOT_ORG, manager=200), field("is_active", False)),
    # -- training bases and closures: run by their organisation's admins or managers
    ("GET", "/training-bases", None, expect((200, None)), anything),
    ("POST", "/training-bases", new_base(),
     expect(ROLE, admin=201, other_admin=201, manager=201, other_manager=201,
            enterprise_staff=NOT_ORG, other_staff=NOT_ORG), own_organisation("organisation_id")),
    ("POST", "/training-bases", new_base(organisation_id=lambda w: w.enterprise.id),
     expect(ROLE, manager=201, enterprise_staff=NOT_ORG, admin=NOT_ORG, other_admin=NOT_ORG,
            other_staff=NOT_ORG, other_manager=NOT_ORG),
     field("organisation_id", lambda w, r: w.enterprise.id)),
    ("PATCH", "/training-bases/{base}", lambda w: {"address": "Gate 2"},
     # A base another organisation does not even see does not exist for it (404).
     expect(ROLE, admin=200, other_admin=HIDDEN, enterprise_staff=HIDDEN,
            manager=HIDDEN, other_staff=HIDDEN, other_manager=HIDDEN),
     field("address", "Gate 2")),
    ("PATCH", "/training-bases/{enterprise_base}", lambda w: {"address": "Hall 4"},
     expect(ROLE, manager=200, enterprise_staff=NOT_BASE, admin=HIDDEN,
            other_admin=HIDDEN, other_staff=HIDDEN, other_manager=HIDDEN),
     field("address", "Hall 4")),
    ("DELETE", "/training-bases/{enterprise_base}", None,
     expect(HIDDEN, enterprise_staff=NOT_BASE, operator=NOT_BASE,
            manager=(409, "still_referenced")), None),
    ("DELETE", "/training-bases/{other_base}", None,
     expect(HIDDEN, other_student=NOT_BASE, operator=NOT_BASE,
            other_admin=(409, "still_referenced")), None),
    ("POST", "/training-bases/{enterprise_base}/closures", lambda w: {
        "starts_on": "2027-05-01", "ends_on": "2027-05-05", "reason": "Labour Day"},
     expect(ROLE, manager=201, enterprise_staff=NOT_BASE, admin=HIDDEN,
            other_admin=HIDDEN, other_staff=HIDDEN, other_manager=HIDDEN),
     field("reason", "Labour Day")),
    ("DELETE", "/training-bases/{base}/closures/{closure}", None,
     expect(HIDDEN, student=NOT_BASE, instructor=NOT_BASE, operator=NOT_BASE, admin=204),
     empty),
    # -- the shared vocabulary belongs to the operators
    ("GET", "/equipment-categories", None, expect((200, None)), anything),
    ("POST", "/equipment-categories", lambda w: {"code": "lasers", "name": "Lasers"},
     expect(ROLE, operator=201), field("code", "lasers")),
    ("PATCH", "/equipment-categories/{category}", lambda w: {"description": "d"},
     expect(ROLE, operator=200), field("description", "d")),
    ("DELETE", "/equipment-categories/{category}", None,
     expect((403, "operators_only"), operator=(409, "still_referenced")), None),
    ("POST", "/skills", lambda w: {"tag": "lasers", "label_en": "Lasers", "label_zh": "激光"},
     expect(ROLE, operator=201), field("label_zh", "激光")),
    ("PATCH", "/skills/welding", lambda w: {"label_zh": "焊接工艺"},
     expect(ROLE, operator=200), field("label_zh", "焊接工艺")),
    # -- equipment: owned by one organisation, placed only where its owner owns the base
    ("GET", "/equipment?page_size=100", None, expect((200, None)), anything),
    ("POST", "/equipment", new_item("enterprise_base"),
     expect(ROLE, enterprise_staff=201, manager=201, admin=(403, "base_not_owned"),
            other_admin=(403, "base_not_owned"), other_staff=(403, "base_not_owned"),
            other_manager=(403, "base_not_owned")), own_organisation("owner_organisation_id")),
    ("POST", "/equipment", new_item("other_base"),
     expect(ROLE, other_admin=201, admin=(403, "base_not_owned"),
            enterprise_staff=(403, "base_not_owned"), manager=(403, "base_not_owned"),
            other_staff=(403, "base_not_owned"), other_manager=(403, "base_not_owned")),
     own_organisation("owner_organisation_id")),
    ("POST", "/equipment", new_item("enterprise_base",
                                    owner_organisation_id=lambda w: w.enterprise.id),
     expect(ROLE, enterprise_staff=201, manager=201, admin=NOT_ORG, other_admin=NOT_ORG,
            other_staff=NOT_ORG, other_manager=NOT_ORG),
     field("owner_organisation_id", lambda w, r: w.enterprise.id)),
    ("PATCH", "/equipment/{equipment}", lambda w: {"status": "maintenance"},
     # An item another organisation does not even see does not exist for it (404).
     expect(ROLE, admin=200, other_admin=HIDDEN, enterprise_staff=HIDDEN,
            manager=HIDDEN, other_staff=HIDDEN, other_manager=HIDDEN),
     status_is("maintenance")),
    ("PATCH", "/equipment/{equipment}", lambda w: {"base_id": w.other_base.id},
     expect(ROLE, admin=(403, "base_not_owned"), other_admin=HIDDEN,
            enterprise_staff=HIDDEN, manager=HIDDEN, other_staff=HIDDEN,
            other_manager=HIDDEN), None),
    ("PATCH", "/equipment/{enterprise_equipment}", lambda w: {"status": "maintenance"},
     expect(ROLE, enterprise_staff=200, manager=200, admin=HIDDEN, other_admin=HIDDEN,
            other_staff=HIDDEN, other_manager=HIDDEN), status_is("maintenance")),
    ("DELETE", "/equipment/{enterprise_equipment}", None,
     expect(HIDDEN, enterprise_staff=204, manager=204, operator=NOT_ITEM), empty),
    ("DELETE", "/equipment/{equipment}", None,
     expect(HIDDEN, admin=204, student=NOT_ITEM, instructor=NOT_ITEM, operator=NOT_ITEM),
     empty),
    ("POST", "/equipment/{enterprise_equipment}/blackouts", lambda w: {
        "starts_at": "2027-06-01T08:00:00+08:00", "ends_at": "2027-06-01T12:00:00+08:00",
        "reason": "Calibration"},
     expect(ROLE, enterprise_staff=201, manager=201, admin=HIDDEN, other_admin=HIDDEN,
            other_staff=HIDDEN, other_manager=HIDDEN), field("reason", "Calibration")),
    # -- qualifications and quotas: a school's own business
    ("GET", "/qualifications", None,
     expect(ROLE, student=200, instructor=200, admin=200, other_student=200, other_admin=200),
     own_qualifications),
    ("POST", "/qualifications", lambda w: {"user_id": w.users["student"].id,
                                           "category_id": w.category.id},
     expect(ROLE, instructor=201, admin=201, other_admin=(422, "validation_error")),
     field("user_id", lambda w, r: w.users["student"].id)),
    ("POST", "/qualifications", lambda w: {"user_id": w.users["instructor"].id,
                                           "category_id": w.category.id},
     expect(ROLE, instructor=(403, "own_qualification"), admin=201,
            other_admin=(422, "validation_error")),
     field("user_id", lambda w, r: w.users["instructor"].id)),
    ("PUT", "/organisations/{school}/quotas/student", lambda w: {
        "weekly_hours": 4, "active_reservations": 2},
     expect(ROLE, admin=200, other_admin=NOT_ORG), field("weekly_hours", 4)),
    ("GET", "/organisations/{school}/quotas", None,
     expect(HIDDEN, student=200, instructor=200, admin=200), anything),
    # -- a booking on E1's equipment held by A's student, awaiting E1's approval
    ("GET", "/reservations/{pending}", None,
     expect(HIDDEN, student=200, instructor=200, admin=200, enterprise_staff=200, manager=200),
     status_is("pending")),
    ("POST", "/reservations/{pending}/approve", lambda w: {},
     expect(HIDDEN, student=(403, "forbidden"), instructor=(403, "forbidden"),
            admin=(403, "forbidden"), enterprise_staff=200, manager=200),
     status_is("confirmed")),
    ("POST", "/reservations/{pending}/reject", lambda w: {"reason": "Closed for audit"},
     expect(HIDDEN, student=(403, "forbidden"), instructor=(403, "forbidden"),
            admin=(403, "forbidden"), enterprise_staff=200, manager=200),
     status_is("rejected")),
    # -- offers: E1's submitted offer to A, E1's draft to B (only E1 sees drafts)
    ("GET", "/offers?page_size=100", None, expect((200, None)), only_visible_offers),
    ("GET", "/offers/{offer}", None,
     expect(HIDDEN, enterprise_staff=200, manager=200, admin=200), status_is("submitted")),
    ("GET", "/offers/{draft_offer}", None,
     expect(HIDDEN, enterprise_staff=200, manager=200), status_is("draft")),
    ("GET", "/offers/{offer}/history", None,
     expect(HIDDEN, enterprise_staff=200, manager=200, admin=200),
     lambda body, w, role: [e["to_status"] for e in body["events"]] == ["submitted"]),
    ("POST", "/offers", new_offer("enterprise_equipment"),
     expect(ROLE, enterprise_staff=201, manager=201, other_staff=NOT_ITEM,
            other_manager=NOT_ITEM), own_organisation("enterprise_id")),
    ("POST", "/offers", new_offer("other_enterprise_equipment"),
     expect(ROLE, other_staff=201, other_manager=201, enterprise_staff=NOT_ITEM,
            manager=NOT_ITEM), own_organisation("enterprise_id")),
    ("PATCH", "/offers/{offer}", lambda w: {"allowed_uses": "Welding course"},
     expect(ROLE, enterprise_staff=200, manager=200, other_staff=HIDDEN, other_manager=HIDDEN),
     field("allowed_uses", "Welding course")),
    ("POST", "/offers/{offer}/approve", lambda w: {},
     expect(HIDDEN, admin=200, enterprise_staff=(403, "forbidden"),
            manager=(403, "forbidden")), status_is("approved")),
    ("POST", "/offers/{offer}/reject", lambda w: {"reason": "No course fits"},
     expect(HIDDEN, admin=200, enterprise_staff=(403, "forbidden"),
            manager=(403, "forbidden")), status_is("rejected")),
    ("GET", "/offers/{offer}/withdrawal-preview", None,
     expect(HIDDEN, enterprise_staff=200, manager=200, admin=(403, "forbidden")),
     lambda body, w, role: body == {"offer_id": w.extra["offer"], "affected_reservations": []}),
    ("POST", "/offers/{offer}/withdraw", lambda w: {"reason": "Machine sold"},
     expect(HIDDEN, enterprise_staff=200, manager=200, admin=(403, "forbidden")),
     status_is("withdrawn")),
    ("POST", "/offers/{draft_offer}/submit", lambda w: {},
     expect(HIDDEN, enterprise_staff=200, manager=200), status_is("submitted")),
    # -- the pages' reads: an item's QR code, a span judged for every item one sees, a series
    # previewed, one's own notices marked read
    ("GET", "/equipment/{equipment}/qr.svg", None,
     expect(HIDDEN, student=200, instructor=200, admin=200, operator=200), not_json),
    ("GET", "/equipment/{enterprise_equipment}/qr.svg", None,
     expect(HIDDEN, enterprise_staff=200, manager=200, operator=200), not_json),
    ("GET", "/equipment/bookable?on=2027-06-02&from=10:00&to=11:00&page_size=100", None,
     expect((200, None)), judges_only_visible_items),
    ("POST", "/series/preview", lambda w: {
        "equipment_id": w.equipment.id, "weekdays": [3], "start_time": "10:00",
        "duration_minutes": 60, "starts_on": "2027-06-02", "count": 2},
     # Staff only; another school's admin meets the item as one that does not exist.
     expect((403, "role_not_allowed"), instructor=200, admin=200,
            other_admin=(422, "validation_error")),
     lambda body, w, role: len(body["occurrences"]) == 2),
    ("POST", "/me/notifications/read", lambda w: {"all": True}, expect((200, None)),
     lambda body, w, role: body == {"unread": 0}),
    # -- reports: the reservations behind a figure, for those who see reports
    ("GET", "/reports/reservations?from=2026-01-05&to=2026-01-12&weekday=1&hour=9", None,
     expect((403, "not_reporting"), admin=200, other_admin=200, enterprise_staff=200,
            manager=200, other_staff=200, other_manager=200, operator=200),
     lambda body, w, role: (body["figure"], body["total"], body["hours"]) == ("booked", 0, 0)),
]

def _offers(make, session, w) -> dict:
    """E1's offer to school A, submitted, and its draft to school B, of an item of their own
    (so the rows on E1's other equipment meet no offer)."""
    from service.offers import lifecycle, services

    offered = make.equipment(w.enterprise_base, w.category, w.enterprise, name="Idle lathe")

    def offer(school):
        return services.create_offer(
            session, w.users["enterprise_staff"], school_id=school.id,
            items=[{"equipment_id": offered.id}], weekly_hours_budget=4,
            windows=[{"starts_on": datetime(2027, 3, 1).date(),
                      "ends_on": datetime(2027, 6, 30).date(),
                      "spans": [{"weekday": 2, "opens": time(9), "closes": time(12)}]}],
            withdrawal_notice_days=14, asks_back="outcome_per_session")

    submitted = lifecycle.submit_offer(session, w.users["manager"], offer(w.school).id)
    return {"offer": submitted.id, "draft_offer": offer(w.other_school).id}


@pytest.fixture(scope="module")
def matrix_world(shared_make, shared_session):
    """The world, plus a closure at A's campus and a pending booking on E1's equipment: built
    once for the module, each case rolled back after it (tests/worlds.py)."""
    from service.accounts.models import Organisation
    from service.catalogue.models import Closure

    make, session = shared_make, shared_session
    world = make.world()
    closure = Closure(base_id=world.base.id, starts_on=datetime(2027, 1, 1).date(),
                      ends_on=datetime(2027, 1, 2).date(), reason="New year")
    session.add(closure)
    floor = make.open_base(world.enterprise, kind="enterprise")
    bench = make.equipment(floor, world.category, world.enterprise, requires_approval=True)
    start = _future_weekday(9)
    # Written straight to the table: the matrix's offers below are their own business.
    pending = make.reservation(bench, world.users["student"], start, start + timedelta(hours=1),
                               status="pending")
    session.commit()
    world.extra.update(closure=closure.id, pending=pending.id)
    world.extra.update(_offers(make, session, world))
    world.new_school = make.organisation("school")
    world.platform = session.get(Organisation, world.users["operator"].organisation_id)
    session.commit()
    return world


def _path(template: str, w) -> str:
    users = {role: user.id for role, user in w.users.items()}
    return "/api/v1" + template.format(
        school=w.school.id, enterprise=w.enterprise.id, base=w.base.id,
        enterprise_base=w.enterprise_base.id, other_base=w.other_base.id,
        category=w.category.id, equipment=w.equipment.id,
        enterprise_equipment=w.enterprise_equipment.id, **users, **w.extra)


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("method, template, body, expected, check", CASES,
                         ids=[f"{c[0]} {c[1]} {i}" for i, c in enumerate(CASES)])
def test_tenancy_matrix(shared_client, matrix_world, role, method, template, body, expected,
                        check):
    w = matrix_world
    headers = {} if role == "anonymous" else w.headers(role)
    response = shared_client.open(_path(template, w), method=method, headers=headers,
                                  json=body(w) if body else None)
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
